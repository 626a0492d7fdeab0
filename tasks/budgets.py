"""Tasks of check-budgets: read the budgets, and check one budget's periods against its rules."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import psycopg
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from finops.config import Settings
from finops.db.account_scope import owner_accounts
from finops.db.alerts import AlertDraft, Recipients, alert_raised, raise_alert
from finops.db.budget_spend import scope_accounts, scope_spend
from finops.db.budgets import Budget, list_budgets
from finops.db.connect import connect
from finops.domain.alert_facts import budget_facts, budget_title
from finops.domain.budgets import (
    BudgetStatus,
    RuleState,
    evaluate,
    fired_fingerprint,
    period_bounds,
    previous_period_start,
    recovered_fingerprint,
)
from tasks.database import database_url
from tasks.retry import TRANSIENT_RETRIES

# Reports arrive a day or two late: the period that just ended is checked for that long too.
LATE_DATA_DAYS = 3
CENT = Decimal("0.01")


@task(task_run_name="read budgets", cache_policy=NO_CACHE, **TRANSIENT_RETRIES)
def budgets_to_check(settings: Settings, budget_id: int | None = None) -> list[Budget]:
    with connect(database_url(settings)) as conn:
        return [budget for budget in list_budgets(conn) if budget_id is None or budget.id == budget_id]


@task(task_run_name="check budget {budget.name}", cache_policy=NO_CACHE, **TRANSIENT_RETRIES)
def check_budget(budget: Budget, today: date, settings: Settings) -> dict[str, Any]:
    recipients = Recipients(budget.emails, tuple(zip(budget.webhooks_sealed, budget.webhook_labels, strict=True)))
    outcome: dict[str, Any] = {"budget": budget.name, "budget_id": budget.id, "status": "checked", "periods": []}
    with connect(database_url(settings)) as conn:
        accounts = scope_accounts(budget.scope, owner_accounts(conn, budget.owner_login, budget.owner_kind))
        for period in _periods_to_check(budget, today):
            spend = scope_spend(conn, budget.scope, accounts, budget.currency, *period)
            status = evaluate(budget.amount, budget.rules, period, spend.actual, spend.data_through)
            fired, recovered = [], []
            for state in status.rules:
                if state.crossed:
                    if _raise(conn, budget, status, state, recipients, recovered=False):
                        fired.append(state.rule.describe())
                elif _recovered(conn, status, state) and _raise(
                    conn, budget, status, state, recipients if state.rule.notify_recovery else Recipients(),
                    recovered=True,
                ):  # fmt: skip
                    recovered.append(state.rule.describe())
            outcome["periods"].append(_period_outcome(status, fired, recovered))
    for period_outcome in outcome["periods"]:
        if period_outcome["fired"] or period_outcome["recovered"]:
            get_run_logger().info(
                "budget=%s period=%s fired=%s recovered=%s",
                budget.name,
                period_outcome["period_start"],
                ",".join(period_outcome["fired"]) or "-",
                ",".join(period_outcome["recovered"]) or "-",
            )
    return outcome


def _periods_to_check(budget: Budget, today: date) -> list[tuple[date, date]]:
    current = period_bounds(budget.period, today)
    periods = [current]
    if (today - current[0]).days < LATE_DATA_DAYS:
        periods.insert(0, (previous_period_start(budget.period, current[0]), current[0]))
    return periods


def _recovered(conn: psycopg.Connection, status: BudgetStatus, state: RuleState) -> bool:
    """A forecast back under its limit, for a rule that fired this period: actual spend never goes back."""
    if state.rule.basis != "FORECAST" or state.value is None:
        return False
    return alert_raised(conn, fired_fingerprint(state.rule.id, status.period_start))


def _raise(
    conn: psycopg.Connection,
    budget: Budget,
    status: BudgetStatus,
    state: RuleState,
    recipients: Recipients,
    *,
    recovered: bool,
) -> bool:
    fingerprint = (recovered_fingerprint if recovered else fired_fingerprint)(state.rule.id, status.period_start)
    draft = AlertDraft(
        fingerprint=fingerprint,
        kind="budget_recovery" if recovered else "budget",
        period_start=status.period_start,
        title=budget_title(budget.name, state, recovered=recovered),
        facts=budget_facts(budget.name, budget.currency, status, state, recovered=recovered),
        owner_id=budget.owner_id,
        budget_id=budget.id,
        rule_id=state.rule.id,
    )
    return raise_alert(conn, draft, recipients) is not None


def _period_outcome(status: BudgetStatus, fired: list[str], recovered: list[str]) -> dict[str, Any]:
    return {
        "period_start": status.period_start.isoformat(),
        "period_end": (status.period_end - timedelta(days=1)).isoformat(),
        "actual": format(status.actual, "f"),
        "forecast": None if status.forecast is None else format(status.forecast.quantize(CENT), "f"),
        "percent": format(status.percent.quantize(CENT), "f"),
        "data_through": status.data_through.isoformat() if status.data_through else None,
        "fired": fired,
        "recovered": recovered,
    }
