"""Loads one billing report into the ledger: the whole file or nothing, in one transaction.

A second connection stages the file in pieces (finops.db.cost_staging) while this one inserts the
pieces already staged into the month partitions of `cost_lines`, each in one statement that casts
as it goes; only a file that fails pays for a second query finding its first bad value (line,
column, reason). The `source_files` row, the replacement of an earlier version of the same object
and the `daily_costs` refresh of every day touched commit with the lines.

Repeated lines: `lineItem/referenceNo` (FOCUS `oci_ReferenceNumber`) is OCI's identity of a line.
A line whose referenceNo already appeared earlier in the same file is the same charge listed
again, not a second charge: the first is kept and the repeats are counted in
`source_files.rows_duplicate`. OCI's own usage sample ends with such a repeat (same referenceNo,
the unit written differently). Lines without a referenceNo (Cost Analysis scheduled reports) have
no identity to compare and are all kept.
"""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import IO

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from finops.db.connect import connect
from finops.db.cost_staging import (
    LoadProblem,
    Rejected,
    cell,
    check_values,
    drop_abandoned_pieces,
    load_lock,
    next_month,
    read_or_reject,
    staged_pieces,
)
from finops.domain.cost_columns import LEDGER_TYPES, ColumnPlan, plan_columns
from finops.domain.errors import ParseError

GZIP_MAGIC = b"\x1f\x8b"
__all__ = ["LoadProblem", "LoadResult", "load_report"]


@dataclass(frozen=True)
class LoadResult:
    status: str  # loaded, skipped (this version was loaded before) or failed
    source_file_id: int | None = None
    kind: str | None = None
    rows: int = 0
    duplicates: int = 0
    totals: dict[str, Decimal] = field(default_factory=dict)
    days: tuple[date, ...] = ()
    accounts: tuple[str, ...] = ()
    problem: LoadProblem | None = None


def load_report(dsn: str, *, uri: str, etag: str, content: IO[bytes], size: int | None) -> LoadResult:
    """``content`` is the object's bytes as stored (gzip or plain CSV), read as a stream."""
    with connect(dsn) as conn:
        try:
            with conn.transaction():
                return _load(conn, dsn, uri, etag, _text_stream(content), size)
        except Rejected as rejected:
            _record_failure(conn, uri, etag, size, rejected.problem)
            with conn.transaction():
                drop_abandoned_pieces(conn)  # the rollback brought back the pieces this load had dropped
            return LoadResult(status="failed", problem=rejected.problem)


def _load(conn: psycopg.Connection, dsn: str, uri: str, etag: str, stream: IO[bytes], size: int | None) -> LoadResult:
    conn.execute("SET LOCAL TimeZone = 'UTC'")
    # Dates written 5/1/25 (FOCUS's own SaaS examples) are month first, as in the US.
    conn.execute("SET LOCAL DateStyle = 'ISO, MDY'")
    conn.execute("SET LOCAL work_mem = '128MB'")
    plan = _plan(stream)
    file_id = _claim(conn, uri, etag, plan.kind, size)
    if file_id is None:
        return LoadResult(status="skipped")
    conn.execute(sql.SQL("SELECT pg_advisory_xact_lock({})").format(load_lock(file_id)))
    touched_before = _retire_earlier_versions(conn, uri, etag)
    rows = duplicates = 0
    with staged_pieces(dsn, plan, stream, file_id) as pieces:
        for piece in pieces:
            if piece.suspicious:
                check_values(conn, plan, piece.table)
            _create_partitions(conn, piece.months)
            _insert_lines(conn, plan, file_id, piece.table)
            conn.execute(sql.SQL("DROP TABLE {}").format(piece.table))
            rows += piece.lines - piece.repeats
            duplicates += piece.repeats
    # The planner has not seen these lines yet (no ANALYZE, which would cost a quarter of the load)
    # and would sort them and probe the corrections once per line; hashing is right for a bulk load.
    conn.execute("SET LOCAL enable_sort = off")
    conn.execute("SET LOCAL enable_nestloop = off")
    summary = _summarise(conn, file_id)
    days = _refresh_daily_costs(conn, file_id, summary, touched_before)
    totals = summary.totals
    conn.execute(
        """
        UPDATE source_files SET rows = %(rows)s, rows_duplicate = %(duplicates)s, totals = %(totals)s,
               finished_at = clock_timestamp()
         WHERE id = %(id)s
        """,
        {
            "id": file_id,
            "rows": rows,
            "duplicates": duplicates,
            "totals": Jsonb({k: str(v) for k, v in totals.items()}),
        },
    )
    return LoadResult("loaded", file_id, plan.kind, rows, duplicates, totals, days, summary.accounts)


def _text_stream(content: IO[bytes]) -> IO[bytes]:
    buffered = content if isinstance(content, io.BufferedReader) else io.BufferedReader(content)  # type: ignore[type-var]
    if buffered.peek(2)[:2] == GZIP_MAGIC:
        return gzip.GzipFile(fileobj=buffered)  # type: ignore[return-value]
    return buffered


