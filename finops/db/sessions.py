"""Server-side sessions and the sign-in failure counts behind the login rate limit.

Only a SHA-256 of the session token is stored; the token itself lives in the browser's cookie.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg

from finops.db.users import User


@dataclass(frozen=True)
class Session:
    user: User
    csrf_token: str
    region: str | None
    last_seen_at: datetime


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def open_session(
    conn: psycopg.AsyncConnection, user: User, token: str, csrf_token: str, region: str | None
) -> datetime:
    cursor = await conn.execute(
        """
        INSERT INTO sessions (token_hash, user_id, csrf_token, region) VALUES (%s, %s, %s, %s)
        RETURNING last_seen_at
        """,
        [token_hash(token), user.id, csrf_token, region],
    )
    row = await cursor.fetchone()
    assert row is not None
    return row[0]  # type: ignore[no-any-return]


async def resume_session(conn: psycopg.AsyncConnection, token: str, idle: timedelta) -> Session | None:
    """The session of ``token`` if it was used within ``idle``, marked as used now; None otherwise."""
    cursor = await conn.execute(
        """
        UPDATE sessions s SET last_seen_at = now()
          FROM users u
         WHERE s.token_hash = %(hash)s AND u.id = s.user_id AND s.last_seen_at > now() - %(idle)s
        RETURNING u.id, u.kind, u.login, s.csrf_token, s.region, s.last_seen_at
        """,
        {"hash": token_hash(token), "idle": idle},
    )
    row = await cursor.fetchone()
    if row is None:
        return None
    user_id, kind, login, csrf_token, region, last_seen_at = row
    return Session(User(int(user_id), str(kind), str(login)), str(csrf_token), region, last_seen_at)


async def close_session(conn: psycopg.AsyncConnection, token: str) -> None:
    await conn.execute("DELETE FROM sessions WHERE token_hash = %s", [token_hash(token)])


async def forget_idle_sessions(conn: psycopg.AsyncConnection, idle: timedelta) -> None:
    await conn.execute("DELETE FROM sessions WHERE last_seen_at <= now() - %s", [idle])


async def recent_failures(conn: psycopg.AsyncConnection, subjects: list[str], window: timedelta) -> int:
    """The most failures any one of ``subjects`` had within ``window``."""
    cursor = await conn.execute(
        """
        SELECT coalesce(max(n), 0) FROM (
            SELECT count(*) AS n FROM login_failures
             WHERE subject = ANY(%(subjects)s) AND failed_at > now() - %(window)s
             GROUP BY subject) counts
        """,
        {"subjects": subjects, "window": window},
    )
    row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def record_failure(conn: psycopg.AsyncConnection, subjects: list[str], keep: timedelta) -> None:
    await conn.execute("DELETE FROM login_failures WHERE failed_at <= now() - %s", [keep])
    await conn.execute(
        "INSERT INTO login_failures (subject) SELECT unnest(%s::text[])",
        [subjects],
    )
