"""Checking a cloud account before it is stored: Outscale keys must open the same account in every region.

Shared by `finops accounts add` and `POST /api/accounts`; blocking (the SDK is), so the API runs it in a thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from finops.account_credentials import seal_keys
from finops.clouds.outscale.api import OutscaleApi
from finops.config import SecretReference, Settings
from finops.db.cloud_accounts import SealedKeys
from finops.domain.cloud_accounts import AccountRequest, OutscaleKeys, keys_from_secret
from finops.domain.errors import AuthError, UsageError
from finops.secret_values import read_secret


@dataclass(frozen=True)
class CheckedAccount:
    account_id: str
    reference: str | None  # credentials kept as a secret reference...
    sealed: SealedKeys | None  # ...or as encrypted keys


def checked_account(
    request: AccountRequest,
    settings: Settings,
    *,
    credentials: str | None = None,
    access_key: str | None = None,
    secret_key: str | None = None,
    account_id: str | None = None,
) -> CheckedAccount:
    reference = str(SecretReference.parse(credentials)) if credentials else None
    if request.provider != "outscale":
        if not account_id:
            raise UsageError("an OCI account needs its account id (the tenancy OCID)")
        return CheckedAccount(account_id, reference, None)
    if reference is not None:
        keys = keys_from_secret(read_secret(SecretReference.parse(reference), settings))
    elif access_key and secret_key:
        keys = OutscaleKeys(access_key, secret_key)
    else:
        raise UsageError("an Outscale account needs a credentials reference, or an access key and a secret key")
    opened = outscale_account_id(keys, request.regions, settings)
    return CheckedAccount(opened, reference, None if reference else seal_keys(keys, settings))


def outscale_account_id(keys: OutscaleKeys, regions: tuple[str, ...], settings: Settings) -> str:
    """The account the keys open (ReadAccounts), the same in every region, or a clear error."""
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
