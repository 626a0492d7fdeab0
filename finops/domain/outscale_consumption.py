"""Prices a ReadConsumptionAccount entry: the API's price when it gave one, else the catalog of that day.

`Value` is already in the catalog's unit: hours for hourly entries, months pro-rated for PER_MONTH
ones (300 GiB of gp2 for one day of a 31-day month is 9.677), so the price is Value * UnitPrice.
Two kinds of entry have no catalog entry of their own:
- `BoxUsage:tinav5.c2r4p2 / RunInstances-OD` (a VM): Value * (vCPU * CustomCore:v5-p2 + GiB * CustomRam);
  an AWS-compatible type (`BoxUsage:m4.large`) the same way with its vCPU and memory from ReadVmTypes;
- `ProductUsage:{vm type} / RunInstances-{code}-OD` (a licence): the catalog entry `ProductUsage`,
  counted per the licence rules of finops.domain.outscale_pricing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from finops.domain.outscale_catalog import PriceList
from finops.domain.outscale_pricing import FCU, VmShape, aws_shape, licence_units, tina_shape

PriceSource = Literal["api", "catalog", "unpriced"]


@dataclass(frozen=True)
class PricedEntry:
    unit_price: Decimal | None
    price: Decimal | None
    source: PriceSource


def price_entry(
    entry: Mapping[str, Any], prices: PriceList, vm_types: Mapping[str, tuple[int, Decimal]] | None = None
) -> PricedEntry:
    """``vm_types``: AWS-compatible type name -> (vCPU, memory GiB), from ReadVmTypes."""
    value = _decimal(entry.get("Value")) or Decimal(0)
    if entry.get("Price") is not None:
        return PricedEntry(_decimal(entry.get("UnitPrice")), _decimal(entry["Price"]), "api")
    unit_price = _catalog_unit_price(
        str(entry.get("Service") or ""),
        str(entry.get("Type") or ""),
        str(entry.get("Operation") or ""),
        prices,
        vm_types or {},
    )
    if unit_price is None:
        return PricedEntry(None, None, "unpriced")
    return PricedEntry(unit_price, value * unit_price, "catalog")


def _catalog_unit_price(
    service: str, type_: str, operation: str, prices: PriceList, vm_types: Mapping[str, tuple[int, Decimal]]
) -> Decimal | None:
    exact = prices.get(service, type_, operation)
    if exact is not None:
        return exact.unit_price
    if service != FCU:
        return None
    if type_.startswith("BoxUsage:") and operation == "RunInstances-OD":
        shape = _shape(type_.removeprefix("BoxUsage:"), vm_types)
        if shape is None:
            return None
        core = prices.get(FCU, f"CustomCore:v{shape.generation}-p{shape.performance}", "RunInstances-OD")
        ram = prices.get(FCU, "CustomRam", "RunInstances-OD")
        if core is None or ram is None:
            return None
        return shape.vcpu * core.unit_price + shape.ram_gib * ram.unit_price
    if type_.startswith("ProductUsage:") and operation.startswith("RunInstances-") and operation.endswith("-OD"):
        code = operation.removeprefix("RunInstances-").removesuffix("-OD")
        shape = _shape(type_.removeprefix("ProductUsage:"), vm_types)
        units = licence_units(code, shape.vcpu) if shape is not None else None
        if units is None:
            return None
        if not units:
            return Decimal(0)
        licence = prices.get(FCU, "ProductUsage", operation)
        return units * licence.unit_price if licence is not None else None
    return None


def _shape(vm_type: str, vm_types: Mapping[str, tuple[int, Decimal]]) -> VmShape | None:
    shape = tina_shape(vm_type)
    if shape is not None:
        return shape
    if vm_type in vm_types:
        vcpu, memory = vm_types[vm_type]
        return aws_shape(vm_type, vcpu, memory)
    return None


def _decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@dataclass(frozen=True)
class ConsumptionLine:
    """One (service, type, operation) of one account-day, subregions summed, priced."""

    service: str
    type: str
    operation: str
    category: str
    title: str
    value: Decimal
    unit_price: Decimal | None
    price: Decimal | None
    source: PriceSource
    paying_account_id: str | None

    @property
    def key(self) -> str:
        return f"{self.service}/{self.type}/{self.operation}"


def day_lines(
    entries: list[Mapping[str, Any]], prices: PriceList, vm_types: Mapping[str, tuple[int, Decimal]] | None = None
) -> list[ConsumptionLine]:
    """Prices each entry, then sums the entries of a key across subregions (eu-west-2 and eu-west-2a)."""
    grouped: dict[tuple[str, str, str], list[tuple[Mapping[str, Any], PricedEntry]]] = {}
    for entry in entries:
        key = (str(entry.get("Service") or ""), str(entry.get("Type") or ""), str(entry.get("Operation") or ""))
        grouped.setdefault(key, []).append((entry, price_entry(entry, prices, vm_types)))
    lines = []
    for (service, type_, operation), priced in sorted(grouped.items()):
        value = sum((_decimal(entry.get("Value")) or Decimal(0) for entry, _ in priced), Decimal(0))
        sources = {result.source for _, result in priced}
        complete = "unpriced" not in sources
        price = sum((result.price or Decimal(0) for _, result in priced), Decimal(0)) if complete else None
        unit_prices = {result.unit_price for _, result in priced}
        first = priced[0][0]
        lines.append(
            ConsumptionLine(
                service=service,
                type=type_,
                operation=operation,
                category=str(first.get("Category") or ""),
                title=str(first.get("Title") or ""),
                value=value,
                unit_price=unit_prices.pop() if len(unit_prices) == 1 else None,
                price=price,
                source="unpriced" if not complete else ("api" if sources == {"api"} else "catalog"),
                paying_account_id=str(first["PayingAccountId"]) if first.get("PayingAccountId") else None,
            )
        )
    return lines
