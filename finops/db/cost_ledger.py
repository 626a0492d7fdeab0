"""The cost ledger shared by every writer (OCI reports, Outscale consumption): month partitions,
replacing an earlier version of a source, and keeping `daily_costs` in step with the lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import psycopg
from psycopg import sql

from finops.domain.periods import next_month


def lock_source(conn: psycopg.Connection, uri: str) -> None:
    """Two versions of one source loading at once take turns, so the later one sees and replaces the first."""
    conn.execute("SELECT pg_advisory_xact_lock(hashtextextended('finops.source.' || %s, 0))", [uri])


def create_partitions(conn: psycopg.Connection, months: tuple[date, ...]) -> None:
    if not months:
        return
    # Two loads may meet the same new month: one creates the partition, the other waits here.
    conn.execute("SELECT pg_advisory_xact_lock(hashtextextended('finops.cost_lines.partitions', 0))")
    existing = {
        str(row[0])
        for row in conn.execute(
            "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = 'cost_lines'::regclass"
        )
    }
    for month in months:
        if f"cost_lines_{month:%Y_%m}" in existing:
            continue
        following = next_month(month)
        conn.execute(
            sql.SQL("CREATE TABLE IF NOT EXISTS {} PARTITION OF cost_lines FOR VALUES FROM ({}) TO ({})").format(
                sql.Identifier(f"cost_lines_{month:%Y_%m}"),
                # Bounds at UTC midnight whatever the session's time zone: a month is a UTC month.
                sql.Literal(f"{month.isoformat()} 00:00:00+00"),
                sql.Literal(f"{following.isoformat()} 00:00:00+00"),
            )
        )


def retire_earlier_versions(conn: psycopg.Connection, uri: str, etag: str) -> list[tuple[str, date]]:
    """A rewritten object replaces its earlier version: its lines go, the days they touched are refreshed."""
    touched = conn.execute(
        """
        SELECT DISTINCT l.provider, (l.charge_period_start AT TIME ZONE 'UTC')::date
          FROM cost_lines l JOIN source_files f ON f.id = l.source_file_id
         WHERE f.uri = %(uri)s AND f.etag <> %(etag)s AND f.status = 'loaded'
        """,
        {"uri": uri, "etag": etag},
    ).fetchall()
    touched += _days_replaced_by_corrections_of(conn, uri, etag)
    conn.execute(
        """
        WITH earlier AS (
            UPDATE source_files SET status = 'replaced', error_message = 'replaced by etag ' || %(etag)s
             WHERE uri = %(uri)s AND etag <> %(etag)s AND status = 'loaded'
            RETURNING id
        )
        DELETE FROM cost_lines WHERE source_file_id IN (SELECT id FROM earlier)
        """,
        {"uri": uri, "etag": etag},
    )
    return [(str(provider), day) for provider, day in touched]


def _days_replaced_by_corrections_of(conn: psycopg.Connection, uri: str, etag: str) -> list[tuple[object, ...]]:
    """The days of lines, in any file, that the earlier version's corrections hid: they count again."""
    targets = conn.execute(
        """
        SELECT c.provider, c.back_reference_no
          FROM cost_lines c JOIN source_files f ON f.id = c.source_file_id
         WHERE c.is_correction AND f.uri = %(uri)s AND f.etag <> %(etag)s AND f.status = 'loaded'
        """,
        {"uri": uri, "etag": etag},
    ).fetchall()
    if not targets:
        return []
    return conn.execute(
        """
        SELECT DISTINCT o.provider, (o.charge_period_start AT TIME ZONE 'UTC')::date
          FROM cost_lines o JOIN unnest(%(providers)s::text[], %(references)s::text[]) AS t(provider, reference_no)
            ON o.provider = t.provider AND o.reference_no = t.reference_no
        """,
        {"providers": [row[0] for row in targets], "references": [row[1] for row in targets]},
    ).fetchall()


# The lines daily_costs sums: a line without a currency is summed under '' when it costs something
# (money in no known currency is still spent, and shown), and left out when it costs nothing (OCI
# writes some free lines without one, and usage reports have no currency at all). Left out of the
# sums, such lines still tell which days and accounts a file touched.
ROLLED_UP = "(billing_currency IS NOT NULL OR billed_cost <> 0 OR effective_cost <> 0)"


@dataclass(frozen=True)
class FileSummary:
    totals: dict[str, Decimal]
    accounts: tuple[str, ...]
    days: tuple[tuple[str, date], ...]
    has_corrections: bool


_ROLLUP_TABLE = """
    CREATE TEMP TABLE file_rollup (provider text, account_id text, service_name text, region_id text, day date,
                                   currency text, billed_cost numeric, effective_cost numeric, list_cost numeric,
                                   lines bigint, corrects boolean, counted boolean) ON COMMIT DROP
"""


def summarise_file(conn: psycopg.Connection, file_id: int) -> FileSummary:
    """One pass over the file's lines that count, kept as `file_rollup`: its share of daily_costs."""
    conn.execute(_ROLLUP_TABLE)
    conn.execute(
        sql.SQL(
            """
            INSERT INTO file_rollup
            SELECT provider, coalesce(sub_account_id, ''), coalesce(service_name, ''), coalesce(region_id, ''),
                   (charge_period_start AT TIME ZONE 'UTC')::date, coalesce(billing_currency, ''), sum(billed_cost),
                   sum(effective_cost), sum(list_cost), count(*), bool_or(is_correction), {rolled_up}
              FROM effective_cost_lines WHERE source_file_id = %(id)s
             GROUP BY 1, 2, 3, 4, 5, 6, 12
            """
        ).format(rolled_up=sql.SQL(ROLLED_UP)),
        {"id": file_id},
    )
    return _summary(conn)


