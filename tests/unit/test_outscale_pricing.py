"""Outscale prices per resource and per consumption line, against the real eu-west-2 catalog, by hand."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from finops.domain.outscale_catalog import PriceList, parse_catalog
from finops.domain.outscale_consumption import price_entry
from finops.domain.outscale_pricing import (
    BucketUsage,
    aws_shape,
    licence_units,
    price_bucket,
    price_flexible_gpu,
    price_hourly_service,
    price_public_ip,
    price_snapshot,
    price_vm,
    price_volume,
    tina_shape,
)

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "reference" / "outscale" / "samples"
CATALOG = json.loads((SAMPLES / "readpubliccatalog_eu-west-2.json").read_text())
PRICES = PriceList(parse_catalog(CATALOG))
D = Decimal


def test_the_catalog_keeps_every_entry_by_its_full_key_and_knows_monthly_ones() -> None:
    entries = parse_catalog(CATALOG)
    assert len(entries) == 122
    gp2 = PRICES.get("TinaOS-FCU", "BSU:VolumeUsage:gp2", "CreateVolume")
    assert gp2 is not None and gp2.per_month and gp2.unit_price == D("0.11")
    idle = {e.key.operation for e in entries if e.key.type == "ElasticIP:IdleAddress"}
    assert idle == {"AssociateAddress", "AssociateAddressVPC"}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("tinav5.c2r4p2", (5, 2, D(4), 2)),
        ("tinav6.c8r24", (6, 8, D(24), 2)),  # no p: performance 2
        ("tinav7.c16r64p1", (7, 16, D(64), 1)),
        ("m4.large", None),
        ("tinav5.c2r4p2x", None),
    ],
)
def test_tina_types_are_read_from_their_name(name: str, expected: tuple[int, int, Decimal, int] | None) -> None:
    shape = tina_shape(name)
    assert (None if shape is None else (shape.generation, shape.vcpu, shape.ram_gib, shape.performance)) == expected


@pytest.mark.parametrize(
    ("code", "vcpu", "units"),
    [("0001", 8, 0), ("0002", 3, 2), ("0002", 4, 2), ("0002", 5, 3), ("0005", 16, 1), ("0008", 2, 4), ("0009", 12, 6)],
)
def test_licences_count_per_vm_per_two_cores_or_with_a_minimum(code: str, vcpu: int, units: int) -> None:
    assert licence_units(code, vcpu) == D(units)


def vm(vm_type: str, codes: list[str] | None = None, tenancy: str = "default") -> dict[str, object]:
    return {"VmId": "i-1", "VmType": vm_type, "ProductCodes": codes or ["0001"], "Placement": {"Tenancy": tenancy}}


@pytest.mark.parametrize(
    ("facts", "hourly"),
    [
        (vm("tinav5.c2r4p2"), D("0.09")),  # 2 x 0.035 + 4 x 0.005
        (vm("tinav6.c8r24"), D("0.40")),  # 8 x 0.035 (v6-p2) + 24 x 0.005
        (vm("tinav7.c3r8p1", ["0002"]), D("0.411")),  # 3 x 0.043 + 8 x 0.005 + 2 x 0.121
        (vm("tinav5.c2r4p3", ["0008"]), D("2.346")),  # 2 x 0.031 + 4 x 0.005 + 4 x 0.566
        (vm("tinav5.c2r4p2", ["0001", "0006"]), D("0.109")),  # + RHEL 0.019 per VM
        (vm("tinav5.c2r4p2", tenancy="dedicated"), D("0.099")),  # x (1 + 0.01 x 10)
    ],
    ids=["linux", "no-performance", "windows", "sql-standard", "rhel", "dedicated"],
)
def test_a_vm_costs_its_cores_ram_licences_and_tenancy(facts: dict[str, object], hourly: Decimal) -> None:
    shape = tina_shape(str(facts["VmType"]))
    assert shape is not None
    priced = price_vm(facts, PRICES, shape)
    assert (priced.price_per_hour, priced.price_per_month) == (hourly, hourly * 730)
    assert priced.missing_prices == ()


def test_an_aws_compatible_type_takes_its_size_from_read_vm_types_and_its_generation_from_its_family() -> None:
    shape = aws_shape("m4.large", 2, D(8))
    assert shape is not None
    assert price_vm(vm("m4.large"), PRICES, shape).price_per_hour == D("0.118")  # 2 x 0.039 (v4-p2) + 8 x 0.005


def test_an_unknown_licence_is_named_not_silently_priced() -> None:
    shape = tina_shape("tinav5.c2r4p2")
    assert shape is not None
    priced = price_vm(vm("tinav5.c2r4p2", ["9999"]), PRICES, shape)
    assert priced.price_per_hour == D("0.09") and priced.details["unpriced_licences"] == "9999"


def test_storage_is_priced_per_month() -> None:
    io1 = price_volume({"VolumeId": "vol-1", "VolumeType": "io1", "Size": 15, "Iops": 1500}, PRICES)
    assert io1.price_per_month == D("16.95")  # 15 x 0.13 + 1500 x 0.01
    gp2 = price_volume({"VolumeId": "vol-2", "VolumeType": "gp2", "Size": 100, "Iops": 300}, PRICES)
    assert gp2.price_per_month == D("11.00")  # IOPS are free outside io1
    assert gp2.price_per_hour == D("11.00") / 730
    assert price_snapshot({"SnapshotId": "snap-1", "VolumeSize": 50}, PRICES).price_per_month == D("2.750")


def test_a_bucket_costs_its_stored_gib_per_month() -> None:
    bucket = price_bucket(BucketUsage("backups", size_bytes=3 * 2**30 + 2**29, objects=12), PRICES)
    assert bucket.price_per_month == D("0.0875")  # 3.5 GiB x 0.025
    assert bucket.price_per_hour == D("0.0875") / 730
    assert (bucket.resource_type, bucket.resource_id, bucket.details["objects"]) == ("Oos", "backups", "12")
    assert price_bucket(BucketUsage("empty", 0, 0), PRICES).price_per_month == 0


def test_public_ips_first_free_others_and_idle_charged_nat_part_of_the_nat() -> None:
    first = {"i-1": "1.1.1.1"}
    cases = {
        "idle": ({"PublicIpId": "ip-1", "PublicIp": "2.2.2.2"}, D("0.005")),
        "first": ({"PublicIpId": "ip-2", "PublicIp": "1.1.1.1", "VmId": "i-1", "LinkPublicIpId": "l"}, D(0)),
        "other": ({"PublicIpId": "ip-3", "PublicIp": "3.3.3.3", "VmId": "i-1", "LinkPublicIpId": "l"}, D("0.005")),
        "nat": ({"PublicIpId": "ip-4", "PublicIp": "4.4.4.4", "LinkPublicIpId": "l", "NicId": "eni"}, D(0)),
    }
    assert {name: price_public_ip(ip, first, PRICES).price_per_hour for name, (ip, _) in cases.items()} == {
        name: hourly for name, (_, hourly) in cases.items()
    }


def test_services_and_gpus_per_hour() -> None:
    assert price_hourly_service("NatService", "nat-1", PRICES).price_per_hour == D("0.05")
    assert price_hourly_service("LoadBalancer", "lb", PRICES).price_per_hour == D("0.03")
    assert price_hourly_service("VpnConnection", "vpn-1", PRICES).price_per_hour == D("0.03")
    attached = price_flexible_gpu({"FlexibleGpuId": "g", "ModelName": "nvidia-a100", "State": "attached"}, PRICES)
    allocated = price_flexible_gpu({"FlexibleGpuId": "g", "ModelName": "nvidia-p100", "State": "allocated"}, PRICES)
    assert attached is not None and allocated is not None
    assert (attached.price_per_hour, allocated.price_per_hour) == (D("2.0"), D("1.2"))


def test_every_line_of_the_real_consumption_day_gets_a_price() -> None:
    day = json.loads((SAMPLES / "readconsumptionaccount_eu-west-2_2025-12-01.json").read_text())
    priced = [(entry, price_entry(entry, PRICES)) for entry in day["ConsumptionEntries"]]
    assert [entry["Type"] for entry, result in priced if result.source != "catalog"] == []
    by_type = {entry["Type"]: result.price for entry, result in priced}
    assert by_type["BoxUsage:tinav5.c24r128p1"] == 24 * (24 * D("0.040") + 128 * D("0.005"))
    assert by_type["BSU:VolumeUsage:gp2"] == D("9.6774193548") * D("0.11")
    assert by_type["ProductUsage:tinav5.c2r4p2"] == 0  # Linux


def test_a_price_the_api_gave_is_kept() -> None:
    entry = {"Service": "TinaOS-FCU", "Type": "X", "Operation": "Y", "Value": 2, "UnitPrice": 0.5, "Price": 1.0}
    result = price_entry(entry, PRICES)
    assert (result.source, result.price) == ("api", D("1.0"))


def test_a_tina_name_without_p_takes_the_vms_performance() -> None:
    shape = tina_shape("tinav5.c4r8", "highest")
    assert shape is not None and shape.performance == 1
    assert price_vm(vm("tinav5.c4r8"), PRICES, shape).price_per_hour == 4 * D("0.040") + 8 * D("0.005")
