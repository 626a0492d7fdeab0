"""Opening connections, with failures translated into one sentence a user can act on."""

from __future__ import annotations

import psycopg

from finops.domain.errors import DatabaseError
from finops.domain.redaction import mask_url_password

CONNECT_TIMEOUT_SECONDS = 5


def connect(dsn: str, *, autocommit: bool = False) -> psycopg.Connection:
    try:
        return psycopg.connect(dsn, autocommit=autocommit, connect_timeout=CONNECT_TIMEOUT_SECONDS)
    except psycopg.Error as error:
        raise DatabaseError(describe_connection_failure(dsn, error)) from None


def describe_connection_failure(dsn: str, error: Exception) -> str:
    reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return f"cannot connect to PostgreSQL at {mask_url_password(dsn)}: {reason}"
