"""Budgets: calendar periods, the month-end (period-end) forecast, and which rules a spend crosses.

Periods are calendar-aligned in UTC and half-open [start, end): a month, a quarter (Jan, Apr, Jul,
Oct) or a year. The forecast is OCI's: a straight line from the days with data,
``actual / days_elapsed * days_in_period``, where ``days_elapsed`` runs from the period's first day
to the latest day the scope's data reaches (reports arrive late; dividing by today would
under-forecast). Before 3 days of data a straight line says more about one day than about the
period, so there is no forecast then, and FORECAST rules wait. A period whose data is complete
is forecast at its actual.

A rule is crossed when its value (actual or forecast) reaches its limit (a percentage of the
amount, or an absolute amount). Each rule fires once per period: the alert fingerprint is the rule
and the period start. A forecast that falls back under the limit after firing is a recovery, told
once per period too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

Period = Literal["monthly", "quarterly", "yearly"]
Basis = Literal["ACTUAL", "FORECAST"]
ThresholdType = Literal["PERCENT", "ABSOLUTE"]
MIN_DAYS_FOR_FORECAST = 3
_MONTHS_PER_PERIOD = {"monthly": 1, "quarterly": 3, "yearly": 12}


@dataclass(frozen=True)
class BudgetRule:
    id: int
    basis: Basis
    threshold_type: ThresholdType
    threshold: Decimal
    notify_recovery: bool = False

    def limit(self, amount: Decimal) -> Decimal:
        return amount * self.threshold / 100 if self.threshold_type == "PERCENT" else self.threshold

    def describe(self) -> str:
        what = f"{self.threshold.normalize():f} %" if self.threshold_type == "PERCENT" else f"{self.threshold:f}"
        return f"{self.basis.lower()} {what}"


@dataclass(frozen=True)
class RuleState:
    rule: BudgetRule
    limit: Decimal
    value: Decimal | None  # the actual or the forecast; None while there is no forecast yet
    crossed: bool


@dataclass(frozen=True)
class BudgetStatus:
    period_start: date
    period_end: date  # excluded
    amount: Decimal
    actual: Decimal
    forecast: Decimal | None
    data_through: date | None  # the latest day with data in the period
    rules: tuple[RuleState, ...]

    @property
    def percent(self) -> Decimal:
        return self.actual / self.amount * 100

    @property
    def forecast_percent(self) -> Decimal | None:
        return None if self.forecast is None else self.forecast / self.amount * 100

    @property
    def crossed(self) -> tuple[RuleState, ...]:
        return tuple(state for state in self.rules if state.crossed)


def period_bounds(period: Period, day: date) -> tuple[date, date]:
    """The period holding ``day``: [first day, first day of the next)."""
    months = _MONTHS_PER_PERIOD[period]
    first_month = (day.month - 1) // months * months + 1
    start = date(day.year, first_month, 1)
    return start, _add_months(start, months)


def previous_period_start(period: Period, start: date) -> date:
    return _add_months(start, -_MONTHS_PER_PERIOD[period])


def forecast(actual: Decimal, start: date, end: date, data_through: date | None) -> Decimal | None:
    """The spend at the period's end if it goes on as it went from ``start`` to ``data_through``."""
    if data_through is None:
        return None
    if data_through >= end - timedelta(days=1):
        return actual
    days_elapsed = (data_through - start).days + 1
    if days_elapsed < MIN_DAYS_FOR_FORECAST:
        return None
    return actual / days_elapsed * (end - start).days


def evaluate(
    amount: Decimal,
    rules: Sequence[BudgetRule],
    period: tuple[date, date],
    actual: Decimal,
    data_through: date | None,
) -> BudgetStatus:
    start, end = period
    projected = forecast(actual, start, end, data_through)
    states = []
    for rule in rules:
        limit = rule.limit(amount)
        value = actual if rule.basis == "ACTUAL" else projected
        states.append(RuleState(rule, limit, value, value is not None and value >= limit))
    return BudgetStatus(start, end, amount, actual, projected, data_through, tuple(states))


def fired_fingerprint(rule_id: int, period_start: date) -> str:
    return f"budget-rule:{rule_id}:{period_start.isoformat()}"


def recovered_fingerprint(rule_id: int, period_start: date) -> str:
    return f"budget-rule:{rule_id}:{period_start.isoformat()}:recovered"


def _add_months(month_start: date, count: int) -> date:
    index = month_start.year * 12 + month_start.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)