def _plan(stream: IO[bytes]) -> ColumnPlan:
    header_line = read_or_reject(stream.readline).decode("utf-8-sig", errors="replace")
    try:
        header = next(csv.reader([header_line.rstrip("\r\n")]), [])
    except csv.Error as error:
        raise Rejected(LoadProblem(f"the header cannot be read as CSV ({error})", line=1)) from None
    try:
        return plan_columns(header)
    except ParseError as error:
        raise Rejected(LoadProblem(error.message, line=1)) from None


def _claim(conn: psycopg.Connection, uri: str, etag: str, kind: str, size: int | None) -> int | None:
    row = conn.execute(
        """
        INSERT INTO source_files (uri, etag, kind, status, bytes, started_at)
        VALUES (%(uri)s, %(etag)s, %(kind)s, 'loaded', %(bytes)s, clock_timestamp())
        ON CONFLICT ON CONSTRAINT source_files_uri_etag_key DO UPDATE
           SET status = 'loaded', kind = EXCLUDED.kind, bytes = EXCLUDED.bytes, started_at = EXCLUDED.started_at,
               error_line = NULL, error_column = NULL, error_message = NULL, finished_at = NULL
         WHERE source_files.status <> 'loaded'
        RETURNING id
        """,
        {"uri": uri, "etag": etag, "kind": kind, "bytes": size},
    ).fetchone()
    return int(row[0]) if row else None


def _create_partitions(conn: psycopg.Connection, months: tuple[date, ...]) -> None:
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
                sql.Literal(month.isoformat()),
                sql.Literal(following.isoformat()),
            )
        )


def _retire_earlier_versions(conn: psycopg.Connection, uri: str, etag: str) -> list[tuple[str, date]]:
    """A rewritten object replaces its earlier version: its lines go, the days they touched are refreshed."""
    touched = conn.execute(
        """
        SELECT DISTINCT l.provider, (l.charge_period_start AT TIME ZONE 'UTC')::date
          FROM cost_lines l JOIN source_files f ON f.id = l.source_file_id
         WHERE f.uri = %(uri)s AND f.etag <> %(etag)s AND f.status = 'loaded'
        """,
        {"uri": uri, "etag": etag},
    ).fetchall()
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


def _value(plan: ColumnPlan, ledger_column: str) -> sql.Composable:
    index = plan.source_of(ledger_column)
    constant = dict(plan.constants).get(ledger_column)
    if index is None:
        if ledger_column == "is_correction":
            # FOCUS marks a correction with its ChargeClass instead.
            charge_class = plan.source_of("charge_class")
            if charge_class is None:
                return sql.Literal(False)
            return sql.SQL("coalesce({} = 'Correction', false)").format(cell(plan, charge_class))
        # A usage report has no cost column: its lines cost nothing.
        return sql.Literal(0) if ledger_column in ("billed_cost", "effective_cost") else sql.Literal(constant)
    value = cell(plan, index)
    kind = LEDGER_TYPES[ledger_column]
    if kind == "numeric":
        expression: sql.Composable = sql.SQL("{}::numeric").format(value)
        if ledger_column in ("billed_cost", "effective_cost"):
            expression = sql.SQL("coalesce({}, 0)").format(expression)
        return expression
    if kind == "timestamptz":
        return sql.SQL("{}::timestamptz").format(value)
    if kind == "boolean":
        return sql.SQL("coalesce(lower({}) IN ('true', 't', 'y', 'yes', '1'), false)").format(value)
    if ledger_column == "billing_currency":
        return sql.SQL("upper({})").format(value)
    return value


def _json_object(plan: ColumnPlan, pairs: tuple[tuple[str, int], ...]) -> sql.Composable:
    if not pairs:
        return sql.SQL("'{}'::jsonb")
    # jsonb_object over two arrays builds the object in half the time of jsonb_build_object.
    return sql.SQL("jsonb_strip_nulls(jsonb_object(ARRAY[{}]::text[], ARRAY[{}]::text[]))").format(
        sql.SQL(", ").join(sql.Literal(key) for key, _ in pairs),
        sql.SQL(", ").join(cell(plan, index) for _, index in pairs),
    )


