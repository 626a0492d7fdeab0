"""The calendar days a cost report covers: inclusive dates as people say them, a half-open range for SQL.

People ask for "from the 1st to the 31st" and expect the 31st in it, so both dates are included;
queries use [first, last + 1 day) so the last day can never fall out of a `< end` comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

DEFAULT_DAYS = 30
MAX_DAYS = 731  # two years, a leap day included: enough for year-over-year, small enough to answer fast
# No cloud bill predates 2000; the far end keeps `last + 1 day` and the defaults clear of date's limits.
EARLIEST = date(2000, 1, 1)
LATEST = date(9999, 12, 30)

Bound = Literal["first", "last"]


class InvalidRange(ValueError):
    def __init__(self, bound: Bound, message: str) -> None:
        super().__init__(message)
        self.bound = bound
        self.message = message


@dataclass(frozen=True)
class DayRange:
    first: date
    last: date  # included

    @property
    def end(self) -> date:
        """The first day after the range: the excluded bound of the half-open range."""
        return self.last + timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.first).days

    @property
    def start_at(self) -> datetime:
        return _midnight_utc(self.first)

    @property
    def end_at(self) -> datetime:
        return _midnight_utc(self.end)


def requested_range(first: date | None, last: date | None, today: date) -> DayRange:
    """Missing bounds: ``last`` is yesterday (today is not over yet), ``first`` the 30 days up to ``last``.

    Raises InvalidRange naming the bound to change.
    """
    _check_bound("first", first)
    _check_bound("last", last)
    last = last or today - timedelta(days=1)
    first = first or max(last - timedelta(days=DEFAULT_DAYS - 1), EARLIEST)
    days = DayRange(first, last)
    if first > last:
        raise InvalidRange("first", f"must be on or before the last day ({last.isoformat()})")
    if days.days > MAX_DAYS:
        raise InvalidRange("first", f"the range covers {days.days} days: at most {MAX_DAYS} are allowed")
    return days


def _check_bound(bound: Bound, day: date | None) -> None:
    if day is not None and not EARLIEST <= day <= LATEST:
        raise InvalidRange(bound, f"must be between {EARLIEST.isoformat()} and {LATEST.isoformat()}")


def _midnight_utc(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
