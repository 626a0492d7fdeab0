"""`users`: Outscale accounts that signed in, and local users with a password hash."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from finops.domain.errors import UsageError


@dataclass(frozen=True)
class User:
    id: int
    kind: str  # outscale | local
    login: str  # the Outscale account id, or the local user name: what cloud_accounts.owner holds


async def outscale_user(conn: psycopg.AsyncConnection, account_id: str) -> User:
    """The user for an Outscale account whose keys were just checked, made on its first sign-in."""
    cursor = await conn.execute(
        """
        INSERT INTO users (kind, login, last_login_at) VALUES ('outscale', %(login)s, now())
        ON CONFLICT (kind, login) DO UPDATE SET last_login_at = now()
        RETURNING id
        """,
        {"login": account_id},
    )
    row = await cursor.fetchone()
    assert row is not None
    return User(int(row[0]), "outscale", account_id)


async def local_user_and_hash(conn: psycopg.AsyncConnection, username: str) -> tuple[User, str] | None:
    cursor = await conn.execute(
        "SELECT id, password_hash FROM users WHERE kind = 'local' AND login = %(login)s", {"login": username}
    )
    row = await cursor.fetchone()
    return (User(int(row[0]), "local", username), str(row[1])) if row else None


async def mark_signed_in(conn: psycopg.AsyncConnection, user: User, new_hash: str | None) -> None:
    """Records the sign-in; ``new_hash`` replaces a hash made with older parameters."""
    await conn.execute(
        "UPDATE users SET last_login_at = now(), password_hash = coalesce(%(hash)s, password_hash) WHERE id = %(id)s",
        {"id": user.id, "hash": new_hash},
    )


def add_local_user(conn: psycopg.Connection, username: str, password_hash: str) -> int:
    try:
        row = conn.execute(
            "INSERT INTO users (kind, login, password_hash) VALUES ('local', %s, %s) RETURNING id",
            [username, password_hash],
        ).fetchone()
    except psycopg.errors.UniqueViolation:
        raise UsageError(f"a local user named {username} is already there") from None
    except psycopg.errors.CheckViolation:
        raise UsageError(f"a user name starts with a letter: {username!r} does not") from None
    assert row is not None
    return int(row[0])


def set_local_password(conn: psycopg.Connection, username: str, password_hash: str) -> bool:
    cursor = conn.execute(
        "UPDATE users SET password_hash = %s WHERE kind = 'local' AND login = %s", [password_hash, username]
    )
    return cursor.rowcount == 1


def remove_local_user(conn: psycopg.Connection, username: str) -> bool:
    """The user goes with their sessions, quotes and cloud accounts: a later user of the same name must
    not inherit the accounts (cloud_accounts.owner holds the name)."""
    with conn.transaction():
        if conn.execute("DELETE FROM users WHERE kind = 'local' AND login = %s", [username]).rowcount != 1:
            return False
        conn.execute("DELETE FROM cloud_accounts WHERE owner = %s", [username])
    return True


def local_user_names(conn: psycopg.Connection) -> list[tuple[str, str | None]]:
    """(name, last sign-in as ISO text or None), by name."""
    rows = conn.execute(
        "SELECT login, to_char(last_login_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
        " FROM users WHERE kind = 'local' ORDER BY login"
    ).fetchall()
    return [(str(name), last) for name, last in rows]
