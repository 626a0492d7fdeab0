"""GET /api/costs: showback across both clouds, billed and effective cost per service, account, region or tag."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter

from api.cost_reads import (
    READ_ERRORS,
    UNTAGGED,
    AccountId,
    asked_days,
    label,
    money,
    query_date,
    readable_accounts,
)
from api.schemas.costs import CostGroup
from api.schemas.envelope import Envelope
from api.sessions import SESSION_DEPENDENCY
from finops.db.cost_allocation import AllocationTotal, Dimension, totals_by_dimension, totals_by_tag
from finops.db.sessions import Session
from finops.domain.date_ranges import DEFAULT_DAYS, MAX_DAYS

DAY = "YYYY-MM-DD (UTC), included"
NO_VALUE = "(none)"
DIMENSIONS: dict[str, Dimension] = {"service": "service", "account": "account", "region": "region"}
GroupBy = Annotated[
    str,
    QueryParameter(
        pattern=r"^(service|account|region|tag:[^\x00-\x1f]{1,128})$",
        description="`service`, `account`, `region`, or `tag:<key>` (values of that tag key, plus `(untagged)`)",
    ),
]


class CostsController(Controller):
    path = "/api/costs"
    tags = ["costs"]
    dependencies = SESSION_DEPENDENCY

    @get(
        "/",
        operation_id="listCosts",
        summary="Billed and effective cost per service, account, region or tag value, for a range of days",
        description=f"Both clouds' ledger (OCI reports and Outscale consumption), for your accounts. Both dates"
        f" are included (UTC days); `to` defaults to yesterday, `from` to {DEFAULT_DAYS} days up to `to`; at most"
        f" {MAX_DAYS} days. Amounts are per currency, never converted. With `group_by=tag:<key>` the lines"
        f" without that tag form the `{UNTAGGED}` group (key null), so the groups add up to the same total as"
        " any other grouping.",
        responses=READ_ERRORS,
    )
    async def list_costs(
        self,
        request: Request[Any, Any, State],
        session: NamedDependency[Session],
        from_: Annotated[str | None, QueryParameter(name="from", format="date", description=DAY)] = None,
        to: Annotated[str | None, QueryParameter(format="date", description=DAY)] = None,
        provider: FromQuery[Literal["oci", "outscale"] | None] = None,
        group_by: GroupBy = "service",
        account_id: AccountId = None,
    ) -> Envelope[list[CostGroup]]:
        # Parsed here, not by Litestar, so that a bad date is reported as `from`, not as the Python name `from_`.
        days = asked_days(query_date(from_, "from"), query_date(to, "to"), "from", "to")
        tag = group_by.removeprefix("tag:") if group_by.startswith("tag:") else None
        async with request.app.state.pool.connection() as conn:
            accounts = await readable_accounts(conn, session, account_id)
            if tag is None:
                totals = await totals_by_dimension(conn, DIMENSIONS[group_by], accounts, days.first, days.end, provider)
            else:
                totals = await totals_by_tag(conn, tag, accounts, days.start_at, days.end_at, provider)
        return Envelope(
            data=[_group(total, UNTAGGED if tag else NO_VALUE) for total in totals],
            metadata={
                "from": days.first.isoformat(),
                "to": days.last.isoformat(),
                "provider": provider,
                "group_by": group_by,
                "account_ids": accounts,
                "source": "daily_costs" if tag is None else "cost_lines",
                "totals": _totals(totals),
            },
        )


def _group(total: AllocationTotal, missing: str) -> CostGroup:
    return CostGroup(
        key=total.key,
        label=label(total.key, missing),
        currency=total.currency,
        billed_cost=money(total.billed_cost),
        effective_cost=money(total.effective_cost),
        lines=total.lines,
    )


def _totals(totals: list[AllocationTotal]) -> dict[str, dict[str, str]]:
    """Per currency: never one sum across currencies."""
    sums: dict[str, tuple[Decimal, Decimal]] = {}
    for total in totals:
        billed, effective = sums.get(total.currency, (Decimal(0), Decimal(0)))
        sums[total.currency] = (billed + total.billed_cost, effective + total.effective_cost)
    return {
        currency: {"billed_cost": money(billed), "effective_cost": money(effective)}
        for currency, (billed, effective) in sorted(sums.items())
    }
