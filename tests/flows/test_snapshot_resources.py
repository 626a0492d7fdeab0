"""snapshot-resources in process: every live resource priced with osc-cost's rules, by hand, against the emulator."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import psycopg
import pytest

from flows.snapshot_resources import snapshot_resources
from tests.emulators.oos import OosEmulator, OosObject
from tests.emulators.outscale import OutscaleEmulator, generated_vms
from tests.flows.test_snapshot_consumption import register

D = Decimal


def vm(
    vm_id: str,
    vm_type: str,
    *,
    state: str = "running",
    codes: tuple[str, ...] = ("0001",),
    tenancy: str = "default",
    public_ip: str | None = None,
) -> dict[str, Any]:
    described: dict[str, Any] = {
        "VmId": vm_id, "VmType": vm_type, "State": state, "ProductCodes": list(codes),
        "Placement": {"SubregionName": "eu-west-2a", "Tenancy": tenancy}, "Tags": [{"Key": "team", "Value": "data"}],
    }  # fmt: skip
    if public_ip:
        described["PublicIp"] = public_ip
    return described


def stock(outscale: OutscaleEmulator) -> None:
    account = outscale.account_id
    outscale.add_resources(account, "Vms", [
        vm("i-linux", "tinav5.c2r4p2", public_ip="1.1.1.1"),  # 0.09
        vm("i-windows", "tinav7.c3r8p1", codes=("0002",)),  # 0.129 + 0.04 + 2 x 0.121 = 0.411
        vm("i-sql", "tinav5.c2r4p3", codes=("0008",)),  # 0.062 + 0.02 + 4 x 0.566 = 2.346
        vm("i-dedicated", "tinav5.c2r4p2", tenancy="dedicated"),  # 0.09 x 1.1 = 0.099, and UseDedicated 2.0
        vm("i-aws", "m4.large"),  # 2 x 0.039 + 8 x 0.005 = 0.118
        vm("i-stopped", "tinav5.c2r4p2", state="stopped"),  # not billed
    ])  # fmt: skip
    outscale.add_resources(account, "VmTypes", [{"VmTypeName": "m4.large", "VcoreCount": 2, "MemorySize": 8}])
    outscale.add_resources(account, "Volumes", [
        {"VolumeId": "vol-io1", "VolumeType": "io1", "Size": 15, "Iops": 1500, "State": "in-use"},  # 16.95 / month
        {"VolumeId": "vol-gp2", "VolumeType": "gp2", "Size": 100, "Iops": 300, "State": "available"},  # 11 / month
    ])  # fmt: skip
    outscale.add_resources(account, "Snapshots", [
        {"SnapshotId": "snap-own", "VolumeSize": 50, "AccountId": account},  # 2.75 / month
        {"SnapshotId": "snap-shared", "VolumeSize": 500, "AccountId": "111111111111"},  # someone else's
    ])  # fmt: skip
    outscale.add_resources(account, "PublicIps", [
        {"PublicIpId": "ip-first", "PublicIp": "1.1.1.1", "VmId": "i-linux", "LinkPublicIpId": "l-1"},  # free
        {"PublicIpId": "ip-more", "PublicIp": "2.2.2.2", "VmId": "i-linux", "LinkPublicIpId": "l-2"},  # 0.005
        {"PublicIpId": "ip-idle", "PublicIp": "3.3.3.3"},  # 0.005
        {"PublicIpId": "ip-nat", "PublicIp": "4.4.4.4", "LinkPublicIpId": "l-3", "NicId": "eni-1"},  # part of the NAT
    ])  # fmt: skip
    outscale.add_resources(account, "NatServices", [{"NatServiceId": "nat-1", "State": "available"}])  # 0.05
    outscale.add_resources(account, "LoadBalancers", [{"LoadBalancerName": "web"}])  # 0.03
    outscale.add_resources(account, "VpnConnections", [{"VpnConnectionId": "vpn-1", "State": "available"}])  # 0.03
    outscale.add_resources(account, "FlexibleGpus", [
        {"FlexibleGpuId": "fgpu-1", "ModelName": "nvidia-a100", "State": "attached"},  # 2.0
    ])  # fmt: skip


EXPECTED_PER_HOUR = {
    "Vm": D("0.09") + D("0.411") + D("2.346") + D("0.099") + D("0.118"),
    "DedicatedInstance": D("2.0"),
    "Volume": (D("16.95") + D("11")) / 730,
    "Snapshot": D("2.75") / 730,
    "PublicIp": D("0.010"),
    "NatService": D("0.05"),
    "LoadBalancer": D("0.03"),
    "VpnConnection": D("0.03"),
    "FlexibleGpu": D("2.0"),
}


@pytest.mark.usefixtures("outscale_env")
def test_each_resource_type_costs_what_the_rules_say(outscale: OutscaleEmulator, migrated_dsn: str) -> None:
    register(migrated_dsn, outscale.account_id, outscale.access_key, outscale.secret_key)
    stock(outscale)
    state = snapshot_resources(return_state=True)
    assert state.is_completed(), state.message
    with psycopg.connect(migrated_dsn) as conn:
        rows = conn.execute(
            "SELECT resource_type, sum(price_per_hour), sum(price_per_month), count(*) FROM resource_costs GROUP BY 1"
        ).fetchall()
        tags = conn.execute("SELECT tags FROM resource_costs WHERE resource_id = 'i-windows'").fetchone()
    per_hour = {kind: hourly for kind, hourly, _, _ in rows}
    assert per_hour == EXPECTED_PER_HOUR
    assert {kind: monthly for kind, _, monthly, _ in rows}["Vm"] == EXPECTED_PER_HOUR["Vm"] * 730
    assert {kind: count for kind, _, _, count in rows}["Snapshot"] == 1
    assert tags == ({"team": "data"},)


@pytest.mark.usefixtures("outscale_env")
def test_every_page_of_2500_vms_is_read_and_wrong_keys_leave_no_partial_snapshot(
    outscale: OutscaleEmulator, migrated_dsn: str
) -> None:
    register(migrated_dsn, outscale.account_id, outscale.access_key, outscale.secret_key)
    register(migrated_dsn, "000000000000", "AKIAWRONGKEY00000001", "not-the-secret")
    outscale.add_resources(outscale.account_id, "Vms", generated_vms(2500))
    state = snapshot_resources(return_state=True)
    outcomes = state.result(raise_on_failure=False)
    assert state.is_completed(), state.message
    assert sorted((o["account"], o["status"]) for o in outcomes) == [
        ("000000000000", "failed"),
        (outscale.account_id, "recorded"),
    ]
    with psycopg.connect(migrated_dsn) as conn:
        counts = conn.execute(
            "SELECT account_id, count(DISTINCT resource_id) FROM resource_costs GROUP BY 1"
        ).fetchall()
    assert counts == [(outscale.account_id, 2500)]
    assert outscale.calls("ReadVms").count(200) == 3  # pages of 1,000


@pytest.mark.usefixtures("outscale_env")
def test_object_storage_buckets_are_priced_by_size_when_enabled(
    outscale: OutscaleEmulator, oos: OosEmulator, migrated_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    register(migrated_dsn, outscale.account_id, outscale.access_key, outscale.secret_key)
    register(migrated_dsn, "000000000000", "AKIAWRONGKEY00000001", "not-the-secret")
    outscale.add_account("AKIAWRONGKEY00000001", "not-the-secret", "000000000000")
    outscale.add_resources("000000000000", "Vms", generated_vms(3))
    oos.add_owner("AKIAWRONGKEY00000001", "another-secret", "000000000000")  # OOS signs with another secret
    mebibyte_objects = [OosObject(f"db/{index:05d}.dump", 2**20) for index in range(2048)]
    oos.add_bucket(outscale.account_id, "backups", [*mebibyte_objects, OosObject("db/full.tar", 2**30)])
    oos.add_bucket(outscale.account_id, "empty", [])
    monkeypatch.setenv("FINOPS_OUTSCALE_OOS", "true")
    monkeypatch.setenv("FINOPS_OUTSCALE_OOS_ENDPOINT", oos.endpoint)
    oos.fail_next(2)

    state = snapshot_resources(return_state=True)

    outcomes = {outcome["account"]: outcome for outcome in state.result(raise_on_failure=False)}
    assert outcomes[outscale.account_id]["status"] == "recorded"
    assert outcomes["000000000000"]["status"] == "failed"
    assert "Object Storage refused the access key" in outcomes["000000000000"]["problem"]
    with psycopg.connect(migrated_dsn) as conn:
        rows = conn.execute(
            "SELECT account_id, resource_id, price_per_month, details->>'objects' FROM resource_costs"
            " WHERE resource_type = 'Oos' ORDER BY 2"
        ).fetchall()
        wrong_account_rows = conn.execute("SELECT count(*) FROM resource_costs WHERE account_id = '000000000000'")
        assert wrong_account_rows.fetchone() == (0,)
    # 2,048 MiB + 1 GiB = 3 GiB at 0.025 per GiB-month
    assert rows == [
        (outscale.account_id, "backups", D("0.075"), "2049"),
        (outscale.account_id, "empty", D(0), "0"),
    ]
    assert oos.calls("ListObjectsV2").count(200) == 4  # three pages of backups, one of empty
    listings = oos.calls("ListBuckets")
    assert listings[:2] == [503, 503]  # SlowDown is retried
    assert sorted(listings[2:]) == [200, 403]
