"""The days a cost report covers: both dates included, defaults, and the limits of a range."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from finops.domain.date_ranges import InvalidRange, requested_range

TODAY = date(2026, 3, 15)


def test_both_dates_are_included_and_the_end_is_the_day_after() -> None:
    days = requested_range(date(2026, 2, 1), date(2026, 2, 28), TODAY)
    assert (days.first, days.last, days.end, days.days) == (date(2026, 2, 1), date(2026, 2, 28), date(2026, 3, 1), 28)
    assert (days.start_at, days.end_at) == (datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC))


def test_a_single_day_is_a_range_of_one_day() -> None:
    assert requested_range(date(2026, 3, 1), date(2026, 3, 1), TODAY).days == 1


@pytest.mark.parametrize(
    ("first", "last", "expected_first", "expected_last"),
    [
        (None, None, date(2026, 2, 13), date(2026, 3, 14)),  # the 30 days up to yesterday
        (None, date(2026, 1, 31), date(2026, 1, 2), date(2026, 1, 31)),
        (date(2026, 3, 1), None, date(2026, 3, 1), date(2026, 3, 14)),
        (None, date(2000, 1, 10), date(2000, 1, 1), date(2000, 1, 10)),  # never before the earliest day
    ],
    ids=["neither", "only-last", "only-first", "near-the-earliest"],
)
def test_defaults(first: date | None, last: date | None, expected_first: date, expected_last: date) -> None:
    days = requested_range(first, last, TODAY)
    assert (days.first, days.last) == (expected_first, expected_last)


@pytest.mark.parametrize(
    ("first", "last", "bound", "words"),
    [
        (date(2026, 3, 2), date(2026, 3, 1), "first", "on or before"),
        (date(2026, 3, 15), None, "first", "on or before"),  # after the default last day, yesterday
        (date(2024, 1, 1), date(2026, 1, 1), "first", "732 days"),
        (date(1999, 12, 31), date(2000, 1, 5), "first", "between"),
        (None, date(1, 1, 1), "last", "between"),
        (None, date(9999, 12, 31), "last", "between"),
    ],
    ids=["reversed", "first-after-yesterday", "732-days", "too-early", "year-one", "last-possible-date"],
)
def test_invalid_ranges_name_the_bound_to_change(first: date | None, last: date | None, bound: str, words: str) -> None:
    with pytest.raises(InvalidRange) as raised:
        requested_range(first, last, TODAY)
    assert raised.value.bound == bound
    assert words in raised.value.message


@pytest.mark.parametrize(
    ("first", "last"),
    [(date(2024, 4, 1), date(2026, 3, 31)), (date(2025, 1, 1), date(2026, 12, 31))],
    ids=["two-years-with-a-leap-day", "two-years-without"],
)
def test_up_to_731_days_are_allowed(first: date, last: date) -> None:
    assert requested_range(first, last, TODAY).days <= 731
