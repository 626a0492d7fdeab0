"""A summary of a cost report computed row by row, so any file size fits in memory.

Works on the OCI cost report (`cost/myCost`), OCI FOCUS (`BilledCost`) and Cost Analysis scheduled
reports (`computedAmount`); a file without a cost column (a usage report) is summarised by rows
and period only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

TOP_SERVICES = 5

_COST = ("cost/mycost", "billedcost", "computedamount", "attributedcost", "cost")
_CURRENCY = ("cost/currencycode", "billingcurrency", "currency", "currencycode")
_SERVICE = ("product/service", "servicename", "service")
_START = ("lineitem/intervalusagestart", "chargeperiodstart", "timeusagestarted")
_END = ("lineitem/intervalusageend", "chargeperiodend", "timeusageended")


@dataclass(frozen=True)
class ServiceCost:
    service: str
    currency: str
    amount: Decimal


@dataclass(frozen=True)
class CurrencyChange:
    currency: str
    previous: Decimal
    current: Decimal

    @property
    def delta(self) -> Decimal:
        return self.current - self.previous

    @property
    def percent(self) -> Decimal | None:
        return None if self.previous == 0 else (self.delta / self.previous * 100)


@dataclass(frozen=True)
class ReportSummary:
    rows: int
    unreadable_values: int
    period_start: datetime | None
    period_end: datetime | None
    totals: dict[str, Decimal]
    top_services: list[ServiceCost]

    @property
    def is_cost_report(self) -> bool:
        return bool(self.totals)

    def change_since(self, previous_totals: dict[str, Decimal]) -> list[CurrencyChange]:
        return [
            CurrencyChange(currency, previous_totals.get(currency, Decimal(0)), total)
            for currency, total in sorted(self.totals.items())
        ]

    def totals_as_text(self) -> dict[str, str]:
        return {currency: str(total) for currency, total in self.totals.items()}


@dataclass
class ReportSummariser:
    header: Sequence[str]
    rows: int = 0
    unreadable_values: int = 0
    period_start: datetime | None = None
    period_end: datetime | None = None
    by_service: dict[tuple[str, str], Decimal] = field(default_factory=lambda: defaultdict(Decimal))

    def __post_init__(self) -> None:
        lowered = [name.strip().lower() for name in self.header]
        self._cost = _position(lowered, _COST)
        self._currency = _position(lowered, _CURRENCY)
        self._service = _position(lowered, _SERVICE)
        self._start = _position(lowered, _START)
        self._end = _position(lowered, _END)

    def add(self, row: Sequence[str]) -> None:
        self.rows += 1
        start = self._timestamp(row, self._start)
        end = self._timestamp(row, self._end)
        if start and (self.period_start is None or start < self.period_start):
            self.period_start = start
        if end and (self.period_end is None or end > self.period_end):
            self.period_end = end
        if self._cost is None:
            return
        raw = _cell(row, self._cost)
        if not raw:
            return
        try:
            amount = Decimal(raw)
        except InvalidOperation:
            amount = Decimal("NaN")
        if not amount.is_finite():
            self.unreadable_values += 1
            return
        currency = (_cell(row, self._currency) or "unknown").upper()
        service = _cell(row, self._service) or "(no service)"
        self.by_service[(service, currency)] += amount

    def summary(self) -> ReportSummary:
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for (_, currency), amount in self.by_service.items():
            totals[currency] += amount
        ranked = sorted(self.by_service.items(), key=lambda item: (-abs(item[1]), item[0]))
        return ReportSummary(
            rows=self.rows,
            unreadable_values=self.unreadable_values,
            period_start=self.period_start,
            period_end=self.period_end,
            totals=dict(sorted(totals.items())),
            top_services=[
                ServiceCost(service, currency, total) for (service, currency), total in ranked[:TOP_SERVICES]
            ],
        )

    def _timestamp(self, row: Sequence[str], position: int | None) -> datetime | None:
        raw = _cell(row, position)
        if not raw:
            return None
        try:
            parsed = datetime.fromisoformat(raw)
        except ValueError:
            self.unreadable_values += 1
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def summarise(header: Sequence[str], rows: Iterable[Sequence[str]]) -> ReportSummary:
    summariser = ReportSummariser(header)
    for row in rows:
        summariser.add(row)
    return summariser.summary()


def _position(lowered: list[str], candidates: tuple[str, ...]) -> int | None:
    for candidate in candidates:
        if candidate in lowered:
            return lowered.index(candidate)
    return None


def _cell(row: Sequence[str], position: int | None) -> str:
    if position is None or position >= len(row):
        return ""
    return row[position].strip()
