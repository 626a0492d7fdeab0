"""Drift: consumption categories in the real spellings, the step-function estimate, and the findings."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from finops.domain.drift import Drift, DriftThresholds, SnapshotPoint, compare, consumption_category, estimate

D = Decimal

FCU = "TinaOS-FCU"


@pytest.mark.parametrize(
    ("service", "type_", "operation", "category"),
    [
        # every key of a real eu-west-2 day (ReadConsumptionAccount, 2025-12-01)
        (FCU, "BoxUsage:tinav5.c24r128p1", "RunInstances-OD", "Vm"),
        (FCU, "BoxUsage:tinav6.c8r24p2", "RunInstances-OD", "Vm"),
        (FCU, "ProductUsage:tinav5.c2r4p2", "RunInstances-0001-OD", "Vm"),
        (FCU, "BSU:VolumeUsage:gp2", "CreateVolume", "Volume"),
        (FCU, "BSU:VolumeUsage:io1", "CreateVolume", "Volume"),
        (FCU, "BSU:VolumeUsage:standard", "CreateVolume", "Volume"),
        (FCU, "BSU:VolumeIOPS:io1", "CreateVolume", "Volume"),
        (FCU, "Snapshot:Usage", "Snapshot", "Snapshot"),
        (FCU, "ElasticIP:IdleAddress", "AssociateAddress", "PublicIp"),  # the non-VPC one osc-cost misses
        (FCU, "ElasticIP:IdleAddress", "AssociateAddressVPC", "PublicIp"),
        (FCU, "Gpu:attach:nvidia-a100", "AllocateGpu", "FlexibleGpu"),
        ("TinaOS-OOS", "enterprise", "OOSStorage", "Oos"),
        (FCU, "DataTransfer-Internet:out", "RunInstances", None),
        ("OKS", "Project:STD", "Project", None),
        ("OKS", "dedicated:cp.3.masters.small", "ControlPlane", None),
        # keys of the eu-west-2 catalog
        (FCU, "CustomCore:v5-p2", "RunInstances-OD", "Vm"),
        (FCU, "CustomRam", "RunInstances-OD", "Vm"),
        (FCU, "BoxUsage:m4.large", "RunInstances-OD", "Vm"),  # osc-cost skips it: no catalog entry
        (FCU, "ElasticIP:AdditionalAddress", "AssociateAddressVPC", "PublicIp"),
        (FCU, "Gpu:allocate:nvidia-p100", "AllocateGpu", "FlexibleGpu"),
        (FCU, "NatGatewayUsage", "CreateNatGateway", "NatService"),
        (FCU, "ConnectionUsage", "CreateVpnConnection", "VpnConnection"),
        (FCU, "UseDedicated", "RunDedicatedInstances", "DedicatedInstance"),
        (FCU, "DedicatedInstanceSurplus", "RunInstances", "Vm"),
        (FCU, "UseDedicatedGroups", "RunDedicatedGroupsInstances", None),
        ("TinaOS-LBU", "LBU:Usage", "CreateLoadBalancer", "LoadBalancer"),
        ("TinaOS-LBU", "DataTransfer-Lbu:out", "CreateLoadBalancer", None),
        ("TinaOS-OOS", "enterprise", "OOSDataTransfer", None),
        ("TinaOS-OOS", "enterprise:default", "OOSRequest", None),
        ("TinaOS-OSU", "enterprise", "OOSStorage", "Oos"),
        ("TinaOS-DirectLink", "LocatePort:1G", "CreateConnection", None),
        ("Marketplace", "pof-o1qb2k30", "Subscription", None),
        # an FCU spelling under another service is not that resource
        ("TinaOS-DirectLink", "BoxUsage:tinav5.c2r4p2", "RunInstances-OD", None),
    ],
    ids=["box-tina-v5", "box-tina-v6", "licence", "gp2", "io1", "standard", "iops", "snapshot", "eip-idle-public",
         "eip-idle-vpc", "gpu-attached", "oos-storage", "data-transfer", "oks-project", "oks-control-plane",
         "custom-core", "custom-ram", "box-aws", "eip-additional", "gpu-allocated", "nat", "vpn", "use-dedicated",
         "dedicated-surplus", "dedicated-groups", "lbu", "lbu-traffic", "oos-traffic", "oos-requests", "osu",
         "direct-link", "marketplace", "fcu-type-elsewhere"],
)  # fmt: skip
def test_consumption_category(service: str, type_: str, operation: str, category: str | None) -> None:
    assert consumption_category(service, type_, operation) == category


START = datetime(2026, 12, 1, tzinfo=UTC)
END = START + timedelta(days=1)


def at(hours: float, **hourly: str) -> SnapshotPoint:
    return SnapshotPoint(START + timedelta(hours=hours), {kind: D(price) for kind, price in hourly.items()})


@pytest.mark.parametrize(
    ("points", "costs"),
    [
        ([at(-1, Vm="2"), at(6, Vm="3")], {"Vm": "66"}),  # 2 x 6 h + 3 x 18 h
        ([at(6, Vm="3"), at(-1, Vm="2")], {"Vm": "66"}),  # the same, given in any order
        ([at(0, Vm="2")], {"Vm": "48"}),  # a point exactly at the start covers it: 2 x 24 h
        ([at(-5, Vm="100"), at(-1, Vm="1")], {"Vm": "24"}),  # only the latest before the start holds at it
        # a volume created at noon: 0.09 x 24 h, and 0.5 x 12 h
        ([at(0, Vm="0.09"), at(12, Vm="0.09", Volume="0.5")], {"Vm": "2.16", "Volume": "6"}),
        ([at(0, Vm="1", PublicIp="0.005"), at(12, Vm="1")], {"Vm": "24", "PublicIp": "0.06"}),  # released at noon
        ([at(0, Vm="2"), at(10), at(20, Vm="2")], {"Vm": "28"}),  # nothing ran 10 h to 20 h: 2 x 10 + 2 x 4
        ([at(0, Vm="1"), at(24, Vm="100"), at(25, Oos="5")], {"Vm": "24"}),  # at and after the end: ignored
        ([at(-1, LoadBalancer="0.03"), at(0.5, LoadBalancer="0.06")], {"LoadBalancer": "1.425"}),  # 0.015 + 1.41
        ([at(0)], {}),  # nothing running all day
    ],
    ids=["straddles-start", "unsorted", "at-start", "latest-before-start", "price-change-mid-period",
         "type-gone-mid-period", "empty-point", "after-end", "half-hour", "all-empty"],
)  # fmt: skip
def test_estimate(points: list[SnapshotPoint], costs: Mapping[str, str]) -> None:
    assert estimate(points, START, END) == {kind: D(cost) for kind, cost in costs.items()}


@pytest.mark.parametrize(
    "points",
    [[], [at(0.0001, Vm="1")], [at(1, Vm="1"), at(2, Vm="1")], [at(24, Vm="1")]],
    ids=["no-points", "just-after-start", "from-1-am", "only-at-end"],
)
def test_estimate_needs_a_point_at_or_before_the_start(points: list[SnapshotPoint]) -> None:
    assert estimate(points, START, END) is None


def test_estimate_of_an_empty_period_is_an_error() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        estimate([at(-1, Vm="1")], START, START)


def drift(category: str, estimated: str, billed: str, gap: str, percent: str | None, only_in_bill: bool) -> Drift:
    return Drift(category, D(estimated), D(billed), D(gap), None if percent is None else D(percent), only_in_bill)


@pytest.mark.parametrize(
    ("estimated", "billed", "findings"),
    [
        ({"Vm": "105"}, {"Vm": "100"}, []),  # 5 %
        ({"Vm": "125.5"}, {"Vm": "100"}, [drift("Vm", "125.5", "100", "25.5", "25.5", False)]),
        ({"Volume": "110"}, {"Volume": "100"}, [drift("Volume", "110", "100", "10", "10", False)]),  # at 10 %
        ({"Vm": "80"}, {"Vm": "100"}, [drift("Vm", "80", "100", "-20", "-20", False)]),  # under-estimated
        ({}, {"FlexibleGpu": "48"}, [drift("FlexibleGpu", "0", "48", "-48", "-100", True)]),
        ({}, {"PublicIp": "0.12"}, []),  # only in the bill, but under 1
        ({"NatService": "1.20"}, {}, [drift("NatService", "1.20", "0", "1.20", None, False)]),
        ({"NatService": "1.20"}, {"NatService": "0"}, [drift("NatService", "1.20", "0", "1.20", None, False)]),
        ({"Vm": "0"}, {"Vm": "30"}, [drift("Vm", "0", "30", "-30", "-100", False)]),  # estimated at 0 is an estimate
        ({"Snapshot": "1.25"}, {"Snapshot": "0.62"}, []),  # osc-cost's 101 %, but a gap of 0.63
        ({"Vm": "34.01"}, {"Vm": "34.01"}, []),
        (
            {"Volume": "1.18", "Vm": "50", "Oos": "0.01", "LoadBalancer": "0.72"},
            {"Volume": "1.18", "Vm": "40", "Oos": "0.02", "Vpn": "0.03", "VpnConnection": "12"},
            [
                drift("Vm", "50", "40", "10", "25", False),  # 10 / 40
                drift("VpnConnection", "0", "12", "-12", "-100", True),
            ],
        ),
    ],
    ids=["within", "over", "at-percent", "under-estimated", "only-in-bill", "only-in-bill-under-floor",
         "not-billed", "billed-zero", "estimated-zero", "gap-under-floor", "equal", "sorted-and-filtered"],
)  # fmt: skip
def test_compare(estimated: Mapping[str, str], billed: Mapping[str, str], findings: list[Drift]) -> None:
    as_decimals = {kind: D(cost) for kind, cost in estimated.items()}
    assert compare(as_decimals, {kind: D(cost) for kind, cost in billed.items()}) == findings


def test_compare_thresholds_are_parameters() -> None:
    thresholds = DriftThresholds(percent=D(150), min_gap=D("0.5"))
    estimated = {"Snapshot": D("1.25"), "Vm": D("300"), "Volume": D("125.5")}
    billed = {"Snapshot": D("0.62"), "Vm": D("100"), "Volume": D("100"), "FlexibleGpu": D("0.6")}
    findings = compare(estimated, billed, thresholds)
    # Snapshot: 0.63 / 0.62 = 101.6 % < 150 %; Volume 25.5 % < 150 %; Vm 200 / 100 = 200 %;
    # FlexibleGpu only in the bill: 0.6 >= 0.5, whatever the percent threshold
    assert findings == [
        drift("FlexibleGpu", "0", "0.6", "-0.6", "-100", True),
        drift("Vm", "300", "100", "200", "200", False),
    ]
    snapshot = compare(estimated, billed, DriftThresholds(percent=D(100), min_gap=D("0.5")))[1]
    assert snapshot.category == "Snapshot"
    assert snapshot.drift_percent is not None
    assert snapshot.drift_percent.quantize(D("0.01")) == D("101.61")  # 0.63 / 0.62 x 100
