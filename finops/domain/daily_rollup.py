"""A file's share of `daily_costs`: its lines summed per account, service, region, day and currency.

The loader sums each piece of a file as it inserts it; the pieces' sums are merged here, so what is
held stays the size of the rollup (days x accounts x services x regions), not of the file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class RollupRow:
    account_id: str
    service_name: str
    region_id: str
    day: date
    currency: str | None
    billed_cost: Decimal
    effective_cost: Decimal
    list_cost: Decimal | None  # None when no line had a list cost
    lines: int

    @property
    def key(self) -> tuple[str, str, str, date, str | None]:
        return (self.account_id, self.service_name, self.region_id, self.day, self.currency)


class DailyRollup:
    """The merged sums of the pieces added so far."""

    def __init__(self) -> None:
        self._rows: dict[tuple[str, str, str, date, str | None], RollupRow] = {}

    def add(self, rows: Iterable[RollupRow]) -> None:
        for row in rows:
            seen = self._rows.get(row.key)
            self._rows[row.key] = row if seen is None else _sum(seen, row)

    def __iter__(self) -> Iterator[RollupRow]:
        return iter(self._rows.values())


def _sum(one: RollupRow, other: RollupRow) -> RollupRow:
    unlisted = one.list_cost is None and other.list_cost is None
    return RollupRow(
        one.account_id,
        one.service_name,
        one.region_id,
        one.day,
        one.currency,
        one.billed_cost + other.billed_cost,
        one.effective_cost + other.effective_cost,
        None if unlisted else (one.list_cost or Decimal(0)) + (other.list_cost or Decimal(0)),
        one.lines + other.lines,
    )
