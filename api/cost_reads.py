"""What every cost read shares: the accounts a signed-in reader may read, and the days asked for.
A failing database is answered by api/errors.py as a 503, never as a report of zeros."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated

import psycopg
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import QueryParameter

from api.errors import ApiError
from api.schemas.envelope import ErrorEnvelope
from finops.db.account_scope import owned_account_ids
from finops.db.sessions import Session
from finops.domain.date_ranges import DayRange, InvalidRange, requested_range

AccountId = Annotated[
    str | None,
    QueryParameter(
        pattern=r"^[A-Za-z0-9._:-]{1,200}$",  # Outscale account ids and OCI OCIDs
        description="One of your accounts (404 if it is not yours); all of them when absent",
    ),
]
UNTAGGED = "(untagged)"
READ_ERRORS = {
    401: ResponseSpec(data_container=ErrorEnvelope, description="Not signed in, or the session expired"),
    404: ResponseSpec(data_container=ErrorEnvelope, description="account_id is not one of your accounts"),
    422: ResponseSpec(data_container=ErrorEnvelope, description="A query parameter is not valid; details name it"),
    503: ResponseSpec(data_container=ErrorEnvelope, description="The database does not answer"),
}


async def readable_accounts(conn: psycopg.AsyncConnection, session: Session, account_id: str | None) -> list[str]:
    """The accounts to read: all the user's, or ``account_id`` if it is one of them (404 otherwise)."""
    owned = await owned_account_ids(conn, session.user)
    if account_id is None:
        return owned
    if account_id not in owned:
        # The same answer whether the account exists for someone else or not at all.
        raise ApiError(404, "not_found", f"no account {account_id} among yours")
    return [account_id]


def asked_days(first: date | None, last: date | None, first_field: str, last_field: str) -> DayRange:
    """The range asked for, or a 422 naming the query parameter to change."""
    try:
        return requested_range(first, last, today())
    except InvalidRange as invalid:
        raise _invalid(first_field if invalid.bound == "first" else last_field, invalid.message) from None


def query_date(value: str | None, field: str) -> date | None:
    """A YYYY-MM-DD query parameter, or a 422 naming ``field``."""
    if value is None:
        return None
    try:
        # fromisoformat alone would also take 20260301 and 2026-W10-1.
        if not _ISO_DAY.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise _invalid(field, "must be a date as YYYY-MM-DD") from None


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(
        422, "validation_error", f"{field}: {message}", [{"field": field, "message": message, "source": "query"}]
    )


def today() -> date:
    return datetime.now(UTC).date()


def money(amount: Decimal) -> str:
    """Exact decimal text: sums of exact amounts are shown as they are, never through a float."""
    return format(amount, "f")


def rounded(amount: Decimal | None, places: int = 2) -> str | None:
    """Estimates and percentages, which are not exact anyway: to ``places`` decimals."""
    return None if amount is None else format(amount.quantize(Decimal(1).scaleb(-places)), "f")


def label(key: str | None, missing: str) -> str:
    return missing if key is None else key
