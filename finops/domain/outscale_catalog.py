"""Outscale's price catalog: entries keyed by (service, type, operation), hourly or monthly.

ReadPublicCatalog and ReadCatalog answer the same `CatalogEntry` shape. An entry flagged
`PER_MONTH` is a monthly price (GiB-month, IOPS-month, port-month); every other entry is hourly.
A month is 730 hours (365 * 24 / 12), the figure osc-cost and Outscale's own estimates use.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

HOURS_PER_MONTH = Decimal(730)

REGION_CURRENCIES: dict[str, str] = {
    "eu-west-2": "EUR",
    "cloudgouv-eu-west-1": "EUR",
    "us-east-2": "USD",
    "us-west-1": "USD",
    "ap-northeast-1": "JPY",
}


@dataclass(frozen=True, order=True)
class CatalogKey:
    service: str
    type: str
    operation: str

    def __str__(self) -> str:
        return f"{self.service}/{self.type}/{self.operation}"


@dataclass(frozen=True)
class CatalogPrice:
    key: CatalogKey
    unit_price: Decimal
    per_month: bool
    category: str
    title: str

    @property
    def per_hour(self) -> Decimal:
        return self.unit_price / HOURS_PER_MONTH if self.per_month else self.unit_price


def parse_catalog(response: Mapping[str, Any]) -> list[CatalogPrice]:
    """The entries of a ReadPublicCatalog / ReadCatalog answer; entries without a full key are dropped."""
    entries = (response.get("Catalog") or {}).get("Entries") or []
    prices: dict[CatalogKey, CatalogPrice] = {}
    for entry in entries:
        service, type_, operation = entry.get("Service"), entry.get("Type"), entry.get("Operation")
        if not (service and type_ and operation) or entry.get("UnitPrice") is None:
            continue
        key = CatalogKey(str(service), str(type_), str(operation))
        prices[key] = CatalogPrice(
            key=key,
            # Through str: the JSON float 0.1 is the price 0.1, not 0.1000000000000000055...
            unit_price=Decimal(str(entry["UnitPrice"])),
            per_month="PER_MONTH" in str(entry.get("Flags") or "").split(","),
            category=str(entry.get("Category") or ""),
            title=str(entry.get("Title") or ""),
        )
    return sorted(prices.values(), key=lambda price: price.key)


class PriceList:
    """The prices in force for one region at one moment."""

    def __init__(self, prices: Iterable[CatalogPrice]) -> None:
        self._prices = {price.key: price for price in prices}

    def __len__(self) -> int:
        return len(self._prices)

    def get(self, service: str, type_: str, operation: str) -> CatalogPrice | None:
        return self._prices.get(CatalogKey(service, type_, operation))


@dataclass(frozen=True)
class CatalogChanges:
    """What a fresh catalog changes in the price history of a region."""

    added: tuple[CatalogPrice, ...]
    changed: tuple[CatalogPrice, ...]  # the new prices; their previous ones end
    removed: tuple[CatalogKey, ...]
    unchanged: int

    @property
    def anything(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def catalog_changes(
    current: Mapping[CatalogKey, tuple[Decimal, bool]], fresh: Iterable[CatalogPrice]
) -> CatalogChanges:
    """``current``: key -> (unit price, per month) of the prices in force. A title change is not a new price."""
    added: list[CatalogPrice] = []
    changed: list[CatalogPrice] = []
    seen: set[CatalogKey] = set()
    for price in fresh:
        seen.add(price.key)
        before = current.get(price.key)
        if before is None:
            added.append(price)
        elif before != (price.unit_price, price.per_month):
            changed.append(price)
    removed = tuple(sorted(key for key in current if key not in seen))
    unchanged = len(seen) - len(added) - len(changed)
    return CatalogChanges(tuple(added), tuple(changed), removed, unchanged)