def _insert_lines(conn: psycopg.Connection, plan: ColumnPlan, file_id: int, piece: sql.Composable) -> None:
    ledger_columns = [column for column in LEDGER_TYPES if column != "charge_class"]
    values = [_value(plan, column) for column in ledger_columns]
    charge_class = _value(plan, "charge_class")
    if plan.source_of("is_correction") is not None and plan.source_of("charge_class") is None:
        charge_class = sql.SQL("CASE WHEN {} THEN 'Correction' END").format(_value(plan, "is_correction"))
    tags = _json_object(plan, plan.tag_columns)
    if plan.tags_json is not None:
        tags = sql.SQL("{} || coalesce(CASE WHEN {c} NOT IN ('null', '') THEN {c}::jsonb END, '{{}}'::jsonb)").format(
            tags, c=sql.Identifier(f"c{plan.tags_json}")
        )
    statement = sql.SQL(
        """
        INSERT INTO cost_lines (source_file_id, line_number, provider, {columns}, charge_class, tags, x)
        SELECT {file_id}, line + 1, 'oci', {values}, {charge_class}, {tags}, {x} FROM {piece}
        """
    ).format(
        columns=sql.SQL(", ").join(sql.Identifier(column) for column in ledger_columns),
        file_id=sql.Literal(file_id),
        values=sql.SQL(", ").join(values),
        charge_class=charge_class,
        tags=tags,
        x=_json_object(plan, plan.extra_columns),
        piece=piece,
    )
    try:
        with conn.transaction():
            conn.execute(statement)
    except (psycopg.errors.DataError, psycopg.errors.NotNullViolation, psycopg.errors.CheckViolation) as error:
        # The fast path casts as it inserts; only a failed file pays for finding the first bad value.
        check_values(conn, plan, piece)
        reason = error.diag.message_primary or str(error)
        if (error.diag.message_detail or "").startswith("Partition key"):
            reason += " " + (error.diag.message_detail or "")
        raise Rejected(LoadProblem(f"a value cannot be read: {reason.strip()}")) from None


@dataclass(frozen=True)
class _FileSummary:
    totals: dict[str, Decimal]
    accounts: tuple[str, ...]
    days: tuple[tuple[str, date], ...]
    has_corrections: bool


def _summarise(conn: psycopg.Connection, file_id: int) -> _FileSummary:
    """One pass over the file's lines that count, kept as `file_rollup`: its share of daily_costs."""
    conn.execute(
        """
        CREATE TEMP TABLE file_rollup ON COMMIT DROP AS
        SELECT provider, coalesce(sub_account_id, '') AS account_id, coalesce(service_name, '') AS service_name,
               coalesce(region_id, '') AS region_id, (charge_period_start AT TIME ZONE 'UTC')::date AS day,
               billing_currency AS currency, sum(billed_cost) AS billed_cost, sum(effective_cost) AS effective_cost,
               sum(list_cost) AS list_cost, count(*) AS lines, bool_or(is_correction) AS corrects
          FROM effective_cost_lines WHERE source_file_id = %(id)s
         GROUP BY 1, 2, 3, 4, 5, 6
        """,
        {"id": file_id},
    )
    rows = conn.execute("SELECT provider, day, currency, account_id, billed_cost, corrects FROM file_rollup").fetchall()
    totals: dict[str, Decimal] = {}
    for _, _, currency, _, billed, _ in rows:
        if currency is not None:
            totals[str(currency)] = totals.get(str(currency), Decimal(0)) + Decimal(billed)
    return _FileSummary(
        totals=dict(sorted(totals.items())),
        accounts=tuple(sorted({str(row[3]) for row in rows if row[3]})),
        days=tuple(sorted({(str(row[0]), row[1]) for row in rows})),
        has_corrections=any(row[5] for row in rows),
    )


def _refresh_daily_costs(
    conn: psycopg.Connection, file_id: int, summary: _FileSummary, touched_before: list[tuple[str, date]]
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
              FROM file_rollup WHERE currency IS NOT NULL
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
        """
        INSERT INTO daily_costs (provider, account_id, service_name, region_id, day, currency,
                                 billed_cost, effective_cost, list_cost, lines)
        SELECT l.provider, coalesce(l.sub_account_id, ''), coalesce(l.service_name, ''), coalesce(l.region_id, ''),
               t.day, l.billing_currency, sum(l.billed_cost), sum(l.effective_cost), sum(l.list_cost), count(*)
          FROM effective_cost_lines l
          JOIN touched_days t ON t.provider = l.provider AND t.day = (l.charge_period_start AT TIME ZONE 'UTC')::date
         WHERE l.billing_currency IS NOT NULL
           AND l.charge_period_start >= %(first)s::date AND l.charge_period_start < %(last)s::date + 1
         GROUP BY 1, 2, 3, 4, 5, 6
        """,
        {"first": min(day for _, day in days), "last": max(day for _, day in days)},
    )


def _record_failure(conn: psycopg.Connection, uri: str, etag: str, size: int | None, problem: LoadProblem) -> None:
    with conn.transaction():
        conn.execute(
            """
            INSERT INTO source_files (uri, etag, kind, status, bytes, error_line, error_column, error_message,
                                      started_at, finished_at)
            VALUES (%(uri)s, %(etag)s, 'oci-cost', 'failed', %(bytes)s, %(line)s, %(column)s, %(message)s,
                    clock_timestamp(), clock_timestamp())
            ON CONFLICT ON CONSTRAINT source_files_uri_etag_key DO UPDATE
               SET status = 'failed', error_line = EXCLUDED.error_line, error_column = EXCLUDED.error_column,
                   error_message = EXCLUDED.error_message, finished_at = EXCLUDED.finished_at
             WHERE source_files.status <> 'loaded'
            """,
            {
                "uri": uri,
                "etag": etag,
                "bytes": size,
                "line": problem.line,
                "column": problem.column,
                "message": problem.message,
            },
        )
