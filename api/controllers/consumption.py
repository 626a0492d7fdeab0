"""GET /api/consumption: priced Outscale consumption per day, week or month and service."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter

from api.cost_reads import READ_ERRORS, AccountId, asked_days, money, readable_accounts
from api.schemas.consumption import ConsumptionPeriod
from api.schemas.envelope import Envelope
from api.sessions import SESSION_DEPENDENCY
from finops.db.consumption_totals import consumption_totals
from finops.db.sessions import Session
from finops.domain.date_ranges import DEFAULT_DAYS, MAX_DAYS

Day = Annotated[date | None, QueryParameter(description="YYYY-MM-DD (UTC), included")]


class ConsumptionController(Controller):
    path = "/api/consumption"
    tags = ["costs"]
    dependencies = SESSION_DEPENDENCY

    @get(
        "/",
        operation_id="listConsumption",
        summary="Priced Outscale consumption per period and service",
        description=f"From snapshot-consumption's `osc_consumption`, for your accounts. Both dates are included;"
        f" `to_date` defaults to yesterday (UTC), `from_date` to {DEFAULT_DAYS} days up to `to_date`; at most"
        f" {MAX_DAYS} days. Weeks are ISO weeks (Monday first); a period is named by its first day, so the first"
        " and last periods may be partial. `price` sums the priced lines; `metadata.unpriced_lines` counts the"
        " lines no price was found for.",
        responses=READ_ERRORS,
    )
    async def list_consumption(
        self,
        request: Request[Any, Any, State],
        session: NamedDependency[Session],
        from_date: Day = None,
        to_date: Day = None,
        granularity: FromQuery[Literal["day", "week", "month"]] = "day",
        account_id: AccountId = None,
    ) -> Envelope[list[ConsumptionPeriod]]:
        days = asked_days(from_date, to_date, "from_date", "to_date")
        async with request.app.state.pool.connection() as conn:
            accounts = await readable_accounts(conn, session, account_id)
            totals = await consumption_totals(conn, accounts, days.first, days.end, granularity)
        currency_totals: dict[str, Decimal] = {}
        for total in totals:
            if total.currency is not None:
                currency_totals[total.currency] = currency_totals.get(total.currency, Decimal(0)) + total.price
        return Envelope(
            data=[
                ConsumptionPeriod(
                    period=total.period,
                    service=total.service,
                    currency=total.currency,
                    price=money(total.price),
                    value=money(total.value),
                    lines=total.lines,
                    unpriced_lines=total.unpriced_lines,
                )
                for total in totals
            ],
            metadata={
                "from_date": days.first.isoformat(),
                "to_date": days.last.isoformat(),
                "granularity": granularity,
                "account_ids": accounts,
                "totals": {currency: money(amount) for currency, amount in sorted(currency_totals.items())},
                "lines": sum(total.lines for total in totals),
                "unpriced_lines": sum(total.unpriced_lines for total in totals),
            },
        )
