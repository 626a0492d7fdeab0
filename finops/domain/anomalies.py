"""Spend anomalies on one daily cost series: a day that cost clearly more than its usual.

"Usual" is the same weekday over the four weeks before: cloud spend follows the working week
(batch jobs on Mondays, idle weekends), so comparing a Monday with the Sunday before it would flag
every Monday. The expected cost is the median of those days and the spread their median absolute
deviation (MAD), not the mean and standard deviation: one past spike in the baseline would
otherwise raise both and hide the next one. 1.4826 x MAD estimates the standard deviation of
normally distributed data, so the robust z reads on the usual scale (3 = very unusual).

A z-score alone flags noise on tiny or very steady series (a few cents more than a perfectly flat
baseline is an infinite z), so a finding must also clear an absolute and a percent floor. Only
increases are reported: a drop saves money, and a stopped workload is not a spend anomaly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

MAD_TO_SIGMA = Decimal("1.4826")
BASELINE_WEEKS = 4


@dataclass(frozen=True)
class AnomalyThresholds:
    z_score: Decimal = Decimal(3)
    min_impact: Decimal = Decimal(10)  # absolute, in the series' currency
    min_percent: Decimal = Decimal(20)  # variance percent
    min_history_days: int = 14


@dataclass(frozen=True)
class Anomaly:
    day: date
    expected: Decimal  # median of the baseline
    actual: Decimal
    impact: Decimal  # actual - expected
    variance_percent: Decimal | None  # None when expected is 0
    z_score: Decimal | None  # None when the MAD is 0: a deviation from no spread is unbounded
    baseline: tuple[Decimal, ...]  # the same-weekday values used, oldest first


def median(values: Sequence[Decimal]) -> Decimal:
    if not values:
        raise ValueError("the median of no values")
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def robust_z(actual: Decimal, baseline: Sequence[Decimal]) -> Decimal | None:
    centre = median(baseline)
    mad = median([abs(value - centre) for value in baseline])
    if mad == 0:
        return None
    return (actual - centre) / (MAD_TO_SIGMA * mad)


def find_anomaly(
    series: Mapping[date, Decimal], day: date, thresholds: AnomalyThresholds = AnomalyThresholds()
) -> Anomaly | None:
    """``series``: one (provider, account, service, currency) cost per day; a day it lacks cost 0."""
    if not series:
        return None
    first_day = min(series)
    if (day - first_day).days < thresholds.min_history_days:
        return None
    # Days before the series began are unknown, not free: counting them as 0 would make the
    # first weeks of every new service look like a spike.
    baseline_days = [day - timedelta(weeks=weeks) for weeks in range(BASELINE_WEEKS, 0, -1)]
    baseline = tuple(series.get(past, Decimal(0)) for past in baseline_days if past >= first_day)
    if not baseline:
        return None
    actual = series.get(day, Decimal(0))
    expected = median(baseline)
    impact = actual - expected
    if impact <= 0:
        return None
    variance_percent = impact / expected * 100 if expected != 0 else None
    z_score = robust_z(actual, baseline)
    if z_score is not None and z_score < thresholds.z_score:
        return None
    if impact < thresholds.min_impact:
        return None
    if variance_percent is not None and variance_percent < thresholds.min_percent:
        return None
    return Anomaly(day, expected, actual, impact, variance_percent, z_score, baseline)
