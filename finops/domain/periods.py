"""Day ranges for backfills: from a day included to a day excluded, as the Outscale API counts them."""

from __future__ import annotations

from datetime import date, timedelta

from finops.domain.errors import UsageError

# ReadConsumptionAccount and ReadCatalogs reach at most about three years back.
MAX_DAYS = 3 * 366


def day_range(from_date: date | None, to_date: date | None, today: date) -> list[date]:
    """Yesterday when neither bound is given; ``to_date`` defaults to today (the last full day is yesterday)."""
    if from_date is None and to_date is None:
        return [today - timedelta(days=1)]
    end = to_date or today
    start = from_date or end - timedelta(days=1)
    if end <= start:
        raise UsageError(f"to_date {end} must come after from_date {start} (to_date is excluded)")
    if end > today + timedelta(days=1):
        raise UsageError(f"to_date {end} is in the future")
    if start < today - timedelta(days=MAX_DAYS):
        raise UsageError(f"from_date {start} is further back than the {MAX_DAYS} days the API reaches")
    return [start + timedelta(days=offset) for offset in range((end - start).days)]


def next_month(month: date) -> date:
    """The first day of the month after ``month`` (itself a first day)."""
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)
