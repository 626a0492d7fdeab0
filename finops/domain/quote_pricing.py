"""What an Outscale quote costs: VMs, volumes and catalog entries over a duration, with discounts.

Catalog keys are `Service/Type/Operation` (finops.domain.outscale_catalog); the VM and volume
rules are those of finops.domain.outscale_pricing. The rules:

| item | price of one unit | billed in |
|---|---|---|
| catalog entry | its UnitPrice, per unit of the entry (an IP, a GiB of OOS...) | months if PER_MONTH, else hours |
| VM | vCores * CustomCore:v{gen}-p{perf} + RAM GiB * CustomRam + Σ licence units * ProductUsage | hours |
| volume | Size * BSU:VolumeUsage:{type} (+ IOPS * BSU:VolumeIOPS:io1 for io1) | months |

- hours = duration * (hours 1, days 24, weeks 168, months 730, years 8760); months = hours / 730.
  A month is 730 hours, as in the consumption pricing (osc-finops quoted with 720).
- list price = quantity * unit price * hours (or months).
- commitment discount = list price * the percentage of the item's catalog category for the period,
  categories compared whatever their case (by default compute: 1month 30 %, 1year 40 %, 3years
  50 %; every other category 0 %). A VM's cores and RAM are compute and its licences licence, each
  part discounted at its own category's percentage (the default leaves licences undiscounted); a
  volume is storage. net = list - discount.
- subtotal = Σ net; global discount = subtotal * g %; total = subtotal - global discount.
- run rates: total / hours per hour, total * 730 / hours per month, total * 8760 / hours per year.

Nothing is rounded here: finops.domain.quote_calculation rounds the totals when they are shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from finops.domain.outscale_catalog import HOURS_PER_MONTH, CatalogKey, CatalogPrice, PriceList
from finops.domain.outscale_pricing import FCU, PERFORMANCE_LEVELS, licence_units
from finops.domain.quote_calculation import GroupTotal, QuoteCalculation, QuoteLine

HOURS_PER_YEAR = Decimal(8760)
DURATION_HOURS: dict[str, Decimal] = {
    "hours": Decimal(1),
    "days": Decimal(24),
    "weeks": Decimal(168),
    "months": HOURS_PER_MONTH,
    "years": HOURS_PER_YEAR,
}
COMMITMENT_PERIODS = ("1month", "1year", "3years")
# percent, per catalog Category (any case); a category or period not listed is not discounted
DEFAULT_COMMITMENT_DISCOUNTS: dict[str, dict[str, Decimal]] = {
    "compute": {"1month": Decimal(30), "1year": Decimal(40), "3years": Decimal(50)},
}
PERFORMANCES = PERFORMANCE_LEVELS  # VM performance -> catalog p level
VOLUME_TYPES = ("standard", "gp2", "io1")
RUN = "RunInstances-OD"  # the catalog operation of a VM's cores and RAM
_ZERO = Decimal(0)


@dataclass(frozen=True)
class QuoteTerms:
    duration: Decimal
    duration_unit: str
    commitment_period: str | None
    global_discount_percent: Decimal

    @property
    def hours(self) -> Decimal:
        return self.duration * DURATION_HOURS[self.duration_unit]


@dataclass(frozen=True)
class VmSpec:
    generation: int
    performance: str
    vcores: int
    ram_gib: Decimal
    licences: tuple[str, ...] = ()


@dataclass(frozen=True)
class VolumeSpec:
    volume_type: str
    size_gib: Decimal
    iops: Decimal = Decimal(0)


@dataclass(frozen=True)
class QuoteItem:
    """``kind``: catalog (quantity in the entry's unit), vm (a number of VMs) or volume (of volumes)."""

    id: int
    group_id: int | None
    name: str
    quantity: Decimal
    kind: str
    key: CatalogKey | None = None
    vm: VmSpec | None = None
    volume: VolumeSpec | None = None


@dataclass(frozen=True)
class QuoteGroup:
    id: int
    name: str
    position: int


def calculate(
    terms: QuoteTerms,
    groups: Sequence[QuoteGroup],
    items: Sequence[QuoteItem],
    prices: PriceList,
    currency: str,
    discounts: Mapping[str, Mapping[str, Decimal]] = DEFAULT_COMMITMENT_DISCOUNTS,
) -> QuoteCalculation:
    """Expects terms and items that finops.domain.quote_validation passed: else a ValueError."""
    if terms.duration_unit not in DURATION_HOURS or not terms.duration > 0:
        raise ValueError(f"cannot price a quote of {terms.duration} {terms.duration_unit}")
    hours = terms.hours
    ordered = sorted(groups, key=lambda group: (group.position, group.id))
    lines_by_group: dict[int | None, list[QuoteLine]] = {group.id: [] for group in ordered}
    lookup = _Lookup(prices)
    percents = _commitment_percents(discounts, terms.commitment_period)
    priced: dict[CatalogKey | VmSpec | VolumeSpec | None, _Priced] = {}  # quotes repeat their VM shapes
    for item in items:
        if item.group_id is not None and item.group_id not in lines_by_group:
            raise ValueError(f"item {item.id} is in group {item.group_id}, which is not in the quote")
        spec = item.vm if item.kind == "vm" else item.volume if item.kind == "volume" else item.key
        unit = priced.get(spec) or priced.setdefault(spec, _priced(item, lookup, percents))
        line = _line(item, unit, hours)
        lines_by_group.setdefault(item.group_id, []).append(line)  # None comes after every group

    totals = [GroupTotal(g.id, g.name, g.position, _net(lines_by_group[g.id])) for g in ordered]
    if None in lines_by_group:
        after_last = ordered[-1].position + 1 if ordered else 0
        totals.append(GroupTotal(None, "", after_last, _net(lines_by_group[None])))
    subtotal = sum((group.subtotal for group in totals), Decimal(0))
    global_discount = subtotal * terms.global_discount_percent / 100
    total = subtotal - global_discount
    return QuoteCalculation(
        lines=tuple(line for group_lines in lines_by_group.values() for line in group_lines),
        groups=tuple(totals),
        subtotal=subtotal,
        global_discount_percent=terms.global_discount_percent,
        global_discount=global_discount,
        total=total,
        currency=currency,
        hours=hours,
        # One division each, so that a one-month quote runs at exactly its total per month.
        hourly_run_rate=total / hours,
        monthly_run_rate=total * HOURS_PER_MONTH / hours,
        yearly_run_rate=total * HOURS_PER_YEAR / hours,
    )


def _net(lines: list[QuoteLine]) -> Decimal:
    return sum((line.net for line in lines), Decimal(0))


def _commitment_percents(discounts: Mapping[str, Mapping[str, Decimal]], period: str | None) -> dict[str, Decimal]:
    """The percent of each lower-cased catalog category for ``period``."""
    if not period:
        return {}
    return {category.lower(): periods.get(period, _ZERO) for category, periods in discounts.items()}


class _Priced(NamedTuple):  # a tuple: built for every distinct item, it must be cheap
    unit_price: Decimal
    category: str
    description: str
    monthly: bool
    percent: Decimal  # the commitment discount of the item's category
    discounted: tuple[tuple[Decimal, Decimal], ...]  # (part of the unit price, its percent), each percent > 0


def _priced(item: QuoteItem, lookup: _Lookup, percents: Mapping[str, Decimal]) -> _Priced:
    if item.kind == "vm" and item.vm is not None:
        return _vm_price(item.vm, lookup, percents)
    if item.kind == "volume" and item.volume is not None:
        return _volume_price(item.volume, lookup, percents)
    if item.kind == "catalog" and item.key is not None:
        entry = lookup(item.key.service, item.key.type, item.key.operation)
        percent = percents.get(entry.category.lower(), _ZERO)
        return _Priced(
            entry.unit_price,
            entry.category,
            entry.title,
            entry.per_month,
            percent,
            _discounted((entry.unit_price, percent)),
        )
    raise ValueError(f"item {item.id}: a {item.kind!r} item without its catalog key, VM or volume")


def _discounted(*parts: tuple[Decimal, Decimal]) -> tuple[tuple[Decimal, Decimal], ...]:
    return tuple((part, percent) for part, percent in parts if part and percent)


def _line(item: QuoteItem, priced: _Priced, hours: Decimal) -> QuoteLine:
    quantity = item.quantity
    if priced.monthly:
        # Divided last, so that a duration in months stays exact for a monthly price.
        list_price = quantity * priced.unit_price * hours / HOURS_PER_MONTH
        commitment_discount = sum(
            (quantity * part * hours / HOURS_PER_MONTH * percent / 100 for part, percent in priced.discounted), _ZERO
        )
    else:
        list_price = quantity * priced.unit_price * hours
        commitment_discount = sum(
            (quantity * part * hours * percent / 100 for part, percent in priced.discounted), _ZERO
        )
    return QuoteLine(
        item_id=item.id,
        group_id=item.group_id,
        name=item.name,
        kind=item.kind,
        description=priced.description,
        category=priced.category,
        quantity=item.quantity,
        billing_unit="month" if priced.monthly else "hour",
        unit_price=priced.unit_price,
        billed_units=hours / HOURS_PER_MONTH if priced.monthly else hours,
        list_price=list_price,
        commitment_discount_percent=priced.percent,
        commitment_discount=commitment_discount,
        net=list_price - commitment_discount,
    )


# The catalog files CustomCore and CustomRam under "compute", the ProductUsage licences under
# "licence" and the BSU volumes under "storage": a VM or a volume is discounted as its entries are.
def _vm_price(vm: VmSpec, lookup: _Lookup, percents: Mapping[str, Decimal]) -> _Priced:
    level = PERFORMANCES.get(vm.performance)
    if level is None:
        raise ValueError(f"unknown performance {vm.performance!r}")
    core = lookup(FCU, core_type(vm.generation, level), RUN).unit_price
    compute = vm.vcores * core + vm.ram_gib * lookup(FCU, "CustomRam", RUN).unit_price
    licences = _ZERO
    for code in vm.licences:
        units = licence_units(code, vm.vcores)
        if units is None:
            raise ValueError(f"unknown licence {code}")
        if units:
            licences += units * lookup(FCU, "ProductUsage", f"RunInstances-{code}-OD").unit_price
    compute_percent, licence_percent = percents.get("compute", _ZERO), percents.get("licence", _ZERO)
    description = f"VM v{vm.generation} {vm.performance}, {vm.vcores} vCores, {format(vm.ram_gib, 'f')} GiB RAM"
    if vm.licences:
        discount = f"{format(licence_percent, 'f')} % commitment discount" if licence_percent else "not discounted"
        description += f", licences {' '.join(vm.licences)} ({discount})"
    discounted = _discounted((compute, compute_percent), (licences, licence_percent))
    return _Priced(compute + licences, "compute", description, False, compute_percent, discounted)


def _volume_price(volume: VolumeSpec, lookup: _Lookup, percents: Mapping[str, Decimal]) -> _Priced:
    usage = lookup(FCU, f"BSU:VolumeUsage:{volume.volume_type}", "CreateVolume").unit_price
    monthly = volume.size_gib * usage
    description = f"{volume.volume_type} volume, {format(volume.size_gib, 'f')} GiB"
    if volume.volume_type == "io1":
        monthly += volume.iops * lookup(FCU, "BSU:VolumeIOPS:io1", "CreateVolume").unit_price
        description += f", {format(volume.iops, 'f')} IOPS"
    percent = percents.get("storage", _ZERO)
    return _Priced(monthly, "storage", description, True, percent, _discounted((monthly, percent)))


def core_type(generation: int, level: int) -> str:
    return f"CustomCore:v{generation}-p{level}"


class _Lookup:
    """The prices of one calculation, each looked up once: a quote asks for the same few many times."""

    def __init__(self, prices: PriceList) -> None:
        self._prices = prices
        self._found: dict[tuple[str, str, str], CatalogPrice] = {}

    def __call__(self, service: str, type_: str, operation: str) -> CatalogPrice:
        key = (service, type_, operation)
        price = self._found.get(key)
        if price is None:
            price = self._prices.get(service, type_, operation)
            if price is None:
                raise ValueError(f"{service}/{type_}/{operation} is not in this region's catalog")
            self._found[key] = price
        return price
