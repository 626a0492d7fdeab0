"""Tasks of detect-drift: Outscale estimate vs bill, and spend anomalies on every provider's daily costs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import psycopg
from prefect import task
from prefect.cache_policies import NO_CACHE

from finops.config import Settings
from finops.db.alerts import AlertDraft, Recipients, raise_alert
from finops.db.connect import connect
from finops.db.drift_findings import FindingDraft, record_finding
from finops.db.drift_sources import billed_entries, daily_series, outscale_account_regions, resource_points
from finops.domain.alert_facts import anomaly_facts, drift_facts
from finops.domain.anomalies import AnomalyThresholds, find_anomaly
from finops.domain.drift import DriftThresholds, compare, consumption_category, estimate
from tasks.database import database_url
from tasks.retry import TRANSIENT_RETRIES

# The 4 same-weekday days a baseline reads, and the 14 days of history it needs, before the first day checked.
HISTORY_DAYS = 35


def _days(first: date, end: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((end - first).days)]


@dataclass
class DriftTally:
    compared: int = 0
    not_estimated: int = 0  # billed days no snapshot covers from midnight
    # Data transfer, OKS, marketplace...: billed, but no resource snapshot estimates them. Told, never a drift.
    not_estimable: dict[str, Decimal] = field(default_factory=dict)
    # Resource types with consumption neither the API nor the catalog priced: a bill of 0 would invent drift.
    unpriced: set[str] = field(default_factory=set)
    findings: list[dict[str, Any]] = field(default_factory=list)


@task(task_run_name="estimate vs bill {first}..{end}", cache_policy=NO_CACHE, **TRANSIENT_RETRIES)
def detect_estimate_drift(first: date, end: date, settings: Settings, recipients: Recipients) -> dict[str, Any]:
    """Each Outscale account, region and day: snapshots times hours against the priced consumption."""
    thresholds = DriftThresholds(settings.drift_percent, settings.drift_min_gap)
    tally = DriftTally()
    with connect(database_url(settings)) as conn:
        for account, region in outscale_account_regions(conn, first, end):
            for day in _days(first, end):
                _compare_day(conn, account, region, day, thresholds, recipients, tally)
    return {
        "method": "estimate_vs_bill",
        "compared": tally.compared,
        "not_estimated": tally.not_estimated,
        "not_estimable": {key: format(total, "f") for key, total in sorted(tally.not_estimable.items())},
        "unpriced": sorted(tally.unpriced),
        "findings": tally.findings,
    }


def _compare_day(
    conn: psycopg.Connection,
    account: str,
    region: str,
    day: date,
    thresholds: DriftThresholds,
    recipients: Recipients,
    tally: DriftTally,
) -> None:
    entries = billed_entries(conn, account, region, day, day + timedelta(days=1))
    if not entries:
        return  # that day's consumption is not read yet
    start_at = datetime.combine(day, time(), UTC)
    points, currency = resource_points(conn, account, region, start_at, start_at + timedelta(days=1))
    estimated = estimate(points, start_at, start_at + timedelta(days=1))
    billed: dict[str, Decimal] = {}
    unpriced: set[str] = set()
    for entry in entries:
        currency = currency or entry.currency or None
        category = consumption_category(entry.service, entry.type, entry.operation)
        if category is None:
            key = f"{entry.currency} {entry.service}/{entry.type}"
            tally.not_estimable[key] = tally.not_estimable.get(key, Decimal(0)) + entry.price
        else:
            billed[category] = billed.get(category, Decimal(0)) + entry.price
            if entry.unpriced_lines:
                unpriced.add(category)
    if estimated is None or currency is None:
        tally.not_estimated += 1
        return
    tally.compared += 1
    # Stored the way anomalies are (impact = actual - expected, variance against the expected), so one
    # table reads both; the drift % of osc-cost (gap over the bill) stays in the details.
    tally.unpriced |= {f"{account} {region} {day.isoformat()} {category}" for category in unpriced}
    priced = {category: cost for category, cost in billed.items() if category not in unpriced}
    comparable = {category: cost for category, cost in estimated.items() if category not in unpriced}
    for drift in compare(comparable, priced, thresholds):
        facts = drift_facts(
            account, region, day, currency, drift.category, drift.estimated, drift.billed, drift.drift_percent,
            drift.only_in_bill,
        )  # fmt: skip
        finding = FindingDraft(
            fingerprint=f"drift:{account}:{region}:{drift.category}:{day.isoformat()}",
            method="estimate_vs_bill", provider="outscale", account_id=account, region_id=region,
            subject=drift.category, period_start=day, period_end=day + timedelta(days=1), currency=currency,
            expected=drift.estimated, actual=drift.billed, impact=-drift.gap,
            variance_percent=-drift.gap / drift.estimated * 100 if drift.estimated else None, score=None,
            details=facts["data"],
        )  # fmt: skip
        title = f"Outscale {account} {region}: {drift.category} drift on {day.isoformat()}"
        tally.findings.append(_record(conn, finding, "drift", title, facts, recipients))


@task(task_run_name="spend anomalies {first}..{end}", cache_policy=NO_CACHE, **TRANSIENT_RETRIES)
def detect_anomalies(first: date, end: date, settings: Settings, recipients: Recipients) -> dict[str, Any]:
    """Each provider, account and service in daily_costs, each day in [first, end), against its own weekdays."""
    thresholds = AnomalyThresholds(settings.anomaly_z_score, settings.anomaly_min_impact, settings.anomaly_min_percent)
    findings: list[dict[str, Any]] = []
    with connect(database_url(settings)) as conn:
        series = daily_series(conn, first - timedelta(days=HISTORY_DAYS), end)
        for (provider, account, service, currency), costs in sorted(series.items()):
            for day in _days(first, end):
                anomaly = find_anomaly(costs, day, thresholds)
                if anomaly is None:
                    continue
                facts = anomaly_facts(
                    provider, account, service, day, currency, anomaly.expected, anomaly.actual,
                    anomaly.variance_percent, anomaly.z_score,
                )  # fmt: skip
                facts["data"]["baseline"] = [format(value, "f") for value in anomaly.baseline]
                finding = FindingDraft(
                    fingerprint=f"anomaly:{provider}:{account}:{service}:{currency}:{day.isoformat()}",
                    method="same_weekday_median", provider=provider, account_id=account, region_id="",
                    subject=service, period_start=day, period_end=day + timedelta(days=1), currency=currency,
                    expected=anomaly.expected, actual=anomaly.actual, impact=anomaly.impact,
                    variance_percent=anomaly.variance_percent, score=anomaly.z_score, details=facts["data"],
                )  # fmt: skip
                title = f"{provider} {account}: {service or 'unnamed service'} spend anomaly on {day.isoformat()}"
                findings.append(_record(conn, finding, "anomaly", title, facts, recipients))
    return {"method": "same_weekday_median", "series": len(series), "findings": findings}


def _record(
    conn: psycopg.Connection,
    finding: FindingDraft,
    kind: str,
    title: str,
    facts: dict[str, Any],
    recipients: Recipients,
) -> dict[str, Any]:
    """The finding and its alert in one transaction: a finding is never recorded without its alert."""
    with conn.transaction():
        finding_id = record_finding(conn, finding)
        alert = AlertDraft(
            fingerprint=finding.fingerprint, kind=kind, period_start=finding.period_start, title=title, facts=facts,
            finding_id=finding_id, account_id=finding.account_id,
        )  # fmt: skip
        alert_id = raise_alert(conn, alert, recipients)
    return {"title": title, "finding_id": finding_id, "new_alert": alert_id is not None, "headline": facts["headline"]}
