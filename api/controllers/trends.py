"""GET /api/trends: monthly cost per provider and service, month-over-month change, month-end projection."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter

from api.cost_reads import READ_ERRORS, AccountId, money, readable_accounts, rounded, today
from api.schemas.envelope import Envelope
from api.schemas.trends import ProviderTrend, ServiceTrend, TrendMonth
from api.sessions import SESSION_DEPENDENCY
from finops.db.cost_trends import MonthlyCost, monthly_costs
from finops.db.sessions import Session
from finops.domain.periods import next_month
from finops.domain.trends import (
    MAX_MONTHS,
    MIN_DAYS_FOR_PROJECTION,
    MonthPoint,
    month_start,
    monthly_points,
    months_back,
    trend_months,
)


class TrendsController(Controller):
    path = "/api/trends"
    tags = ["costs"]
    dependencies = SESSION_DEPENDENCY

    @get(
        "/",
        operation_id="listCostTrends",
        summary="Monthly cost per provider (and per service) with month-over-month change and a month-end projection",
        description="From the `daily_costs` rollup, for your accounts: the last `months` calendar months up to the"
        " current one (UTC), per provider and currency, never converted. `change` is against the month before"
        " (`change_percent` is null when that month cost nothing). The current month's `projection` is"
        " `actual / days_elapsed * days_in_month`, where `days_elapsed` runs to the latest day with data for that"
        f" provider; it is null before {MIN_DAYS_FOR_PROJECTION} days of data.",
        responses=READ_ERRORS,
    )
    async def list_trends(
        self,
        request: Request[Any, Any, State],
        session: NamedDependency[Session],
        months: Annotated[
            int, QueryParameter(ge=1, le=MAX_MONTHS, description="How many months, the current one included")
        ] = 12,
        metric: FromQuery[Literal["billed_cost", "effective_cost"]] = "billed_cost",
        account_id: AccountId = None,
    ) -> Envelope[list[ProviderTrend]]:
        now = today()
        shown = trend_months(now, months)
        # One month more than shown, so that the first month shown has a change too.
        first, end = months_back(shown[0], 1), next_month(month_start(now))
        async with request.app.state.pool.connection() as conn:
            accounts = await readable_accounts(conn, session, account_id)
            rows = await monthly_costs(conn, accounts, first, end, metric)
        latest = _latest_days(rows, month_start(now))
        trends = [
            _provider_trend(
                provider,
                currency,
                [row for row in rows if (row.provider, row.currency) == (provider, currency)],
                shown,
                now,
                latest.get(provider),
            )
            for provider, currency in sorted({(row.provider, row.currency) for row in rows})
        ]
        return Envelope(
            data=trends,
            metadata={
                "months": months,
                "from_month": shown[0].isoformat(),
                "to_month": shown[-1].isoformat(),
                "metric": metric,
                "account_ids": accounts,
                "latest_day": {provider: day.isoformat() for provider, day in sorted(latest.items())},
            },
        )


def _provider_trend(
    provider: str, currency: str, rows: list[MonthlyCost], shown: list[date], now: date, latest: date | None
) -> ProviderTrend:
    services = sorted({row.service for row in rows}, key=lambda name: (name is None, name or ""))
    return ProviderTrend(
        provider=provider,
        currency=currency,
        months=_months(monthly_points(_by_month(rows), shown, now, latest)),
        services=[
            ServiceTrend(
                service=service,
                months=_months(
                    monthly_points(_by_month(row for row in rows if row.service == service), shown, now, latest)
                ),
            )
            for service in services
        ],
    )


def _latest_days(rows: list[MonthlyCost], current: date) -> dict[str, date]:
    """Per provider, the latest day with data this month: each cloud's reports arrive with their own delay."""
    latest: dict[str, date] = {}
    for row in rows:
        if row.month == current:
            latest[row.provider] = max(row.latest_day, latest.get(row.provider, row.latest_day))
    return latest


def _by_month(rows: Iterable[MonthlyCost]) -> dict[date, Decimal]:
    costs: dict[date, Decimal] = {}
    for row in rows:
        costs[row.month] = costs.get(row.month, Decimal(0)) + row.cost
    return costs


def _months(points: list[MonthPoint]) -> list[TrendMonth]:
    return [
        TrendMonth(
            month=point.month,
            cost=money(point.cost),
            change=money(point.change),
            change_percent=rounded(point.change_percent),
            projection=rounded(point.projection),
        )
        for point in points
    ]
