"""`osc_catalog_prices`: Outscale prices as history, so a past day is priced with that day's prices."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import psycopg

from finops.domain.outscale_catalog import CatalogChanges, CatalogKey, CatalogPrice, PriceList, catalog_changes


def record_catalog(
    conn: psycopg.Connection, region: str, currency: str, fresh: list[CatalogPrice], seen_at: datetime
) -> CatalogChanges:
    """A new row only when a price changes; a price that disappears ends. Safe to run twice or at once."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtextextended('finops.catalog.' || %s, 0))", [region])
        current = {
            CatalogKey(service, type_, operation): (Decimal(price), bool(per_month))
            for service, type_, operation, price, per_month in conn.execute(
                "SELECT service, type, operation, unit_price, per_month FROM osc_catalog_prices"
                " WHERE region = %s AND valid_to IS NULL",
                [region],
            )
        }
        changes = catalog_changes(current, fresh)
        ending = [price.key for price in changes.changed] + list(changes.removed)
        with conn.cursor() as cursor:
            cursor.executemany(
                "UPDATE osc_catalog_prices SET valid_to = %s WHERE region = %s AND service = %s AND type = %s"
                " AND operation = %s AND valid_to IS NULL",
                [(seen_at, region, key.service, key.type, key.operation) for key in ending],
            )
            cursor.executemany(
                """
                INSERT INTO osc_catalog_prices (region, service, type, operation, category, title, unit_price,
                                                currency, per_month, valid_from)
                VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
                """,
                [
                    (
                        region,
                        price.key.service,
                        price.key.type,
                        price.key.operation,
                        price.category,
                        price.title,
                        price.unit_price,
                        currency,
                        price.per_month,
                        seen_at,
                    )
                    for price in (*changes.added, *changes.changed)
                ],
            )
            # Titles and categories follow the catalog without making history.
            cursor.executemany(
                "UPDATE osc_catalog_prices SET title = %s, category = %s WHERE region = %s AND service = %s"
                " AND type = %s AND operation = %s AND valid_to IS NULL AND (title <> %s OR category <> %s)",
                [
                    (p.title, p.category, region, p.key.service, p.key.type, p.key.operation, p.title, p.category)
                    for p in fresh
                ],
            )
        conn.execute(
            "INSERT INTO osc_catalog_refreshes (region, refreshed_at) VALUES (%s, %s)"
            " ON CONFLICT (region) DO UPDATE SET refreshed_at = excluded.refreshed_at",
            [region, seen_at],
        )
    return changes


def prices_at(conn: psycopg.Connection, region: str, at: datetime) -> PriceList:
    """The prices in force at ``at``; else a key's last price before it; else its first price after it."""
    rows = conn.execute(
        """
        SELECT DISTINCT ON (service, type, operation) service, type, operation, unit_price, per_month, category, title
          FROM osc_catalog_prices
         WHERE region = %(region)s
         ORDER BY service, type, operation,
                  (valid_from <= %(at)s AND (valid_to IS NULL OR valid_to > %(at)s)) DESC,
                  -- else the last price known before that moment, else the first known after it
                  CASE WHEN valid_from <= %(at)s THEN valid_from END DESC NULLS LAST, valid_from
        """,
        {"region": region, "at": at},
    ).fetchall()
    return PriceList(
        CatalogPrice(CatalogKey(str(s), str(t), str(o)), Decimal(price), bool(monthly), str(category), str(title))
        for s, t, o, price, monthly, category, title in rows
    )


async def current_prices(conn: psycopg.AsyncConnection, region: str) -> tuple[list[CatalogPrice], datetime | None]:
    """The prices in force now for ``region``, and when refresh-catalog last read them (None: never)."""
    cursor = await conn.execute(
        """
        SELECT p.service, p.type, p.operation, p.unit_price, p.per_month, p.category, p.title, r.refreshed_at
          FROM osc_catalog_prices p LEFT JOIN osc_catalog_refreshes r USING (region)
         WHERE p.region = %(region)s AND p.valid_to IS NULL
         ORDER BY p.category, p.service, p.type, p.operation
        """,
        {"region": region},
    )
    rows = await cursor.fetchall()
    prices = [
        CatalogPrice(CatalogKey(str(s), str(t), str(o)), Decimal(price), bool(monthly), str(category), str(title))
        for s, t, o, price, monthly, category, title, _ in rows
    ]
    return prices, (rows[0][7] if rows else None)


async def catalog_refreshed_at(conn: psycopg.AsyncConnection, region: str) -> datetime | None:
    cursor = await conn.execute("SELECT refreshed_at FROM osc_catalog_refreshes WHERE region = %s", [region])
    row = await cursor.fetchone()
    return row[0] if row else None
