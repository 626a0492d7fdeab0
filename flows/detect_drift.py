"""detect-drift: Outscale estimate vs bill, and spend anomalies on every provider; each finding told once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from prefect import flow
from prefect.client.schemas.objects import State
from prefect.states import Completed, Failed

from finops.config import Settings
from finops.domain.errors import FinopsError
from tasks.alert_recipients import operator_recipients
from tasks.alert_report import publish_alert_report
from tasks.alerts import send_pending_alerts
from tasks.drift import detect_anomalies, detect_estimate_drift
from tasks.outcomes import failed_outcome


@flow(name="detect-drift", log_prints=False)
def detect_drift(from_date: date | None = None, to_date: date | None = None) -> State[dict[str, Any]]:
    """The days [from_date, to_date); by default the FINOPS_DRIFT_DAYS days before today (UTC), for late data."""
    settings = Settings()
    end = to_date or datetime.now(UTC).date()
    first = from_date or end - timedelta(days=settings.drift_days)
    if first >= end:
        return Failed(message=f"from_date {first} must come before to_date {end}")
    recipients = operator_recipients(settings)
    detections: list[dict[str, Any]] = []
    for detect in (detect_estimate_drift, detect_anomalies):
        try:
            detections.append(detect(first, end, settings, recipients))
        except FinopsError as error:
            detections.append(failed_outcome(error, method=detect.name))
    sent = send_pending_alerts(settings)
    publish_alert_report("detect-drift", _rows(detections), sent, "Drift and anomalies found, and alerts sent")
    summary = {
        "from_date": first.isoformat(),
        "to_date": end.isoformat(),
        "detections": detections,
        "notifications": sent,
    }
    problems = [f"{d['method']}: {d['problem']}" for d in detections if d.get("status") == "failed"]
    problems += [f"{o['to']}: {o['problem']}" for o in sent if o["status"] == "failed"]
    if problems:
        return Failed(message="; ".join(problems) + " (unsent alerts stay pending for the next run)", data=summary)
    return Completed(data=summary)


def _rows(detections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for detection in detections:
        if detection.get("status") == "failed":
            rows.append({"what": detection["method"], "subject": "", "result": detection["problem"], "details": ""})
            continue
        for finding in detection["findings"]:
            rows.append(
                {
                    "what": detection["method"],
                    "subject": finding["title"],
                    "result": "new alert" if finding["new_alert"] else "already told",
                    "details": finding["headline"],
                }
            )
        if not detection["findings"]:
            rows.append({"what": detection["method"], "subject": "", "result": "no finding", "details": ""})
    return rows
