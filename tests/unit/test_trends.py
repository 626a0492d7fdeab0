"""Month-over-month change and the month-end projection, on months of every length and leap years."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import pairwise

import pytest

from finops.domain.trends import (
    days_in_month,
    month_change,
    month_end_projection,
    monthly_points,
    months_back,
    trend_months,
)


@pytest.mark.parametrize(
    ("month", "days"),
    [
        (date(2026, 2, 1), 28),
        (date(2024, 2, 1), 29),  # divisible by 4
        (date(2100, 2, 1), 28),  # by 100 but not 400: not a leap year
        (date(2000, 2, 1), 29),  # by 400
        (date(2026, 4, 1), 30),
        (date(2026, 12, 1), 31),
    ],
    ids=["feb-2026", "feb-2024-leap", "feb-2100-not-leap", "feb-2000-leap", "april", "december"],
)
def test_days_in_month(month: date, days: int) -> None:
    assert days_in_month(month) == days


@pytest.mark.parametrize(
    ("actual", "latest_day", "today", "projection"),
    [
        ("280", date(2026, 2, 10), date(2026, 2, 11), "784"),  # 280 / 10 x 28
        ("290", date(2024, 2, 10), date(2024, 2, 11), "841"),  # 290 / 10 x 29
        ("100", date(2024, 2, 29), date(2024, 2, 29), "100"),  # the last day of a leap February: the actual
        ("300", date(2026, 4, 15), date(2026, 4, 16), "600"),  # 300 / 15 x 30
        ("31", date(2026, 1, 3), date(2026, 1, 5), "320.3333333333333333333333333"),  # 31 / 3 x 31
        ("10", date(2026, 1, 2), date(2026, 1, 5), None),  # 2 days of data are too few
        ("10", date(2026, 1, 1), date(2026, 1, 1), None),
        ("10", None, date(2026, 1, 20), None),  # no data this month
        ("10", date(2025, 12, 31), date(2026, 1, 20), None),  # the latest data is from last month
        ("50", date(2026, 3, 20), date(2026, 3, 5), "310"),  # data dated after today: counted to today, 50 / 5 x 31
    ],
    ids=["28-days", "29-days-leap", "leap-day", "30-days", "31-days-3-days-in", "2-days", "1-day", "no-data",
         "stale", "after-today"],
)  # fmt: skip
def test_month_end_projection(actual: str, latest_day: date | None, today: date, projection: str | None) -> None:
    expected = None if projection is None else Decimal(projection)
    assert month_end_projection(Decimal(actual), latest_day, today) == expected


@pytest.mark.parametrize(
    ("current", "previous", "change", "percent"),
    [
        ("150", "100", "50", "50"),
        ("80", "100", "-20", "-20"),
        ("100", "0", "100", None),  # a rise from nothing has no percent
        ("0", "0", "0", None),
        ("0", "40", "-40", "-100"),
        ("10.50", "7", "3.50", "50"),
    ],
    ids=["up", "down", "from-zero", "zero-to-zero", "to-zero", "decimals"],
)
def test_month_change(current: str, previous: str, change: str, percent: str | None) -> None:
    absolute, relative = month_change(Decimal(current), Decimal(previous))
    assert absolute == Decimal(change)
    assert relative == (None if percent is None else Decimal(percent))


@pytest.mark.parametrize(
    ("today", "count", "first", "last"),
    [
        (date(2026, 3, 10), 3, date(2026, 1, 1), date(2026, 3, 1)),
        (date(2026, 2, 28), 3, date(2025, 12, 1), date(2026, 2, 1)),  # across the new year
        (date(2026, 1, 1), 1, date(2026, 1, 1), date(2026, 1, 1)),
        (date(2026, 12, 31), 36, date(2024, 1, 1), date(2026, 12, 1)),
    ],
    ids=["same-year", "new-year", "one-month", "36-months"],
)
def test_trend_months_end_with_the_current_month(today: date, count: int, first: date, last: date) -> None:
    months = trend_months(today, count)
    assert (len(months), months[0], months[-1]) == (count, first, last)
    assert all(months_back(later, 1) == earlier for earlier, later in pairwise(months))


def test_monthly_points_use_the_month_before_the_first_and_project_only_the_current_month() -> None:
    costs = {date(2025, 12, 1): Decimal(50), date(2026, 1, 1): Decimal(100), date(2026, 2, 1): Decimal(70)}
    points = monthly_points(costs, [date(2026, 1, 1), date(2026, 2, 1)], date(2026, 2, 11), date(2026, 2, 10))
    assert [(p.cost, p.change, p.change_percent, p.projection) for p in points] == [
        (Decimal(100), Decimal(50), Decimal(100), None),
        (Decimal(70), Decimal(-30), Decimal(-30), Decimal(196)),  # 70 / 10 x 28
    ]


def test_a_month_without_data_costs_zero() -> None:
    points = monthly_points({}, [date(2026, 1, 1)], date(2026, 1, 20), None)
    assert [(p.cost, p.change, p.change_percent, p.projection) for p in points] == [(0, 0, None, None)]
