"""`finops accounts add|list|remove`: the cloud accounts the flows read.

Outscale keys are checked with ReadAccounts in every chosen region before anything is stored, and
stored encrypted (or as a secret reference); no command ever prints them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict

from finops.account_registration import checked_account
from finops.cli.database import apply_migrations, database_in_use
from finops.config import Settings
from finops.db.cloud_accounts import add_account, list_accounts, remove_account
from finops.db.connect import connect
from finops.domain.cloud_accounts import account_request
from finops.domain.errors import UsageError


def add(
    settings: Settings,
    say: Callable[[str], None],
    *,
    provider: str,
    name: str,
    regions: list[str],
    owner: str | None,
    account_id: str | None,
    credentials: str | None,
    access_key: str | None,
    secret_key: str | None,
) -> int:
    request = account_request(provider, name, regions, owner)
    checked = checked_account(
        request, settings, credentials=credentials, access_key=access_key, secret_key=secret_key, account_id=account_id
    )
    with database_in_use(settings) as database:
        apply_migrations(database.dsn)
        with connect(database.dsn) as conn:
            identifier = add_account(
                conn,
                provider=request.provider,
                account_id=checked.account_id,
                name=request.name,
                regions=request.regions,
                owner=request.owner or checked.account_id,
                reference=checked.reference,
                sealed=checked.sealed,
            )
    where = ", ".join(request.regions)
    say(f"added {request.provider} account {checked.account_id} ({request.name}, {where}) as #{identifier}")
    return 0


def show(settings: Settings, *, output: str, owner: str | None) -> int:
    if output not in ("table", "json"):
        raise UsageError("--format must be table or json")
    with database_in_use(settings) as database:
        apply_migrations(database.dsn)
        with connect(database.dsn) as conn:
            accounts = list_accounts(conn, owner=owner)
    if output == "json":
        print(json.dumps([asdict(account) for account in accounts], default=str, indent=2))
        return 0
    print(f"{'id':>4}  {'provider':<9} {'account':<24} {'name':<20} {'regions':<28} {'owner':<16} credentials")
    for a in accounts:
        print(
            f"{a.id:>4}  {a.provider:<9} {a.account_id:<24} {a.name:<20} {','.join(a.regions):<28} {a.owner:<16}"
            f" {a.credentials}"
        )
    return 0


def remove(settings: Settings, say: Callable[[str], None], *, identifier: str, owner: str | None) -> int:
    with database_in_use(settings) as database:
        apply_migrations(database.dsn)
        with connect(database.dsn) as conn:
            removed = remove_account(conn, identifier, owner)
    if not removed:
        raise UsageError(f"no account {identifier}")
    say(f"removed {removed} account(s) {identifier}")
    return 0
