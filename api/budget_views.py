"""Budgets and their status as the API shows them: webhooks by label only, estimates rounded."""

from __future__ import annotations

from datetime import datetime

from api.cost_reads import rounded
from api.schemas.budgets import BudgetStatusView, BudgetView, RuleStatus, RuleView, ScopeView
from finops.db.budgets import Budget
from finops.domain.budgets import BudgetStatus, fired_fingerprint, recovered_fingerprint


def budget_view(budget: Budget) -> BudgetView:
    scope = budget.scope
    return BudgetView(
        id=budget.id,
        name=budget.name,
        amount=budget.amount,
        currency=budget.currency,
        period=budget.period,
        scope=ScopeView(
            provider=scope.provider,
            account_ids=list(scope.account_ids),
            services=list(scope.services),
            regions=list(scope.regions),
            compartments=list(scope.compartments),
            tag_key=scope.tag[0] if scope.tag else None,
            tag_value=scope.tag[1] if scope.tag else None,
        ),
        rules=[RuleView(r.id, r.basis, r.threshold_type, r.threshold, r.notify_recovery) for r in budget.rules],
        emails=list(budget.emails),
        webhooks=list(budget.webhook_labels),
        created_at=budget.created_at,
        updated_at=budget.updated_at,
    )


def status_view(budget: Budget, status: BudgetStatus, raised: dict[str, datetime]) -> BudgetStatusView:
    """``raised``: when each of the period's fired and recovered fingerprints was raised."""
    period_start = status.period_start
    return BudgetStatusView(
        budget_id=budget.id,
        period_start=status.period_start,
        period_end=status.period_end,
        amount=budget.amount,
        currency=budget.currency,
        actual=format(status.actual, "f"),
        percent=rounded(status.percent) or "0",
        forecast=rounded(status.forecast),
        forecast_percent=rounded(status.forecast_percent),
        data_through=status.data_through,
        days_elapsed=(status.data_through - status.period_start).days + 1 if status.data_through else None,
        days_in_period=(status.period_end - status.period_start).days,
        rules=[
            RuleStatus(
                id=state.rule.id,
                basis=state.rule.basis,
                threshold_type=state.rule.threshold_type,
                threshold=state.rule.threshold,
                limit=rounded(state.limit) or "0",
                value=rounded(state.value),
                crossed=state.crossed,
                fired_at=raised.get(fired_fingerprint(state.rule.id, period_start)),
                recovered_at=raised.get(recovered_fingerprint(state.rule.id, period_start)),
            )
            for state in status.rules
        ],
    )