PIECE_SUMS_TABLE = """
    CREATE TEMP TABLE piece_sums (account_id text, service_name text, region_id text, day date, currency text,
                                  billed_cost numeric, effective_cost numeric, list_cost numeric, lines bigint,
                                  corrects boolean, counted boolean) ON COMMIT DROP
"""


def record_rollup(conn: psycopg.Connection, provider: str) -> FileSummary:
    """Keeps as `file_rollup` the sums the loader made piece by piece (`piece_sums`), merged.

    Only for a file none of whose lines is repeated or replaced: then its lines that count are all
    of them.
    """
    conn.execute(_ROLLUP_TABLE)
    conn.execute(
        """
        INSERT INTO file_rollup
        SELECT %(provider)s, account_id, service_name, region_id, day, currency, sum(billed_cost),
               sum(effective_cost), sum(list_cost), sum(lines), bool_or(corrects), counted
          FROM piece_sums GROUP BY 2, 3, 4, 5, 6, 12
        """,
        {"provider": provider},
    )
    return _summary(conn)


def _summary(conn: psycopg.Connection) -> FileSummary:
    rows = conn.execute(
        "SELECT provider, day, currency, account_id, billed_cost, corrects, counted FROM file_rollup"
    ).fetchall()
    totals: dict[str, Decimal] = {}
    for _, _, currency, _, billed, _, counted in rows:
        if counted:
            totals[str(currency)] = totals.get(str(currency), Decimal(0)) + Decimal(billed)
    return FileSummary(
        totals=dict(sorted(totals.items())),
        accounts=tuple(sorted({str(row[3]) for row in rows if row[3]})),
        days=tuple(sorted({(str(row[0]), row[1]) for row in rows})),
        has_corrections=any(row[5] for row in rows),
    )


def refresh_daily_costs(
    conn: psycopg.Connection, file_id: int, summary: FileSummary, touched_before: list[tuple[str, date]]
) -> tuple[date, ...]:
    """Brings daily_costs up to date for the days the file touched.

    A file that only adds lines adds its own rollup to those days (work in proportion to the file,
    not to the day: an hourly file does not re-read the day's other files). A file that replaces an
    earlier version, or corrects lines, makes the days it touched be summed again from the ledger.
    """
    touched = set(summary.days) | set(touched_before)
    if summary.has_corrections:
        # the days of the lines this file's corrections replace, wherever they were loaded from
        touched |= {
            (str(provider), day)
            for provider, day in conn.execute(
                """
                SELECT DISTINCT o.provider, (o.charge_period_start AT TIME ZONE 'UTC')::date
                  FROM cost_lines c
                  JOIN cost_lines o ON o.provider = c.provider AND o.reference_no = c.back_reference_no
                 WHERE c.source_file_id = %(id)s AND c.is_correction
                """,
                {"id": file_id},
            )
        }
    ordered = sorted(touched)
    if not ordered:
        return ()
    with conn.cursor() as cursor:
        # Two loads touching the same day take turns; the lock order is the same for everyone.
        cursor.executemany(
            "SELECT pg_advisory_xact_lock(hashtextextended('finops.daily_costs.' || %s || %s::date, 0))", ordered
        )
    if summary.has_corrections or touched_before:
        _sum_days_again(conn, ordered)
    else:
        conn.execute(
            """
            INSERT INTO daily_costs AS d (provider, account_id, service_name, region_id, day, currency,
                                          billed_cost, effective_cost, list_cost, lines)
            SELECT provider, account_id, service_name, region_id, day, currency,
                   billed_cost, effective_cost, list_cost, lines
              FROM file_rollup WHERE counted
            ON CONFLICT (provider, day, account_id, service_name, region_id, currency) DO UPDATE
               SET billed_cost = d.billed_cost + EXCLUDED.billed_cost,
                   effective_cost = d.effective_cost + EXCLUDED.effective_cost,
                   -- sum() of no list cost is NULL; adding to it must not lose the other side
                   list_cost = CASE WHEN d.list_cost IS NULL AND EXCLUDED.list_cost IS NULL THEN NULL
                                    ELSE coalesce(d.list_cost, 0) + coalesce(EXCLUDED.list_cost, 0) END,
                   lines = d.lines + EXCLUDED.lines
            """
        )
    return tuple(sorted({day for _, day in ordered}))


def _sum_days_again(conn: psycopg.Connection, days: list[tuple[str, date]]) -> None:
    conn.execute("CREATE TEMP TABLE touched_days (provider text, day date) ON COMMIT DROP")
    with conn.cursor() as cursor:
        cursor.executemany("INSERT INTO touched_days VALUES (%s, %s)", days)
    conn.execute("DELETE FROM daily_costs d USING touched_days t WHERE d.provider = t.provider AND d.day = t.day")
    conn.execute(
        sql.SQL(
            """
            INSERT INTO daily_costs (provider, account_id, service_name, region_id, day, currency,
                                     billed_cost, effective_cost, list_cost, lines)
            SELECT l.provider, coalesce(l.sub_account_id, ''), coalesce(l.service_name, ''),
                   coalesce(l.region_id, ''), t.day, coalesce(l.billing_currency, ''), sum(l.billed_cost),
                   sum(l.effective_cost), sum(l.list_cost), count(*)
              FROM effective_cost_lines l
              JOIN touched_days t ON t.provider = l.provider
                                 AND t.day = (l.charge_period_start AT TIME ZONE 'UTC')::date
             WHERE {rolled_up}
               AND l.charge_period_start >= %(first)s::date AND l.charge_period_start < %(last)s::date + 1
             GROUP BY 1, 2, 3, 4, 5, 6
            """
        ).format(rolled_up=sql.SQL(ROLLED_UP)),
        {"first": min(day for _, day in days), "last": max(day for _, day in days)},
    )
