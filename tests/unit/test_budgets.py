"""Budget periods, the straight-line forecast and the rules it crosses, on many calendars."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from finops.domain.budgets import (
    BudgetRule,
    evaluate,
    fired_fingerprint,
    forecast,
    period_bounds,
    previous_period_start,
    recovered_fingerprint,
)

D = Decimal


@pytest.mark.parametrize(
    ("period", "day", "expected"),
    [
        pytest.param("monthly", date(2026, 2, 14), (date(2026, 2, 1), date(2026, 3, 1)), id="february-28"),
        pytest.param("monthly", date(2028, 2, 29), (date(2028, 2, 1), date(2028, 3, 1)), id="leap-february"),
        pytest.param("monthly", date(2026, 12, 31), (date(2026, 12, 1), date(2027, 1, 1)), id="december-rolls-year"),
        pytest.param("monthly", date(2026, 4, 1), (date(2026, 4, 1), date(2026, 5, 1)), id="first-day"),
        pytest.param("quarterly", date(2026, 1, 1), (date(2026, 1, 1), date(2026, 4, 1)), id="q1-first-day"),
        pytest.param("quarterly", date(2026, 6, 30), (date(2026, 4, 1), date(2026, 7, 1)), id="q2-last-day"),
        pytest.param("quarterly", date(2026, 8, 15), (date(2026, 7, 1), date(2026, 10, 1)), id="q3"),
        pytest.param("quarterly", date(2026, 11, 30), (date(2026, 10, 1), date(2027, 1, 1)), id="q4-rolls-year"),
        pytest.param("yearly", date(2028, 7, 4), (date(2028, 1, 1), date(2029, 1, 1)), id="leap-year"),
    ],
)
def test_periods_are_calendar_aligned_and_half_open(period: str, day: date, expected: tuple[date, date]) -> None:
    assert period_bounds(period, day) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("period", "start", "previous"),
    [
        ("monthly", date(2026, 1, 1), date(2025, 12, 1)),
        ("monthly", date(2026, 3, 1), date(2026, 2, 1)),
        ("quarterly", date(2026, 1, 1), date(2025, 10, 1)),
        ("yearly", date(2026, 1, 1), date(2025, 1, 1)),
    ],
)
def test_the_previous_period_starts_one_period_earlier(period: str, start: date, previous: date) -> None:
    assert previous_period_start(period, start) == previous  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("actual", "period", "data_through", "expected"),
    [
        # 300 over 10 days of a 30-day month: 30/day x 30 = 900.
        pytest.param(D(300), (date(2026, 11, 1), date(2026, 12, 1)), date(2026, 11, 10), D(900), id="30-day-month"),
        # 310 over 10 days of a 31-day month: 31/day x 31 = 961.
        pytest.param(D(310), (date(2026, 12, 1), date(2027, 1, 1)), date(2026, 12, 10), D(961), id="31-day-month"),
        # 70 over 7 days of a 28-day February: 10/day x 28 = 280.
        pytest.param(D(70), (date(2026, 2, 1), date(2026, 3, 1)), date(2026, 2, 7), D(280), id="28-day-february"),
        # 70 over 7 days of a 29-day February: 10/day x 29 = 290.
        pytest.param(D(70), (date(2028, 2, 1), date(2028, 3, 1)), date(2028, 2, 7), D(290), id="leap-february"),
        # A quarter of 90 days (Jan-Mar 2026), 30 days elapsed at 2/day: 180.
        pytest.param(D(60), (date(2026, 1, 1), date(2026, 4, 1)), date(2026, 1, 30), D(180), id="q1-90-days"),
        # Q1 of a leap year has 91 days: 2/day x 91 = 182.
        pytest.param(D(60), (date(2028, 1, 1), date(2028, 4, 1)), date(2028, 1, 30), D(182), id="leap-q1-91-days"),
        # A leap year of 366 days; Jan 1 to Mar 1 is 31 + 29 + 1 = 61 days, at 1/day.
        pytest.param(D(61), (date(2028, 1, 1), date(2029, 1, 1)), date(2028, 3, 1), D(366), id="leap-year"),
        # Exactly 3 days of data is enough: 3/day x 30 = 90.
        pytest.param(D(9), (date(2026, 11, 1), date(2026, 12, 1)), date(2026, 11, 3), D(90), id="three-days"),
    ],
)
def test_the_forecast_is_a_straight_line_over_the_period(
    actual: Decimal, period: tuple[date, date], data_through: date, expected: Decimal
) -> None:
    assert forecast(actual, *period, data_through) == expected


def test_no_forecast_before_three_days_of_data_nor_without_data() -> None:
    november = (date(2026, 11, 1), date(2026, 12, 1))
    assert forecast(D(50), *november, date(2026, 11, 2)) is None
    assert forecast(D(0), *november, None) is None


def test_a_period_whose_data_is_complete_is_forecast_at_its_actual() -> None:
    assert forecast(D(123.45), date(2026, 10, 1), date(2026, 11, 1), date(2026, 10, 31)) == D(123.45)


RULES = (
    BudgetRule(1, "ACTUAL", "PERCENT", D(50)),
    BudgetRule(2, "ACTUAL", "PERCENT", D(80)),
    BudgetRule(3, "ACTUAL", "PERCENT", D(100)),
    BudgetRule(4, "FORECAST", "PERCENT", D(100)),
    BudgetRule(5, "ACTUAL", "ABSOLUTE", D(700)),
)


def test_rules_cross_at_their_limits_of_actual_and_forecast() -> None:
    # 1,000 a month; 600 spent in the 15 days to Nov 15: forecast 40/day x 30 = 1,200.
    status = evaluate(D(1000), RULES, (date(2026, 11, 1), date(2026, 12, 1)), D(600), date(2026, 11, 15))
    assert [(s.rule.id, s.limit, s.value, s.crossed) for s in status.rules] == [
        (1, D(500), D(600), True),
        (2, D(800), D(600), False),
        (3, D(1000), D(600), False),
        (4, D(1000), D(1200), True),
        (5, D(700), D(600), False),
    ]
    assert status.percent == D(60) and status.forecast_percent == D(120)
    assert [s.rule.id for s in status.crossed] == [1, 4]


def test_reaching_the_limit_exactly_crosses_it() -> None:
    status = evaluate(D(1000), RULES[:3], (date(2026, 11, 1), date(2026, 12, 1)), D(800), date(2026, 11, 20))
    assert [s.crossed for s in status.rules] == [True, True, False]


def test_a_forecast_rule_waits_for_three_days_of_data() -> None:
    status = evaluate(D(100), RULES[3:4], (date(2026, 11, 1), date(2026, 12, 1)), D(99), date(2026, 11, 2))
    assert status.forecast is None
    assert status.rules[0].value is None and not status.rules[0].crossed


def test_each_rule_fires_once_per_period_and_recovers_once() -> None:
    assert fired_fingerprint(4, date(2026, 11, 1)) == "budget-rule:4:2026-11-01"
    assert fired_fingerprint(4, date(2026, 11, 1)) != fired_fingerprint(4, date(2026, 12, 1))
    assert recovered_fingerprint(4, date(2026, 11, 1)) != fired_fingerprint(4, date(2026, 11, 1))


def test_rules_describe_themselves() -> None:
    assert BudgetRule(1, "FORECAST", "PERCENT", D("100.0")).describe() == "forecast 100 %"
    assert BudgetRule(1, "ACTUAL", "ABSOLUTE", D("750.50")).describe() == "actual 750.50"
