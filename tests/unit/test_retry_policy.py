"""Which failures a task retries: what may pass by itself, never what needs a person."""

from __future__ import annotations

import psycopg
import pytest
from prefect.states import Failed

from finops.domain.errors import AuthError, CloudError, DatabaseError
from tasks.retry import retry_if_transient


@pytest.mark.parametrize(
    ("error", "retried"),
    [
        (CloudError("503 RequestLimitExceeded", transient=True), True),
        (DatabaseError("a deadlock", transient=True), True),
        (psycopg.OperationalError("server closed the connection unexpectedly"), True),
        (psycopg.errors.DeadlockDetected("deadlock detected"), True),
        (AuthError("the keys do not open the account"), False),
        (CloudError("400 InvalidParameter"), False),
        (psycopg.errors.UndefinedTable("relation does not exist"), False),
        (ValueError("a bug"), False),
    ],
    ids=[
        "throttled",
        "deadlock-ours",
        "database-restart",
        "deadlock-raw",
        "wrong-keys",
        "bad-request",
        "no-schema",
        "bug",
    ],
)
def test_only_what_may_pass_by_itself_is_retried(error: Exception, retried: bool) -> None:
    assert retry_if_transient(None, None, Failed(data=error)) is retried
