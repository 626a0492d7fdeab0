"""`resource_costs`: priced snapshots of live resources, each written whole in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import psycopg
from psycopg.types.json import Jsonb

from finops.domain.outscale_pricing import PricedResource


@dataclass(frozen=True)
class SnapshotRow:
    snapshot_at: datetime
    account_id: str
    region: str
    resource_type: str
    resource_id: str
    price_per_hour: Decimal
    price_per_month: Decimal
    currency: str
    tags: dict[str, str]
    details: dict[str, str]
    missing_prices: tuple[str, ...]


def record_snapshot(
    conn: psycopg.Connection,
    account_id: str,
    region: str,
    currency: str,
    taken_at: datetime,
    resources: list[PricedResource],
) -> None:
    with conn.transaction(), conn.cursor() as cursor:
        cursor.execute(
            "INSERT INTO resource_snapshots (account_id, region, taken_at, resources) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT DO NOTHING",
            [account_id, region, taken_at, len(resources)],
        )
        cursor.executemany(
            """
            INSERT INTO resource_costs (snapshot_at, account_id, region, resource_type, resource_id, price_per_hour,
                                        price_per_month, currency, tags, details, missing_prices)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
            ON CONFLICT DO NOTHING
            """,
            [
                (
                    taken_at,
                    account_id,
                    region,
                    r.resource_type,
                    r.resource_id,
                    r.price_per_hour,
                    r.price_per_month,
                    currency,
                    Jsonb(r.tags),
                    Jsonb(r.details),
                    list(r.missing_prices),
                )
                for r in resources
            ],
        )


def latest_snapshots(conn: psycopg.Connection, account: str | None = None) -> list[SnapshotRow]:
    """The latest snapshot of each account and region (or of ``account``: its id or name)."""
    rows = conn.execute(
        """
        SELECT r.snapshot_at, r.account_id, r.region, r.resource_type, r.resource_id, r.price_per_hour,
               r.price_per_month, r.currency, r.tags, r.details, r.missing_prices
          FROM latest_resource_costs r
         WHERE %(account)s::text IS NULL OR r.account_id = %(account)s
            OR r.account_id IN (SELECT account_id FROM cloud_accounts WHERE name = %(account)s)
         ORDER BY r.account_id, r.region, r.resource_type, r.price_per_hour DESC, r.resource_id
        """,
        {"account": account},
    ).fetchall()
    return [
        SnapshotRow(
            row[0],
            str(row[1]),
            str(row[2]),
            str(row[3]),
            str(row[4]),
            Decimal(row[5]),
            Decimal(row[6]),
            str(row[7]),
            dict(row[8]),
            dict(row[9]),
            tuple(row[10]),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class TypeTotal:
    account_id: str
    region: str
    resource_type: str
    currency: str
    resources: int
    per_hour: Decimal
    per_month: Decimal


async def latest_type_totals(conn: psycopg.AsyncConnection) -> list[TypeTotal]:
    """Per account, region and resource type, the latest snapshot's totals (what /metrics exposes)."""
    cursor = await conn.execute(
        """
        SELECT r.account_id, r.region, r.resource_type, r.currency, count(*), sum(r.price_per_hour),
               sum(r.price_per_month)
          FROM latest_resource_costs r
         GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
        """
    )
    return [
        TypeTotal(str(a), str(r), str(t), str(c), int(n), Decimal(h), Decimal(m))
        for a, r, t, c, n, h, m in await cursor.fetchall()
    ]
