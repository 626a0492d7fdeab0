"""Which cloud accounts a user may read costs of: the ones they registered, and their own.

Every cost read filters on these ids, so that one user never sees another's spend.
"""

from __future__ import annotations

import psycopg

from finops.db.users import User


async def owned_account_ids(conn: psycopg.AsyncConnection, user: User) -> list[str]:
    """The ``account_id``s of the user's ``cloud_accounts``, plus, for an Outscale user, that account itself."""
    cursor = await conn.execute(
        "SELECT DISTINCT account_id FROM cloud_accounts WHERE owner = %(login)s ORDER BY account_id",
        {"login": user.login},
    )
    owned = [str(row[0]) for row in await cursor.fetchall()]
    # An Outscale user signed in with the account's own keys: it is that account, registered or not.
    if user.kind == "outscale" and user.login not in owned:
        owned.append(user.login)
    return owned
