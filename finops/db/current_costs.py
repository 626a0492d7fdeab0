"""What live Outscale resources cost now (the `latest_resource_costs` view), grouped and ranked for the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import psycopg


@dataclass(frozen=True)
class CurrentGroup:
    key: str | None  # a resource type, or a tag's value; None: resources without that tag
    currency: str
    resources: int
    per_hour: Decimal
    per_month: Decimal


@dataclass(frozen=True)
class CurrentResource:
    account_id: str
    region: str
    resource_type: str
    resource_id: str
    per_hour: Decimal
    per_month: Decimal
    currency: str
    tags: dict[str, str]
    snapshot_at: datetime


async def current_groups(conn: psycopg.AsyncConnection, accounts: list[str], tag: str | None) -> list[CurrentGroup]:
    """Totals per resource type, or per value of the tag ``tag`` when given (untagged resources together)."""
    cursor = await conn.execute(
        """
        SELECT CASE WHEN %(tag)s::text IS NULL THEN r.resource_type ELSE r.tags ->> %(tag)s END AS key,
               r.currency, count(*), sum(r.price_per_hour), sum(r.price_per_month)
          FROM latest_resource_costs r
         WHERE r.account_id = ANY(%(accounts)s)
         GROUP BY 1, 2
         ORDER BY 5 DESC, 1 NULLS LAST, 2
        """,
        {"tag": tag, "accounts": accounts},
    )
    return [
        CurrentGroup(key, str(currency), int(count), Decimal(hourly), Decimal(monthly))
        for key, currency, count, hourly, monthly in await cursor.fetchall()
    ]


async def top_resources(conn: psycopg.AsyncConnection, accounts: list[str], limit: int) -> list[CurrentResource]:
    cursor = await conn.execute(
        """
        SELECT r.account_id, r.region, r.resource_type, r.resource_id, r.price_per_hour, r.price_per_month,
               r.currency, r.tags, r.snapshot_at
          FROM latest_resource_costs r
         WHERE r.account_id = ANY(%(accounts)s)
         ORDER BY r.price_per_month DESC, r.resource_id
         LIMIT %(limit)s
        """,
        {"accounts": accounts, "limit": limit},
    )
    return [
        CurrentResource(
            str(account),
            str(region),
            str(kind),
            str(resource),
            Decimal(hourly),
            Decimal(monthly),
            str(currency),
            {str(k): str(v) for k, v in dict(tags).items()},
            snapshot_at,
        )
        for account, region, kind, resource, hourly, monthly, currency, tags, snapshot_at in await cursor.fetchall()
    ]


async def latest_snapshot_times(
    conn: psycopg.AsyncConnection, accounts: list[str]
) -> tuple[datetime | None, datetime | None]:
    """The oldest and newest of the latest snapshots read: how fresh "now" is."""
    cursor = await conn.execute(
        """
        SELECT min(taken_at), max(taken_at) FROM (
            SELECT max(s.taken_at) AS taken_at FROM resource_snapshots s
             WHERE s.account_id = ANY(%(accounts)s)
             GROUP BY s.account_id, s.region) latest
        """,
        {"accounts": accounts},
    )
    row = await cursor.fetchone()
    return (row[0], row[1]) if row else (None, None)
