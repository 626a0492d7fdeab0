"""What an alert says, decided when it is raised: its title, a headline, figures for people, data for machines."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from finops.domain.budgets import BudgetStatus, RuleState


def money(currency: str, amount: Decimal) -> str:
    return f"{currency or '(no currency)'} {amount:,.2f}"


def percent(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{value:.1f} %"


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def budget_facts(
    name: str, currency: str, status: BudgetStatus, state: RuleState, *, recovered: bool
) -> dict[str, Any]:
    rule = state.rule
    basis = "forecast" if rule.basis == "FORECAST" else "actual spend"
    period = f"{status.period_start.isoformat()} to {(status.period_end - timedelta(days=1)).isoformat()}"
    value = state.value if state.value is not None else Decimal(0)
    if recovered:
        headline = (
            f"The forecast of budget {name} is back under {money(currency, state.limit)} ({rule.describe()}): "
            f"{money(currency, value)} for {period}."
        )
    else:
        headline = (
            f"The {basis} of budget {name} reached {money(currency, value)}, past its threshold of "
            f"{money(currency, state.limit)} ({rule.describe()} of {money(currency, status.amount)}) for {period}."
        )
    return {
        "headline": headline,
        "figures": [
            ["Budget", money(currency, status.amount)],
            ["Rule", rule.describe()],
            ["Threshold", money(currency, state.limit)],
            ["Actual so far", f"{money(currency, status.actual)} ({percent(status.percent)})"],
            ["Forecast at period end", _forecast_text(currency, status)],
            ["Data through", status.data_through.isoformat() if status.data_through else "no data"],
        ],
        "data": {
            "budget": name,
            "rule_id": rule.id,
            "basis": rule.basis,
            "threshold_type": rule.threshold_type,
            "threshold": _text(rule.threshold),
            "limit": _text(state.limit),
            "value": _text(state.value),
            "amount": _text(status.amount),
            "currency": currency,
            "actual": _text(status.actual),
            "forecast": _text(status.forecast),
            "percent": _text(status.percent.quantize(Decimal("0.01"))),
            "period_start": status.period_start.isoformat(),
            "period_end": status.period_end.isoformat(),
            "data_through": status.data_through.isoformat() if status.data_through else None,
            "recovered": recovered,
        },
    }


def budget_title(name: str, state: RuleState, *, recovered: bool) -> str:
    if recovered:
        return f"Budget {name}: forecast back under {state.rule.describe()}"
    return f"Budget {name}: {state.rule.describe()} crossed"


def drift_facts(
    account: str,
    region: str,
    day: date,
    currency: str,
    category: str,
    estimated: Decimal,
    billed: Decimal,
    drift_percent: Decimal | None,
    only_in_bill: bool,
) -> dict[str, Any]:
    gap = estimated - billed
    if only_in_bill:
        headline = (
            f"Outscale account {account} ({region}) was billed {money(currency, billed)} for {category} on {day}, "
            "which no resource snapshot estimated."
        )
    else:
        headline = (
            f"Outscale account {account} ({region}): {category} was estimated at {money(currency, estimated)} on "
            f"{day} and billed {money(currency, billed)} ({percent(drift_percent)} drift)."
        )
    return {
        "headline": headline,
        "figures": [
            ["Estimated from snapshots", money(currency, estimated)],
            ["Billed (consumption)", money(currency, billed)],
            ["Gap", money(currency, gap)],
            ["Drift", percent(drift_percent)],
        ],
        "data": {
            "account_id": account,
            "region": region,
            "day": day.isoformat(),
            "resource_type": category,
            "currency": currency,
            "estimated": _text(estimated),
            "billed": _text(billed),
            "gap": _text(gap),
            "drift_percent": _text(drift_percent),
            "only_in_bill": only_in_bill,
        },
    }


def anomaly_facts(
    provider: str,
    account: str,
    service: str,
    day: date,
    currency: str,
    expected: Decimal,
    actual: Decimal,
    variance_percent: Decimal | None,
    z_score: Decimal | None,
) -> dict[str, Any]:
    impact = actual - expected
    headline = (
        f"{service or 'Unnamed service'} on {provider} account {account} cost {money(currency, actual)} on {day}, "
        f"against {money(currency, expected)} expected from the same weekday of the 4 weeks before "
        f"({money(currency, impact)}, {percent(variance_percent)})."
    )
    return {
        "headline": headline,
        "figures": [
            ["Expected", money(currency, expected)],
            ["Actual", money(currency, actual)],
            ["Impact", money(currency, impact)],
            ["Variance", percent(variance_percent)],
            ["Robust z-score", "unbounded (no spread before)" if z_score is None else f"{z_score:.1f}"],
        ],
        "data": {
            "provider": provider,
            "account_id": account,
            "service": service,
            "day": day.isoformat(),
            "currency": currency,
            "expected": _text(expected),
            "actual": _text(actual),
            "impact": _text(impact),
            "variance_percent": _text(variance_percent),
            "z_score": _text(z_score),
        },
    }


def _forecast_text(currency: str, status: BudgetStatus) -> str:
    if status.forecast is None:
        return "not yet (needs 3 days of data)"
    return f"{money(currency, status.forecast)} ({percent(status.forecast_percent)})"
