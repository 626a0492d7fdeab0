"""Drift: what the resource snapshots said an Outscale account would cost against what it was billed.

osc-cost's drift compares one estimate, taken before the account was "frozen" for a day, with the
next day's consumption. Ours follows the account as it changes: each resource snapshot's price per
hour holds until the next snapshot, so the estimate of a period is the area under that step
function. It is only computed when a snapshot covers the period's start; a day estimated from noon
would show half the bill as drift.

Consumption entries are put in the category of the estimate that prices them (osc-cost's mapping,
spelled with our resource types). Entries no estimate covers (data transfer, OKS, DirectLink,
Marketplace, OOS requests) have no category: the caller shows them as "other". Unlike osc-cost, a
category billed but never estimated is a finding, and small gaps can be ignored, both in amount
and in percent, so that a cent on a cent does not page anyone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

FCU = "TinaOS-FCU"
# OSU is the former name of Object Storage; both may still appear in a bill.
OBJECT_STORAGE_SERVICES = frozenset({"TinaOS-OOS", "TinaOS-OSU"})
# A bucket's estimate is its stored GiB only; its traffic and requests are not estimated.
UNESTIMATED_OBJECT_STORAGE_OPERATIONS = frozenset({"OOSDataTransfer", "OOSRequest"})
VM_TYPE_PREFIXES = frozenset({"BoxUsage", "CustomCore", "CustomRam", "ProductUsage"})
FCU_TYPES = {
    "Snapshot:Usage": "Snapshot",
    "NatGatewayUsage": "NatService",
    "ConnectionUsage": "VpnConnection",
    "UseDedicated": "DedicatedInstance",
    # The dedicated surcharge is part of each dedicated VM's estimated price per hour.
    "DedicatedInstanceSurplus": "Vm",
}
FCU_TYPE_PREFIXES = {"BSU:": "Volume", "ElasticIP:": "PublicIp", "Gpu:": "FlexibleGpu"}
MICROSECONDS_PER_HOUR = Decimal(3_600_000_000)


def consumption_category(service: str, type_: str, operation: str) -> str | None:
    """The resource type whose estimate prices this ReadConsumptionAccount entry, if any."""
    if service in OBJECT_STORAGE_SERVICES:
        return None if operation in UNESTIMATED_OBJECT_STORAGE_OPERATIONS else "Oos"
    if service == "TinaOS-LBU":
        # LBU traffic (DataTransfer-Lbu:out) is not in a load balancer's hourly estimate.
        return "LoadBalancer" if type_ == "LBU:Usage" else None
    if service != FCU:
        return None
    if type_.split(":", 1)[0] in VM_TYPE_PREFIXES:
        return "Vm"
    if type_ in FCU_TYPES:
        return FCU_TYPES[type_]
    for prefix, category in FCU_TYPE_PREFIXES.items():
        if type_.startswith(prefix):
            return category
    return None


@dataclass(frozen=True)
class SnapshotPoint:
    taken_at: datetime  # aware UTC
    hourly: Mapping[str, Decimal]  # per resource type, that snapshot's total price per hour; empty = nothing running


def estimate(points: Sequence[SnapshotPoint], start: datetime, end: datetime) -> dict[str, Decimal] | None:
    """The estimated cost per resource type over [start, end); None when no point is at or before start."""
    if end <= start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    ordered = sorted((point for point in points if point.taken_at < end), key=lambda point: point.taken_at)
    if not ordered or ordered[0].taken_at > start:
        return None
    costs: dict[str, Decimal] = {}
    for point, following in zip(ordered, [*ordered[1:], None], strict=True):
        held_from = max(point.taken_at, start)
        held_until = following.taken_at if following is not None else end
        if held_until <= held_from:
            continue
        hours = _hours(held_until - held_from)
        for resource_type, hourly in point.hourly.items():
            costs[resource_type] = costs.get(resource_type, Decimal(0)) + hourly * hours
    return costs


def _hours(held: timedelta) -> Decimal:
    # Whole microseconds keep it exact: timedelta.total_seconds() is a float.
    return Decimal(held // timedelta(microseconds=1)) / MICROSECONDS_PER_HOUR


@dataclass(frozen=True)
class DriftThresholds:
    percent: Decimal = Decimal(10)
    min_gap: Decimal = Decimal(1)


@dataclass(frozen=True)
class Drift:
    category: str
    estimated: Decimal
    billed: Decimal
    gap: Decimal  # estimated - billed
    drift_percent: Decimal | None  # gap / billed * 100; None when billed is 0 (estimated but not billed)
    only_in_bill: bool  # billed, but no estimate for that type (osc-cost drops these silently)


def compare(
    estimated: Mapping[str, Decimal], billed: Mapping[str, Decimal], thresholds: DriftThresholds = DriftThresholds()
) -> list[Drift]:
    """The categories whose drift clears both thresholds, sorted by category."""
    findings = []
    for category in sorted(estimated.keys() | billed.keys()):
        estimate_of = estimated.get(category, Decimal(0))
        bill = billed.get(category, Decimal(0))
        gap = estimate_of - bill
        drift_percent = gap / bill * 100 if bill != 0 else None
        only_in_bill = category not in estimated
        if abs(gap) < thresholds.min_gap:
            continue
        # A bill with no estimate at all is reported whatever the percent threshold: it is the
        # case osc-cost hides, and its -100 % says nothing the gap does not.
        if not only_in_bill and drift_percent is not None and abs(drift_percent) < thresholds.percent:
            continue
        findings.append(Drift(category, estimate_of, bill, gap, drift_percent, only_in_bill))
    return findings
