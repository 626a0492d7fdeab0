"""What is wrong with a quote's terms or items, field by field, before anything is stored or priced.

Numbers are bounded as well as signed: an absurd quantity or a thousand-digit decimal is a mistake
to name, not a value to store (PostgreSQL's numeric would refuse it later, less clearly).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from finops.domain.outscale_catalog import PriceList
from finops.domain.outscale_pricing import FCU, licence_units
from finops.domain.quote_pricing import (
    COMMITMENT_PERIODS,
    DURATION_HOURS,
    PERFORMANCES,
    RUN,
    VOLUME_TYPES,
    QuoteItem,
    QuoteTerms,
    VmSpec,
    VolumeSpec,
    core_type,
)

MAX_DECIMALS = 12
LIMITS = {
    "duration": Decimal(1_000_000),
    "quantity": Decimal(1_000_000_000),
    "ram_gib": Decimal(100_000),
    "size_gib": Decimal(10_000_000),
    "iops": Decimal(10_000_000),
}


def number_problem(value: Decimal, field: str) -> str | None:
    """Why ``value`` cannot be a ``field``, beyond its sign; None when it can."""
    if not value.is_finite():
        return f"the {field} must be a number"
    if value > LIMITS[field]:
        return f"the {field} cannot be more than {LIMITS[field]:,}"
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMALS:
        return f"the {field} has more than {MAX_DECIMALS} decimals"
    return None


def terms_problems(terms: QuoteTerms) -> dict[str, str]:
    """Field name -> what is wrong with it; empty when the terms can be priced."""
    problems: dict[str, str] = {}
    if problem := number_problem(terms.duration, "duration"):
        problems["duration"] = problem
    elif terms.duration <= 0:
        problems["duration"] = "the duration must be more than 0"
    if terms.duration_unit not in DURATION_HOURS:
        problems["duration_unit"] = f"unknown duration unit {terms.duration_unit!r}: {_one_of(DURATION_HOURS)}"
    if terms.commitment_period is not None and terms.commitment_period not in COMMITMENT_PERIODS:
        problems["commitment_period"] = (
            f"unknown commitment period {terms.commitment_period!r}: {_one_of(COMMITMENT_PERIODS)}, or none"
        )
    discount = terms.global_discount_percent
    if not discount.is_finite() or not 0 <= discount <= 100:
        problems["global_discount_percent"] = "the global discount must be between 0 and 100 %"
    return problems


def item_problems(item: QuoteItem, prices: PriceList) -> dict[str, str]:
    """Field name -> what is wrong with it; empty when the item can be priced with ``prices``."""
    problems: dict[str, str] = {}
    if problem := number_problem(item.quantity, "quantity"):
        problems["quantity"] = problem
    elif item.quantity < 0:
        problems["quantity"] = "the quantity must be 0 or more"
    if item.kind == "catalog":
        if item.key is None:
            problems["key"] = "a catalog item needs a catalog entry (service, type and operation)"
        elif prices.get(item.key.service, item.key.type, item.key.operation) is None:
            problems["key"] = f"{item.key} is not in this region's catalog"
    elif item.kind == "vm":
        problems.update(_vm_problems(item.vm, prices) if item.vm else {"vm": "a VM item needs its VM"})
    elif item.kind == "volume":
        problems.update(
            _volume_problems(item.volume, prices) if item.volume else {"volume": "a volume item needs its volume"}
        )
    else:
        problems["kind"] = f"unknown kind {item.kind!r}: catalog, vm or volume"
    return problems


def _vm_problems(vm: VmSpec, prices: PriceList) -> dict[str, str]:
    problems: dict[str, str] = {}
    if vm.generation < 1:
        problems["generation"] = "the generation must be 1 or more"
    if vm.vcores < 1:
        problems["vcores"] = "a VM needs at least 1 vCore"
    if problem := number_problem(vm.ram_gib, "ram_gib"):
        problems["ram_gib"] = problem
    elif vm.ram_gib <= 0:
        problems["ram_gib"] = "the RAM must be more than 0 GiB"
    elif prices.get(FCU, "CustomRam", RUN) is None:
        problems["ram_gib"] = f"{FCU}/CustomRam/{RUN} is not in this region's catalog"
    level = PERFORMANCES.get(vm.performance)
    if level is None:
        problems["performance"] = f"unknown performance {vm.performance!r}: {_one_of(PERFORMANCES)}"
    elif "generation" not in problems and prices.get(FCU, core_type(vm.generation, level), RUN) is None:
        problems["generation"] = (
            f"no v{vm.generation} VM at performance {vm.performance} in this region's catalog"
            f" ({core_type(vm.generation, level)})"
        )
    wrong: list[str] = []
    for code in vm.licences:
        units = licence_units(code, max(vm.vcores, 1))
        if units is None:
            wrong.append(f"{code} is not a known licence")
        elif units and prices.get(FCU, "ProductUsage", f"RunInstances-{code}-OD") is None:
            wrong.append(f"licence {code} has no price in this region's catalog")
    if wrong:
        problems["licences"] = "; ".join(wrong)
    return problems


def _volume_problems(volume: VolumeSpec, prices: PriceList) -> dict[str, str]:
    problems: dict[str, str] = {}
    kind, iops = volume.volume_type, volume.iops
    if kind not in VOLUME_TYPES:
        problems["volume_type"] = f"unknown volume type {kind!r}: {_one_of(VOLUME_TYPES)}"
    elif prices.get(FCU, f"BSU:VolumeUsage:{kind}", "CreateVolume") is None:
        problems["volume_type"] = f"{kind} volumes are not in this region's catalog"
    if problem := number_problem(volume.size_gib, "size_gib"):
        problems["size_gib"] = problem
    elif volume.size_gib <= 0:
        problems["size_gib"] = "the size must be more than 0 GiB"
    if problem := number_problem(iops, "iops"):
        problems["iops"] = problem
    elif iops < 0:
        problems["iops"] = "the IOPS cannot be negative"
    elif iops > 0 and kind != "io1":
        problems["iops"] = f"only io1 volumes have provisioned IOPS, not {kind}"
    elif kind == "io1" and iops == 0:
        problems["iops"] = "an io1 volume needs its provisioned IOPS"
    elif kind == "io1" and prices.get(FCU, "BSU:VolumeIOPS:io1", "CreateVolume") is None:
        problems["iops"] = "io1 IOPS are not in this region's catalog"
    return problems


def _one_of(names: Sequence[str] | Mapping[str, object]) -> str:
    return ", ".join(names)
