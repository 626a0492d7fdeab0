"""The keys of a stored cloud account, unsealed or read from their secret only when a call needs them."""

from __future__ import annotations

import psycopg

from finops.config import SecretReference, Settings
from finops.db.cloud_accounts import SealedKeys, StoredAccount, credentials_of
from finops.domain.cloud_accounts import OutscaleKeys, keys_from_secret
from finops.domain.errors import ConfigError
from finops.secret_box import SecretBox
from finops.secret_values import read_secret


def seal_keys(keys: OutscaleKeys, settings: Settings) -> SealedKeys:
    box = SecretBox.from_settings(settings)
    return SealedKeys(box.seal(keys.access_key), box.seal(keys.secret_key))


def outscale_keys(conn: psycopg.Connection, account: StoredAccount, settings: Settings) -> OutscaleKeys:
    reference, sealed = credentials_of(conn, account)
    if reference is not None:
        return keys_from_secret(read_secret(SecretReference.parse(reference), settings))
    if sealed is not None:
        box = SecretBox.from_settings(settings)
        return OutscaleKeys(box.open(sealed.access_key), box.open(sealed.secret_key))
    raise ConfigError(f"account {account.name} ({account.account_id}) has no credentials")
