"""check-budgets: every budget's actual and forecast spend against its rules; each rule fires once per period."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from prefect import flow
from prefect.client.schemas.objects import State
from prefect.states import Completed, Failed

from finops.config import Settings
from finops.domain.errors import FinopsError
from tasks.alert_report import publish_alert_report
from tasks.alerts import send_pending_alerts
from tasks.budgets import budgets_to_check, check_budget
from tasks.outcomes import failed_outcome


@flow(name="check-budgets", log_prints=False)
def check_budgets(day: date | None = None, budget_id: int | None = None) -> State[dict[str, Any]]:
    """``day`` (default today, UTC) says which periods are current; ``budget_id`` checks only that budget."""
    settings = Settings()
    today = day or datetime.now(UTC).date()
    checked: list[dict[str, Any]] = []
    for budget in budgets_to_check(settings, budget_id):
        try:
            checked.append(check_budget(budget, today, settings))
        except FinopsError as error:
            checked.append(failed_outcome(error, budget=budget.name))
    sent = send_pending_alerts(settings)
    publish_alert_report("check-budgets", _rows(checked, today), sent, "Budgets checked and alerts sent by this run")
    summary = {"day": today.isoformat(), "budgets": checked, "notifications": sent}
    failed = [outcome for outcome in checked if outcome["status"] == "failed"]
    unsent = [outcome for outcome in sent if outcome["status"] == "failed"]
    if failed or unsent:
        reasons = [f"{o['budget']}: {o['problem']}" for o in failed] + [f"{o['to']}: {o['problem']}" for o in unsent]
        return Failed(message="; ".join(reasons) + " (unsent alerts stay pending for the next run)", data=summary)
    return Completed(data=summary)


def _rows(checked: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    rows = []
    for outcome in checked:
        if outcome["status"] == "failed":
            rows.append({"what": "budget", "subject": outcome["budget"], "result": outcome["problem"], "details": ""})
            continue
        for period in outcome["periods"]:
            forecast = f", forecast {period['forecast']}" if period["forecast"] is not None else ""
            rows.append(
                {
                    "what": f"budget {period['period_start']}..{period['period_end']}",
                    "subject": outcome["budget"],
                    "result": "fired " + ", ".join(period["fired"]) if period["fired"] else "no new alert",
                    "details": f"actual {period['actual']} ({period['percent']} %){forecast};"
                    f" data through {period['data_through'] or 'none'}"
                    + (f"; recovered {', '.join(period['recovered'])}" if period["recovered"] else ""),
                }
            )
    return rows
