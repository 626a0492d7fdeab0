"""Monthly cost trends: month-over-month change and the current month's month-end projection.

The projection is a straight line: what the days with data cost, spread over the whole month
(`actual / days_elapsed * days_in_month`). `days_elapsed` runs from the 1st to the latest day that
has data, not to today: cost reports arrive a day or two late, and dividing by today would
under-project every month. Before 3 days of data a straight line says more about one day than
about the month, so there is no projection then.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

MIN_DAYS_FOR_PROJECTION = 3
MAX_MONTHS = 36


@dataclass(frozen=True)
class MonthPoint:
    month: date  # its first day
    cost: Decimal
    change: Decimal  # against the month before (0 when there is no data for it)
    change_percent: Decimal | None  # None when the month before cost nothing
    projection: Decimal | None  # the current month only


def days_in_month(month: date) -> int:
    return calendar.monthrange(month.year, month.month)[1]


def month_start(day: date) -> date:
    return day.replace(day=1)


def months_back(month: date, count: int) -> date:
    """The first day of the month ``count`` months before ``month``."""
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def trend_months(today: date, count: int) -> list[date]:
    """The first days of the ``count`` calendar months up to today's, oldest first."""
    current = month_start(today)
    return [months_back(current, back) for back in range(count - 1, -1, -1)]


def month_change(current: Decimal, previous: Decimal) -> tuple[Decimal, Decimal | None]:
    """(absolute, percent); a percent of a month that cost nothing means nothing, so it is None."""
    absolute = current - previous
    if previous == 0:
        return absolute, None
    return absolute, absolute / previous * 100


def month_end_projection(actual: Decimal, latest_day: date | None, today: date) -> Decimal | None:
    """Today's month projected to its end from the days up to ``latest_day`` (the latest with data)."""
    if latest_day is None or month_start(latest_day) != month_start(today):
        return None
    days_elapsed = min(latest_day, today).day
    if days_elapsed < MIN_DAYS_FOR_PROJECTION:
        return None
    # Multiplying first keeps it exact when the month is over: 100 x 29 / 29 is 100, not 99.999...
    return actual * days_in_month(today) / days_elapsed


def monthly_points(
    costs: Mapping[date, Decimal], months: Sequence[date], today: date, latest_day: date | None
) -> list[MonthPoint]:
    """One point per month of ``months``; ``costs`` (by first day) may hold the month before the first."""
    points = []
    for month in months:
        cost = costs.get(month, Decimal(0))
        change, percent = month_change(cost, costs.get(months_back(month, 1), Decimal(0)))
        projection = month_end_projection(cost, latest_day, today) if month == month_start(today) else None
        points.append(MonthPoint(month, cost, change, percent, projection))
    return points
