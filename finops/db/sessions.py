"""Server-side sessions and the sign-in failure counts behind the login rate limit.

Only a SHA-256 of the session token is stored; the token itself lives in the browser's cookie.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg

from finops.db.users import User

TOUCH_AFTER = timedelta(seconds=30)


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


async def resume_session(
    conn: psycopg.AsyncConnection, token: str, idle: timedelta, touch_after: timedelta = TOUCH_AFTER
) -> Session | None:
    """The session of ``token`` if it was used within ``idle``; None otherwise.

    Its last use is written only when older than ``touch_after``: most requests then only read, and
    a read-only transaction commits without waiting for the disk. The idle timeout is that much coarser.
    """
    cursor = await conn.execute(
        """
        WITH live AS (
            SELECT s.token_hash, u.id, u.kind, u.login, s.csrf_token, s.region, s.last_seen_at
              FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = %(hash)s AND s.last_seen_at > now() - %(idle)s
        ), touched AS (
            UPDATE sessions SET last_seen_at = now()
              FROM live
             WHERE sessions.token_hash = live.token_hash AND live.last_seen_at < now() - %(touch_after)s
            RETURNING sessions.last_seen_at
        )
        SELECT id, kind, login, csrf_token, region, coalesce((SELECT last_seen_at FROM touched), last_seen_at)
          FROM live
        """,
        {"hash": token_hash(token), "idle": idle, "touch_after": touch_after},
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


async def claim_attempt(
    conn: psycopg.AsyncConnection, subjects: list[str], window: timedelta, limit: int, keep: timedelta
) -> list[int] | None:
    """Counts a sign-in attempt against each subject before the credentials are checked; None when one
    subject already had ``limit`` within ``window``. The rows stay as failures unless ``forgive``n, and
    concurrent attempts for a subject queue on its lock, so a burst cannot slip past the count."""
    async with conn.transaction():
        for subject in sorted(subjects):
            await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", ["finops.login." + subject])
        await conn.execute("DELETE FROM login_failures WHERE failed_at <= now() - %s", [keep])
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
        if row is not None and int(row[0]) >= limit:
            return None
        cursor = await conn.execute(
            "INSERT INTO login_failures (subject) SELECT unnest(%s::text[]) RETURNING id", [subjects]
        )
        return [int(claimed[0]) for claimed in await cursor.fetchall()]


async def forgive(conn: psycopg.AsyncConnection, attempt: list[int]) -> None:
    """The attempt succeeded, or failed for a reason that is not the user's (the cloud did not answer)."""
    await conn.execute("DELETE FROM login_failures WHERE id = ANY(%s)", [attempt])
