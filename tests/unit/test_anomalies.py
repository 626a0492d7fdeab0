"""Spend anomalies: same-weekday baseline, median and MAD, and the three thresholds, computed by hand.

Spreads used below: a baseline whose MAD is 5 has 1.4826 x 5 = 7.413 as its z denominator.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

import pytest

from finops.domain.anomalies import AnomalyThresholds, find_anomaly, median, robust_z

D = Decimal

DAY = date(2026, 3, 30)  # a Monday
FOUR_DIGITS = D("0.0001")


def daily(history_days: int, level: str, same_weekday: Sequence[str], actual: str | None) -> dict[date, Decimal]:
    """``history_days`` days at ``level`` before DAY, the same weekdays among them set oldest first."""
    first = DAY - timedelta(days=history_days)
    series = {first + timedelta(days=offset): D(level) for offset in range(history_days)}
    weekdays = [DAY - timedelta(weeks=weeks) for weeks in (4, 3, 2, 1) if DAY - timedelta(weeks=weeks) >= first]
    assert len(weekdays) == len(same_weekday)
    series.update({weekday: D(value) for weekday, value in zip(weekdays, same_weekday, strict=True)})
    if actual is not None:
        series[DAY] = D(actual)
    return series


def rounded(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(FOUR_DIGITS)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["3", "1", "2"], "2"),
        (["4", "1", "3", "2"], "2.5"),  # (2 + 3) / 2
        (["7"], "7"),
        (["0.10", "0.30"], "0.20"),
        (["5", "5", "100"], "5"),  # one outlier does not move it
    ],
    ids=["odd", "even", "single", "decimals", "outlier"],
)
def test_median(values: list[str], expected: str) -> None:
    assert median([D(value) for value in values]) == D(expected)


def test_median_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError, match="no values"):
        median([])


@pytest.mark.parametrize(
    ("actual", "baseline", "z"),
    [
        # median 100; |x - 100| = 10, 10, 0, 0 so MAD 5; (150 - 100) / 7.413 = 6.7449
        ("150", ["90", "110", "100", "100"], "6.7449"),
        ("80", ["90", "110", "100", "100"], "-2.6980"),  # -20 / 7.413
        ("150", ["100", "100", "100", "100"], None),  # no spread
        # median 100; |x - 100| = 0, 0, 0, 30 so MAD 0: one past spike is not spread
        ("150", ["100", "100", "100", "130"], None),
        # median 50; |x - 50| = 50 each so MAD 50; 250 / 74.13 = 3.3725
        ("300", ["0", "0", "100", "100"], "3.3725"),
    ],
    ids=["above", "below", "mad-zero", "one-outlier-is-no-spread", "bimodal"],
)
def test_robust_z(actual: str, baseline: list[str], z: str | None) -> None:
    assert rounded(robust_z(D(actual), [D(value) for value in baseline])) == (None if z is None else D(z))


# found: (expected, impact, variance percent, z to 4 digits) or None
Found = tuple[str, str, str | None, str | None] | None


@pytest.mark.parametrize(
    ("history_days", "level", "same_weekday", "actual", "found"),
    [
        # median 100, MAD 5; impact 50 = 50 %; z 50 / 7.413
        (28, "100", ["90", "110", "100", "100"], "150", ("100", "50", "50", "6.7449")),
        (28, "100", ["90", "110", "100", "100"], "120", None),  # z 20 / 7.413 = 2.6980 < 3
        (28, "100", ["90", "110", "100", "100"], "123", ("100", "23", "23", "3.1027")),  # 23 / 7.413
        # median 10, MAD 0.5 (denominator 0.7413); impact 9 < 10 though z is 12.14 and 90 %
        (28, "10", ["9", "11", "10", "10"], "19", None),
        (28, "10", ["9", "11", "10", "10"], "20", ("10", "10", "100", "13.4898")),  # 10 / 0.7413
        # median 1000, MAD 5; impact 150 is 15 % < 20 though z is 150 / 7.413 = 20.23
        (28, "1000", ["990", "1010", "1000", "1000"], "1150", None),
        (28, "1000", ["990", "1010", "1000", "1000"], "1200", ("1000", "200", "20", "26.9796")),  # 200 / 7.413
        (28, "100", ["90", "110", "100", "100"], "10", None),  # a drop of 90
        (28, "100", ["100", "100", "100", "100"], None, None),  # the day itself missing: it cost 0
        # MAD 0: z is unbounded, so the floors decide: 50 >= 10 and 50 % >= 20 %
        (28, "100", ["100", "100", "100", "100"], "150", ("100", "50", "50", None)),
        (28, "100", ["100", "100", "100", "100"], "105", None),  # MAD 0 but 5 < 10
        (28, "0", ["0", "0", "0", "0"], "50", ("0", "50", None, None)),  # from nothing: no percent
        # 14 days: DAY-14 and DAY-7 only; median 100, MAD 20 (denominator 29.652); 150 / 29.652
        (14, "100", ["80", "120"], "250", ("100", "150", "150", "5.0587")),
        # 21 days: median 100; |x - 100| = 10, 0, 30 so MAD 10; 100 / 14.826
        (21, "100", ["90", "100", "130"], "200", ("100", "100", "100", "6.7449")),
        (13, "100", ["100"], "1000", None),  # 13 days of history are too few
    ],
    ids=["spike-exact-z", "under-z", "just-over-z", "under-absolute-floor", "at-absolute-floor",
         "under-percent-floor", "at-percent-floor", "drop", "day-missing", "mad-zero-found",
         "mad-zero-under-floor", "from-nothing", "14-days-2-values", "21-days-3-values", "13-days"],
)  # fmt: skip
def test_find_anomaly(history_days: int, level: str, same_weekday: list[str], actual: str | None, found: Found) -> None:
    anomaly = find_anomaly(daily(history_days, level, same_weekday, actual), DAY)
    if found is None:
        assert anomaly is None
        return
    assert anomaly is not None
    expected, impact, percent, z = found
    assert anomaly.day == DAY
    assert anomaly.actual == D(actual or "0")
    assert anomaly.expected == D(expected)
    assert anomaly.impact == D(impact)
    assert anomaly.variance_percent == (None if percent is None else D(percent))
    assert rounded(anomaly.z_score) == (None if z is None else D(z))
    assert anomaly.baseline == tuple(D(value) for value in same_weekday)  # oldest first


@pytest.mark.parametrize(
    ("series", "baseline", "expected", "z"),
    [
        # begins at DAY-30: DAY-28 and DAY-21 are missing, so they cost 0; median 50, MAD 50, z 250 / 74.13
        ({DAY - timedelta(days=30): D(5), DAY - timedelta(days=14): D(100), DAY - timedelta(days=7): D(100),
          DAY: D(300)}, ("0", "0", "100", "100"), "50", "3.3725"),
        # begins at DAY-14: the weeks before it are not history at all; median 100, MAD 0
        ({DAY - timedelta(days=14): D(100), DAY - timedelta(days=7): D(100), DAY: D(300)},
         ("100", "100"), "100", None),
    ],
    ids=["gaps-cost-zero", "before-the-first-day-is-not-zero"],
)  # fmt: skip
def test_missing_days(series: dict[date, Decimal], baseline: tuple[str, ...], expected: str, z: str | None) -> None:
    anomaly = find_anomaly(series, DAY)
    assert anomaly is not None
    assert anomaly.baseline == tuple(D(value) for value in baseline)
    assert anomaly.expected == D(expected)
    assert anomaly.impact == D(300) - D(expected)
    assert rounded(anomaly.z_score) == (None if z is None else D(z))


def weekly_batch(first: date, last: date) -> dict[date, Decimal]:
    """A batch job every Monday (500), working days at 100, weekends at 20."""
    days = (first + timedelta(days=offset) for offset in range((last - first).days + 1))
    return {day: D(500) if day.weekday() == 0 else D(20) if day.weekday() >= 5 else D(100) for day in days}


TUESDAY = DAY + timedelta(days=1)
SATURDAY = DAY + timedelta(days=5)


@pytest.mark.parametrize(
    ("day", "actual", "found"),
    [
        (DAY, "500", None),  # 25 x the Sunday before it, 5 x the usual day, and like every Monday
        (SATURDAY, "20", None),  # a fifth of the Friday before it, and like every Saturday
        (TUESDAY, "500", ("100", "400", "400")),  # the Monday batch run again on a Tuesday: 400 / 100
        (SATURDAY, "100", ("20", "80", "400")),  # a working day's cost on a Saturday: 80 / 20
    ],
    ids=["batch-monday", "quiet-saturday", "batch-on-tuesday", "busy-saturday"],
)
def test_weekly_pattern_is_not_an_anomaly(day: date, actual: str, found: tuple[str, str, str] | None) -> None:
    series = weekly_batch(DAY - timedelta(days=28), SATURDAY)
    series[day] = D(actual)
    anomaly = find_anomaly(series, day)
    if found is None:
        assert anomaly is None
        return
    assert anomaly is not None
    expected, impact, percent = found
    # every same weekday cost the same, so the MAD is 0 and there is no z
    assert (anomaly.expected, anomaly.impact, anomaly.variance_percent, anomaly.z_score) == (
        D(expected),
        D(impact),
        D(percent),
        None,
    )
    assert anomaly.baseline == (D(expected),) * 4


@pytest.mark.parametrize(
    ("thresholds", "actual", "found"),
    [
        (AnomalyThresholds(z_score=D(2)), "120", True),  # z 2.6980 >= 2, 20 >= 10, 20 % >= 20 %
        (AnomalyThresholds(min_impact=D(60)), "150", False),  # 50 < 60
        (AnomalyThresholds(min_percent=D(60)), "150", False),  # 50 % < 60 %
        (AnomalyThresholds(min_history_days=29), "150", False),  # 28 days of history
    ],
    ids=["lower-z", "higher-impact", "higher-percent", "longer-history"],
)
def test_thresholds_are_parameters(thresholds: AnomalyThresholds, actual: str, found: bool) -> None:
    series = daily(28, "100", ["90", "110", "100", "100"], actual)
    assert (find_anomaly(series, DAY, thresholds) is not None) is found


def test_an_empty_series_has_no_anomaly() -> None:
    assert find_anomaly({}, DAY) is None
