"""GET/POST/DELETE /api/accounts: the signed-in user's cloud accounts.

Outscale keys are checked (ReadAccounts in every region) before they are stored, encrypted; no
answer ever carries them. The SDK and these queries block, so they run in a worker thread.
"""

from __future__ import annotations

from typing import Annotated

import anyio
from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody, Parameter

from api.database import database_dsn
from api.errors import ApiError
from api.schemas.accounts import AccountCreate, AccountView
from api.schemas.envelope import Envelope, ErrorEnvelope
from api.sessions import SESSION_DEPENDENCY
from finops.account_registration import checked_account
from finops.config import Settings
from finops.db.cloud_accounts import (
    DuplicateAccount,
    StoredAccount,
    add_account,
    list_accounts,
    remove_account_by_id,
)
from finops.db.connect import connect
from finops.db.sessions import Session
from finops.domain.cloud_accounts import account_request
from finops.domain.errors import AuthError, UsageError

Id = Annotated[int, Parameter(ge=1, le=2**63 - 1)]


class AccountsController(Controller):
    path = "/api/accounts"
    tags = ["accounts"]
    dependencies = SESSION_DEPENDENCY

    @get("/", operation_id="listAccounts", summary="The signed-in user's cloud accounts (never their keys)")
    async def list_accounts(
        self, session: NamedDependency[Session], settings: NamedDependency[Settings]
    ) -> Envelope[list[AccountView]]:
        accounts = await anyio.to_thread.run_sync(_owned, settings, session.user.login)
        return Envelope(data=[_view(account) for account in accounts], metadata={"count": len(accounts)})

    @post(
        "/",
        operation_id="addAccount",
        summary="Add an Outscale account; its keys are checked in each region, then stored encrypted",
        responses={
            409: ResponseSpec(data_container=ErrorEnvelope, description="This account is already there"),
            422: ResponseSpec(data_container=ErrorEnvelope, description="Refused keys or a field not valid"),
        },
    )
    async def add_account(
        self, session: NamedDependency[Session], settings: NamedDependency[Settings], data: JSONBody[AccountCreate]
    ) -> Envelope[AccountView]:
        owner = session.user.login
        try:
            account = await anyio.to_thread.run_sync(_add, settings, owner, data)
        except DuplicateAccount as error:
            raise ApiError(409, "conflict", error.message) from None
        except AuthError as error:
            raise _invalid("secret_key", error.message) from None
        except UsageError as error:
            # The request is checked field by field before any call: what remains is about the regions.
            raise _invalid("regions", error.message) from None
        return Envelope(data=_view(account))

    @delete(
        "/{account:int}",
        operation_id="removeAccount",
        summary="Remove an account and its stored keys",
        status_code=200,
        responses={404: ResponseSpec(data_container=ErrorEnvelope, description="No such account (or not yours)")},
    )
    async def remove_account(
        self, session: NamedDependency[Session], settings: NamedDependency[Settings], account: Id
    ) -> Envelope[dict[str, int]]:
        removed = await anyio.to_thread.run_sync(_remove, settings, session.user.login, account)
        if not removed:
            raise ApiError(404, "not_found", "no such account")
        return Envelope(data={"removed_id": account})


def _owned(settings: Settings, owner: str) -> list[StoredAccount]:
    with connect(database_dsn(settings)) as conn:
        return list_accounts(conn, owner=owner)


def _add(settings: Settings, owner: str, data: AccountCreate) -> StoredAccount:
    request = account_request("outscale", data.name, data.regions, owner)
    checked = checked_account(request, settings, access_key=data.access_key, secret_key=data.secret_key)
    with connect(database_dsn(settings)) as conn:
        identifier = add_account(
            conn,
            provider=request.provider,
            account_id=checked.account_id,
            name=request.name,
            regions=request.regions,
            owner=owner,
            reference=checked.reference,
            sealed=checked.sealed,
        )
        return next(account for account in list_accounts(conn, owner=owner) if account.id == identifier)


def _remove(settings: Settings, owner: str, account: int) -> int:
    with connect(database_dsn(settings)) as conn:
        return remove_account_by_id(conn, account, owner)


def _view(account: StoredAccount) -> AccountView:
    return AccountView(
        id=account.id,
        provider=account.provider,
        account_id=account.account_id,
        name=account.name,
        regions=list(account.regions),
        credentials=account.credentials,
        created_at=account.created_at,
    )


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(422, "validation_error", message, [{"field": field, "message": message, "source": "body"}])
