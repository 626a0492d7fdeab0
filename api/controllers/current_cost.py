"""GET /api/cost/current: what live Outscale resources cost now, by type or tag, as JSON or CSV."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromQuery, QueryParameter

from api.cost_reads import READ_ERRORS, UNTAGGED, AccountId, label, money, readable_accounts
from api.schemas.current_cost import CostlyResource, CurrentCost, CurrentCostGroup
from api.schemas.envelope import Envelope
from api.sessions import SESSION_DEPENDENCY
from finops.db.current_costs import CurrentGroup, CurrentResource, current_groups, latest_snapshot_times, top_resources
from finops.db.sessions import Session
from finops.domain.csv_cells import amount_cell, csv_document, text_cell

HOURS_PER_MONTH = 730
MONTHS_PER_YEAR = 12
TOP_RESOURCES = 10
GroupBy = Annotated[
    str,
    QueryParameter(
        pattern=r"^(type|tag:[^\x00-\x1f]{1,128})$",
        description="`type` (resource type) or `tag:<key>` (values of that tag key, plus `(untagged)`)",
    ),
]


class CurrentCostController(Controller):
    path = "/api/cost/current"
    tags = ["costs"]
    dependencies = SESSION_DEPENDENCY

    @get(
        "/",
        operation_id="getCurrentCost",
        summary="What your live Outscale resources cost now, by resource type or tag, and the costliest ones",
        description="From the latest snapshot of each account and region (snapshot-resources). A month is"
        f" {HOURS_PER_MONTH} hours and a year {MONTHS_PER_YEAR} months. With `group_by=tag:<key>` resources without"
        f" that tag form the `{UNTAGGED}` group (key null), so the groups add up to the total. `format=csv` answers"
        " the groups as CSV (RFC 4180, UTF-8 with BOM).",
        responses={
            200: ResponseSpec(
                data_container=Envelope[CurrentCost], description="The groups and top resources (JSON, or CSV)"
            ),
            **READ_ERRORS,
        },
    )
    async def get_current_cost(
        self,
        request: Request[Any, Any, State],
        session: NamedDependency[Session],
        account_id: AccountId = None,
        group_by: GroupBy = "type",
        # Named as on the wire (shadowing the builtin here): Litestar names a bad value by the Python name.
        format: FromQuery[Literal["json", "csv"]] = "json",
    ) -> Response[Any]:
        tag = group_by.removeprefix("tag:") if group_by.startswith("tag:") else None
        async with request.app.state.pool.connection() as conn:
            accounts = await readable_accounts(conn, session, account_id)
            rows = await current_groups(conn, accounts, tag)
            top = [_resource(row) for row in await top_resources(conn, accounts, TOP_RESOURCES)]
            oldest, newest = await latest_snapshot_times(conn, accounts)
        if format == "csv":
            return Response(
                _csv(group_by, rows),
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": 'attachment; filename="current-cost.csv"'},
            )
        metadata = {
            "group_by": group_by,
            "account_ids": accounts,
            "hours_per_month": HOURS_PER_MONTH,
            "totals": _totals(rows),
            "oldest_snapshot_at": _iso(oldest),
            "newest_snapshot_at": _iso(newest),
        }
        groups = [_group(row) for row in rows]
        return Response(Envelope(data=CurrentCost(groups=groups, top_resources=top), metadata=metadata))


def _group(row: CurrentGroup) -> CurrentCostGroup:
    return CurrentCostGroup(
        key=row.key,
        label=label(row.key, UNTAGGED),
        currency=row.currency,
        resources=row.resources,
        per_hour=money(row.per_hour),
        per_month=money(row.per_month),
        per_year=money(row.per_month * MONTHS_PER_YEAR),
    )


def _resource(row: CurrentResource) -> CostlyResource:
    return CostlyResource(
        account_id=row.account_id,
        region=row.region,
        resource_type=row.resource_type,
        resource_id=row.resource_id,
        per_hour=money(row.per_hour),
        per_month=money(row.per_month),
        per_year=money(row.per_month * MONTHS_PER_YEAR),
        currency=row.currency,
        tags=row.tags,
    )


def _totals(rows: list[CurrentGroup]) -> dict[str, dict[str, Any]]:
    """Per currency: never one sum across EUR, USD and JPY."""
    sums: dict[str, list[Decimal]] = {}
    for row in rows:
        total = sums.setdefault(row.currency, [Decimal(0), Decimal(0), Decimal(0)])
        total[0] += row.resources
        total[1] += row.per_hour
        total[2] += row.per_month
    return {
        currency: {
            "resources": int(count),
            "per_hour": money(hourly),
            "per_month": money(monthly),
            "per_year": money(monthly * MONTHS_PER_YEAR),
        }
        for currency, (count, hourly, monthly) in sorted(sums.items())
    }


def _csv(group_by: str, rows: list[CurrentGroup]) -> str:
    heading = "Resource type" if group_by == "type" else f"Tag {group_by.removeprefix('tag:')}"
    header = [text_cell(heading), "Currency", "Resources", "Per hour", "Per month", "Per year"]
    body = [
        [
            text_cell(label(row.key, UNTAGGED)),
            text_cell(row.currency),
            str(row.resources),
            amount_cell(row.per_hour),
            amount_cell(row.per_month),
            amount_cell(row.per_month * MONTHS_PER_YEAR),
        ]
        for row in rows
    ]
    return csv_document([header, *body])


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
