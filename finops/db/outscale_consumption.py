"""A day of Outscale consumption into `osc_consumption` and into the cost ledger, in one transaction.

Re-running a day changes nothing: the rows are upserted only when a value differs, and the
ledger copy is a source named after the account-day whose etag is the digest of its lines, so
the same lines are skipped and different ones (Outscale corrected the day) replace the old.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from finops.db.cost_ledger import (
    create_partitions,
    lock_source,
    refresh_daily_costs,
    retire_earlier_versions,
    summarise_file,
)
from finops.domain.outscale_consumption import ConsumptionLine
from finops.domain.outscale_focus import focus_line


@dataclass(frozen=True)
class DayOutcome:
    inserted: int
    updated: int  # changed or removed
    unchanged: int
    ledger: str  # "loaded" (new or replaced lines) or "unchanged"


def recorded_lines(conn: psycopg.Connection, account_id: str, region: str, day: date) -> int:
    row = conn.execute(
        "SELECT count(*) FROM osc_consumption WHERE account_id = %s AND region = %s AND day = %s",
        [account_id, region, day],
    ).fetchone()
    return int(row[0]) if row else 0


def record_day(
    conn: psycopg.Connection, account_id: str, region: str, currency: str, day: date, lines: list[ConsumptionLine]
) -> DayOutcome:
    """The day becomes exactly ``lines``: new keys added, changed ones updated, vanished ones removed."""
    with conn.transaction():
        conn.execute("SET LOCAL TimeZone = 'UTC'")
        inserted = updated = 0
        for line in lines:
            row = conn.execute(
                """
                INSERT INTO osc_consumption AS c (account_id, day, service, type, operation, region, category, title,
                                                  value, unit_price, price, currency, price_source, paying_account_id)
                VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
                ON CONFLICT (account_id, region, day, service, type, operation) DO UPDATE
                   SET category = EXCLUDED.category, title = EXCLUDED.title,
                       value = EXCLUDED.value, unit_price = EXCLUDED.unit_price, price = EXCLUDED.price,
                       currency = EXCLUDED.currency, price_source = EXCLUDED.price_source,
                       paying_account_id = EXCLUDED.paying_account_id, fetched_at = now()
                 WHERE (c.value, c.unit_price, c.price, c.currency, c.price_source)
                       IS DISTINCT FROM (EXCLUDED.value, EXCLUDED.unit_price, EXCLUDED.price, EXCLUDED.currency,
                                         EXCLUDED.price_source)
                RETURNING (xmax = 0)
                """,
                [
                    account_id,
                    day,
                    line.service,
                    line.type,
                    line.operation,
                    region,
                    line.category,
                    line.title,
                    line.value,
                    line.unit_price,
                    line.price,
                    currency,
                    line.source,
                    line.paying_account_id,
                ],
            ).fetchone()
            if row is not None:
                inserted += bool(row[0])
                updated += not row[0]
        removed = conn.execute(
            """
            DELETE FROM osc_consumption
             WHERE account_id = %s AND region = %s AND day = %s
               AND (service, type, operation) NOT IN (SELECT * FROM unnest(%s::text[], %s::text[], %s::text[]))
            """,
            [
                account_id,
                region,
                day,
                [x.service for x in lines],
                [x.type for x in lines],
                [x.operation for x in lines],
            ],
        ).rowcount
        ledger = _record_ledger_lines(conn, account_id, region, currency, day, lines)
    return DayOutcome(inserted, updated + removed, len(lines) - inserted - updated, ledger)


def _record_ledger_lines(
    conn: psycopg.Connection, account_id: str, region: str, currency: str, day: date, lines: list[ConsumptionLine]
) -> str:
    uri = f"outscale://{account_id}/{region}/consumption/{day.isoformat()}"
    rows = [focus_line(account_id, region, currency, day, line) for line in lines]
    etag = hashlib.sha256(json.dumps(rows, default=str, sort_keys=True).encode()).hexdigest()
    lock_source(conn, uri)
    # Partitions first: creating one locks the whole ledger, which must not come after touching it.
    create_partitions(conn, (date(day.year, day.month, 1),))
    claimed = conn.execute(
        """
        INSERT INTO source_files (uri, etag, kind, status, started_at)
        VALUES (%s, %s, 'outscale-consumption', 'loaded', clock_timestamp())
        ON CONFLICT ON CONSTRAINT source_files_uri_etag_key DO NOTHING RETURNING id
        """,
        [uri, etag],
    ).fetchone()
    if claimed is None:
        return "unchanged"
    file_id = int(claimed[0])
    touched_before = retire_earlier_versions(conn, uri, etag)
    if rows:
        columns = [column for column in rows[0] if column != "x"]
        statement = sql.SQL(
            "INSERT INTO cost_lines (source_file_id, line_number, provider, {columns}, x)"
            " VALUES (%s, %s, 'outscale', {values}, %s)"
        ).format(
            columns=sql.SQL(", ").join(sql.Identifier(column) for column in columns),
            values=sql.SQL(", ").join(sql.Placeholder() for _ in columns),
        )
        with conn.cursor() as cursor:
            cursor.executemany(
                statement,
                [
                    (file_id, number, *(row[column] for column in columns), Jsonb(row["x"]))
                    for number, row in enumerate(rows, start=1)
                ],
            )
    summary = summarise_file(conn, file_id)
    refresh_daily_costs(conn, file_id, summary, touched_before)
    conn.execute(
        "UPDATE source_files SET rows = %s, totals = %s, finished_at = clock_timestamp() WHERE id = %s",
        [len(rows), Jsonb({key: str(value) for key, value in summary.totals.items()}), file_id],
    )
    return "loaded"
