"""`finops accounts add|list|remove`: the cloud accounts the flows read.

Outscale keys are checked with ReadAccounts in every chosen region before anything is stored, and
stored encrypted (or as a secret reference); no command ever prints them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict

from finops.account_credentials import seal_keys
from finops.cli.database import apply_migrations, database_in_use
from finops.clouds.outscale.api import OutscaleApi
from finops.config import SecretReference, Settings
from finops.db.cloud_accounts import add_account, list_accounts, remove_account
from finops.db.connect import connect
from finops.domain.cloud_accounts import OutscaleKeys, account_request, keys_from_secret
from finops.domain.errors import AuthError, UsageError
from finops.secret_values import read_secret


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
    reference = str(SecretReference.parse(credentials)) if credentials else None
    sealed = None
    if request.provider == "outscale":
        if reference is not None:
            keys = keys_from_secret(read_secret(SecretReference.parse(reference), settings))
        elif access_key and secret_key:
            keys = OutscaleKeys(access_key, secret_key)
        else:
            raise UsageError("an Outscale account needs --credentials REF, or an access key and a secret key")
        account_id = _checked_account_id(keys, request.regions, settings)
        if reference is None:
            sealed = seal_keys(keys, settings)
    elif not account_id:
        raise UsageError("an OCI account needs --account-id (the tenancy OCID)")
    assert account_id is not None
    with database_in_use(settings) as database:
        apply_migrations(database.dsn)
        with connect(database.dsn) as conn:
            identifier = add_account(
                conn,
                provider=request.provider,
                account_id=account_id,
                name=request.name,
                regions=request.regions,
                owner=request.owner or account_id,
                reference=reference,
                sealed=sealed,
            )
    say(
        f"added {request.provider} account {account_id} ({request.name}, {', '.join(request.regions)}) as #{identifier}"
    )
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


def _checked_account_id(keys: OutscaleKeys, regions: tuple[str, ...], settings: Settings) -> str:
    found: set[str] = set()
    for region in regions:
        with OutscaleApi(keys.access_key, keys.secret_key, region, settings.outscale_endpoint) as api:
            try:
                found.add(api.account_id())
            except AuthError as error:
                raise AuthError(f"the keys do not open an account in {region}: {error.message}") from None
    if len(found) != 1:
        raise UsageError(f"the keys open different accounts in {', '.join(regions)}: add one account per region")
    return found.pop()
