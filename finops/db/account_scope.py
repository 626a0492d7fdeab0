"""Which cloud accounts a user may read costs of: the ones they registered, and their own.

Every cost read filters on these ids, so that one user never sees another's spend.
"""

from __future__ import annotations

import psycopg

from finops.db.users import User

_REGISTERED = "SELECT DISTINCT account_id FROM cloud_accounts WHERE owner = %(login)s ORDER BY account_id"


async def owned_account_ids(conn: psycopg.AsyncConnection, user: User) -> list[str]:
    """The ``account_id``s of the user's ``cloud_accounts``, plus, for an Outscale user, that account itself."""
    cursor = await conn.execute(_REGISTERED, {"login": user.login})
    return _with_own_account([str(row[0]) for row in await cursor.fetchall()], user.login, user.kind)


def owner_accounts(conn: psycopg.Connection, login: str, kind: str) -> list[str]:
    """The same, from a blocking connection (the flows, and the API's worker threads)."""
    return _with_own_account(
        [str(row[0]) for row in conn.execute(_REGISTERED, {"login": login}).fetchall()], login, kind
    )


def _with_own_account(owned: list[str], login: str, kind: str) -> list[str]:
    # An Outscale user signed in with the account's own keys: it is that account, registered or not.
    if kind == "outscale" and login not in owned:
        owned.append(login)
    return owned
