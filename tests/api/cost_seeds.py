"""Signed-in clients and hand-made rows for the cost read endpoints' tests.

Every amount here is small and round enough to add up by hand in the tests that read it back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import psycopg
from litestar.testing import AsyncTestClient
from psycopg.types.json import Jsonb

from finops.db.cost_ledger import create_partitions
from tests.api.conftest import ClientFactory, sign_in
from tests.emulators.outscale import OutscaleEmulator

Client = AsyncTestClient  # type: ignore[type-arg]

OWNER = "249064296596"  # the ``outscale`` fixture's account: the first user signs in as it
TENANCY = "ocid1.tenancy.oc1..aaaaaaaaownedtenancy"  # an OCI account the first user registered
OTHER = "999999999999"  # the second user's own Outscale account
OTHER_KEYS = ("AKIAOTHERUSER0000001", "other-secret-000000000000000000000001")


@asynccontextmanager
async def signed_in(
    api_client_for: ClientFactory, dsn: str, outscale: OutscaleEmulator, keys: tuple[str, str] | None = None
) -> AsyncIterator[Client]:
    access_key, secret_key = keys or (outscale.access_key, outscale.secret_key)
    async with api_client_for(dsn, None, outscale_endpoint=outscale.endpoint) as client:
        await sign_in(client, access_key, secret_key)
        yield client


def add_other_user(outscale: OutscaleEmulator) -> tuple[str, str]:
    outscale.add_account(*OTHER_KEYS, OTHER)
    return OTHER_KEYS


def register_accounts(conn: psycopg.Connection) -> None:
    """The first user's own Outscale account and an OCI tenancy, and the second user's account."""
    conn.execute(
        """
        INSERT INTO cloud_accounts (provider, account_id, name, regions, owner, credentials_reference) VALUES
            ('outscale', %(owner)s, 'prod', '{eu-west-2,us-east-2}', %(owner)s, 'env:OSC_KEYS'),
            ('oci', %(tenancy)s, 'oci-prod', '{eu-paris-1}', %(owner)s, NULL),
            ('outscale', %(other)s, 'theirs', '{eu-west-2}', %(other)s, 'env:OTHER_KEYS')
        """,
        {"owner": OWNER, "tenancy": TENANCY, "other": OTHER},
    )


def add_consumption(
    conn: psycopg.Connection,
    account_id: str,
    day: date,
    service: str,
    price: str | None,
    value: str = "1",
    type_: str = "BoxUsage:tinav5.c2r4p2",
    currency: str = "EUR",
) -> None:
    conn.execute(
        """
        INSERT INTO osc_consumption (account_id, day, service, type, operation, region, value, price, currency,
                                     price_source)
        VALUES (%s, %s, %s, %s, 'RunInstances-OD', 'eu-west-2', %s, %s, %s, %s)
        """,
        [
            account_id,
            day,
            service,
            type_,
            Decimal(value),
            None if price is None else Decimal(price),
            currency,
            "unpriced" if price is None else "api",
        ],
    )


def add_cost_line(conn: psycopg.Connection, line: dict[str, Any]) -> None:
    """A ledger line; its month's partition is made as the loader would."""
    start: datetime = line["charge_period_start"]
    create_partitions(conn, (date(start.year, start.month, 1),))
    columns = {"source_file_id": 1, "line_number": 1, "tags": {}, **line}
    columns["tags"] = Jsonb(columns["tags"])
    names = ", ".join(columns)
    placeholders = ", ".join(f"%({name})s" for name in columns)
    conn.execute(f"INSERT INTO cost_lines ({names}) VALUES ({placeholders})", columns)  # noqa: S608 - our own names


def roll_up_daily_costs(conn: psycopg.Connection) -> None:
    """`daily_costs` as the loader keeps it: the lines that count, per provider, account, service, region, day."""
    conn.execute(
        """
        INSERT INTO daily_costs (provider, account_id, service_name, region_id, day, currency,
                                 billed_cost, effective_cost, list_cost, lines)
        SELECT provider, coalesce(sub_account_id, ''), coalesce(service_name, ''), coalesce(region_id, ''),
               (charge_period_start AT TIME ZONE 'UTC')::date, coalesce(billing_currency, ''), sum(billed_cost),
               sum(effective_cost), sum(list_cost), count(*)
          FROM effective_cost_lines WHERE billing_currency IS NOT NULL OR billed_cost <> 0 OR effective_cost <> 0
         GROUP BY 1, 2, 3, 4, 5, 6
        """
    )


def add_daily_cost(
    conn: psycopg.Connection,
    provider: str,
    account_id: str,
    service: str,
    day: date,
    billed: str,
    effective: str | None = None,
    currency: str = "EUR",
) -> None:
    conn.execute(
        """
        INSERT INTO daily_costs (provider, account_id, service_name, region_id, day, currency, billed_cost,
                                 effective_cost, lines)
        VALUES (%s, %s, %s, 'eu-west-2', %s, %s, %s, %s, 1)
        """,
        [provider, account_id, service, day, currency, Decimal(billed), Decimal(effective or billed)],
    )


def decimals(rows: list[dict[str, Any]], field: str, *keys: str) -> dict[tuple[Any, ...], Decimal]:
    """``{(row[k] for k in keys): Decimal(row[field])}``: "7.250" and "7.25" are the same amount."""
    return {tuple(row[key] for key in keys): Decimal(row[field]) for row in rows}
