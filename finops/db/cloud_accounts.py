"""`cloud_accounts`: keys go in sealed and come out only to call the cloud; listings never show them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg

from finops.domain.errors import UsageError


class DuplicateAccount(UsageError):
    pass


@dataclass(frozen=True)
class StoredAccount:
    id: int
    provider: str
    account_id: str
    name: str
    regions: tuple[str, ...]
    owner: str
    credentials: str  # "reference <ref>", "encrypted keys" or "none": what, never the secret
    created_at: datetime


@dataclass(frozen=True)
class SealedKeys:
    access_key: bytes
    secret_key: bytes


def add_account(
    conn: psycopg.Connection,
    *,
    provider: str,
    account_id: str,
    name: str,
    regions: tuple[str, ...],
    owner: str,
    reference: str | None = None,
    sealed: SealedKeys | None = None,
) -> int:
    try:
        row = conn.execute(
            """
            INSERT INTO cloud_accounts (provider, account_id, name, regions, owner, credentials_reference,
                                        access_key_encrypted, secret_key_encrypted)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id
            """,
            [
                provider,
                account_id,
                name,
                list(regions),
                owner,
                reference,
                sealed.access_key if sealed else None,
                sealed.secret_key if sealed else None,
            ],
        ).fetchone()
    except psycopg.errors.UniqueViolation:
        raise DuplicateAccount(f"{provider} account {account_id} is already there for {owner}") from None
    assert row is not None
    return int(row[0])


def list_accounts(
    conn: psycopg.Connection, owner: str | None = None, provider: str | None = None
) -> list[StoredAccount]:
    rows = conn.execute(
        """
        SELECT id, provider, account_id, name, regions, owner,
               CASE WHEN credentials_reference IS NOT NULL THEN 'reference ' || credentials_reference
                    WHEN access_key_encrypted IS NOT NULL THEN 'encrypted keys' ELSE 'none' END,
               created_at
          FROM cloud_accounts
         WHERE (%(owner)s::text IS NULL OR owner = %(owner)s)
           AND (%(provider)s::text IS NULL OR provider = %(provider)s)
         ORDER BY provider, name, id
        """,
        {"owner": owner, "provider": provider},
    ).fetchall()
    return [
        StoredAccount(int(r[0]), str(r[1]), str(r[2]), str(r[3]), tuple(r[4]), str(r[5]), str(r[6]), r[7]) for r in rows
    ]


def remove_account(conn: psycopg.Connection, identifier: str, owner: str | None = None) -> int:
    """``identifier`` is our id or the cloud's account id; returns how many accounts went."""
    return conn.execute(
        """
        DELETE FROM cloud_accounts
         WHERE (id::text = %(identifier)s OR account_id = %(identifier)s)
           AND (%(owner)s::text IS NULL OR owner = %(owner)s)
        """,
        {"identifier": identifier, "owner": owner},
    ).rowcount


def remove_account_by_id(conn: psycopg.Connection, account: int, owner: str) -> int:
    return conn.execute("DELETE FROM cloud_accounts WHERE id = %s AND owner = %s", [account, owner]).rowcount


def credentials_of(conn: psycopg.Connection, account: StoredAccount) -> tuple[str | None, SealedKeys | None]:
    row = conn.execute(
        "SELECT credentials_reference, access_key_encrypted, secret_key_encrypted FROM cloud_accounts WHERE id = %s",
        [account.id],
    ).fetchone()
    if row is None:
        return None, None
    reference, access, secret = row
    return (str(reference) if reference else None), (SealedKeys(bytes(access), bytes(secret)) if access else None)
