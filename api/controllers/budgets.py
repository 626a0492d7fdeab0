"""/api/budgets: the signed-in user's budgets (create, read, replace, delete) and their status now.

Accounts in a scope must be the user's; the currency must be one the scoped data is billed in
(once there is data). Webhook URLs are sealed before they are stored and shown only as scheme and
host. The queries block, so they run in a worker thread.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

import anyio
from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody, Parameter

from api.budget_drafts import budget_draft
from api.budget_views import budget_view, status_view
from api.cost_reads import READ_ERRORS, query_date
from api.database import database_dsn
from api.errors import ApiError
from api.schemas.budgets import BudgetInput, BudgetStatusView, BudgetView
from api.schemas.envelope import Envelope, ErrorEnvelope
from api.sessions import SESSION_DEPENDENCY
from finops.config import Settings
from finops.db.account_scope import owner_accounts
from finops.db.alerts import raised_at
from finops.db.budget_spend import scope_accounts, scope_spend
from finops.db.budgets import (
    Budget,
    DuplicateBudget,
    create_budget,
    delete_budget,
    get_budget,
    list_budgets,
    update_budget,
)
from finops.db.connect import connect
from finops.db.sessions import Session
from finops.db.users import User
from finops.domain.budgets import evaluate, fired_fingerprint, period_bounds, recovered_fingerprint

Id = Annotated[int, Parameter(ge=1, le=2**63 - 1)]
# A yearly period of the last day must still end on a date Python can hold.
EARLIEST_DAY, LATEST_DAY = date(1970, 1, 1), date(2999, 12, 31)
NOT_FOUND = {404: ResponseSpec(data_container=ErrorEnvelope, description="No such budget (or not yours)")}
INVALID = {
    409: ResponseSpec(data_container=ErrorEnvelope, description="You have a budget of that name"),
    422: ResponseSpec(data_container=ErrorEnvelope, description="A field is not valid; details name it"),
}


class BudgetsController(Controller):
    path = "/api/budgets"
    tags = ["budgets"]
    dependencies = SESSION_DEPENDENCY

    @get("/", operation_id="listBudgets", summary="Your budgets with their rules")
    async def list_budgets(
        self, session: NamedDependency[Session], settings: NamedDependency[Settings]
    ) -> Envelope[list[BudgetView]]:
        budgets = await anyio.to_thread.run_sync(_list, settings, session.user)
        return Envelope(data=[budget_view(budget) for budget in budgets], metadata={"count": len(budgets)})

    @post("/", operation_id="createBudget", summary="A new budget with its rules and recipients", responses=INVALID)
    async def create_budget(
        self, session: NamedDependency[Session], settings: NamedDependency[Settings], data: JSONBody[BudgetInput]
    ) -> Envelope[BudgetView]:
        budget = await anyio.to_thread.run_sync(_create, settings, session.user, data)
        return Envelope(data=budget_view(budget))

    @get("/{budget_id:int}", operation_id="getBudget", summary="One of your budgets", responses=NOT_FOUND)
    async def get_budget(
        self, session: NamedDependency[Session], settings: NamedDependency[Settings], budget_id: Id
    ) -> Envelope[BudgetView]:
        return Envelope(data=budget_view(await anyio.to_thread.run_sync(_get, settings, session.user, budget_id)))

    @put(
        "/{budget_id:int}",
        operation_id="updateBudget",
        summary="Replace a budget; rules that stay the same keep what they fired",
        responses={**INVALID, **NOT_FOUND},
    )
    async def update_budget(
        self,
        session: NamedDependency[Session],
        settings: NamedDependency[Settings],
        budget_id: Id,
        data: JSONBody[BudgetInput],
    ) -> Envelope[BudgetView]:
        budget = await anyio.to_thread.run_sync(_update, settings, session.user, budget_id, data)
        return Envelope(data=budget_view(budget))

    @delete(
        "/{budget_id:int}", operation_id="deleteBudget", summary="Delete a budget", status_code=200, responses=NOT_FOUND
    )
    async def delete_budget(
        self, session: NamedDependency[Session], settings: NamedDependency[Settings], budget_id: Id
    ) -> Envelope[dict[str, int]]:
        if not await anyio.to_thread.run_sync(_delete, settings, session.user, budget_id):
            raise ApiError(404, "not_found", "no such budget")
        return Envelope(data={"deleted_id": budget_id})

    @get(
        "/{budget_id:int}/status",
        operation_id="getBudgetStatus",
        summary="Spent, forecast and percent of the period holding `day` (today), and the rules fired",
        description="The forecast is `actual / days_elapsed * days_in_period`, days_elapsed running to the latest"
        " day with data; it is null before 3 days of data. `fired_at` says when a rule's alert of this period"
        " was raised by check-budgets.",
        responses={**READ_ERRORS, **NOT_FOUND},
    )
    async def budget_status(
        self,
        session: NamedDependency[Session],
        settings: NamedDependency[Settings],
        budget_id: Id,
        day: Annotated[str | None, Parameter(description="YYYY-MM-DD; default today (UTC)")] = None,
    ) -> Envelope[BudgetStatusView]:
        on = query_date(day, "day") or datetime.now(UTC).date()
        if not EARLIEST_DAY <= on <= LATEST_DAY:
            message = f"must be from {EARLIEST_DAY} to {LATEST_DAY}"
            details = [{"field": "day", "message": message, "source": "query"}]
            raise ApiError(422, "validation_error", f"day: {message}", details)
        status = await anyio.to_thread.run_sync(_status, settings, session.user, budget_id, on)
        return Envelope(data=status, metadata={"day": on.isoformat()})


def _list(settings: Settings, user: User) -> list[Budget]:
    with connect(database_dsn(settings)) as conn:
        return list_budgets(conn, user.id)


def _get(settings: Settings, user: User, budget_id: int) -> Budget:
    with connect(database_dsn(settings)) as conn:
        budget = get_budget(conn, user.id, budget_id)
    if budget is None:
        raise ApiError(404, "not_found", "no such budget")
    return budget


def _create(settings: Settings, user: User, data: BudgetInput) -> Budget:
    with connect(database_dsn(settings)) as conn:
        draft = budget_draft(conn, settings, user, data, stored=None)
        try:
            budget_id = create_budget(conn, user.id, draft)
        except DuplicateBudget:
            raise _name_taken(data.name) from None
        budget = get_budget(conn, user.id, budget_id)
    assert budget is not None
    return budget


def _update(settings: Settings, user: User, budget_id: int, data: BudgetInput) -> Budget:
    with connect(database_dsn(settings)) as conn:
        stored = get_budget(conn, user.id, budget_id)
        if stored is None:
            raise ApiError(404, "not_found", "no such budget")
        draft = budget_draft(conn, settings, user, data, stored=stored)
        try:
            updated = update_budget(conn, user.id, budget_id, draft)
        except DuplicateBudget:
            raise _name_taken(data.name) from None
        if not updated:
            raise ApiError(404, "not_found", "no such budget")
        budget = get_budget(conn, user.id, budget_id)
    assert budget is not None
    return budget


def _name_taken(name: str) -> ApiError:
    message = f"you already have a budget named {name}"
    return ApiError(409, "conflict", message, [{"field": "name", "message": message, "source": "body"}])


def _delete(settings: Settings, user: User, budget_id: int) -> bool:
    with connect(database_dsn(settings)) as conn:
        return delete_budget(conn, user.id, budget_id)


def _status(settings: Settings, user: User, budget_id: int, day: date) -> BudgetStatusView:
    with connect(database_dsn(settings)) as conn:
        budget = get_budget(conn, user.id, budget_id)
        if budget is None:
            raise ApiError(404, "not_found", "no such budget")
        period = period_bounds(budget.period, day)
        accounts = scope_accounts(budget.scope, owner_accounts(conn, user.login, user.kind))
        spend = scope_spend(conn, budget.scope, accounts, budget.currency, *period)
        fired = raised_at(
            conn,
            [fired_fingerprint(r.id, period[0]) for r in budget.rules]
            + [recovered_fingerprint(r.id, period[0]) for r in budget.rules],
        )
    status = evaluate(budget.amount, budget.rules, period, spend.actual, spend.data_through)
    return status_view(budget, status, fired)
