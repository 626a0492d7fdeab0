"""Loads one billing report into the ledger: the whole file or nothing, in one transaction.

The file is streamed into a staging table with COPY (PostgreSQL parses the CSV), checked in one
set-based query (the first bad value gives the line, column and reason), then inserted into the
month partitions of `cost_lines` in one statement. The `source_files` row, the replacement of an
earlier version of the same object and the `daily_costs` refresh of every day touched commit with
it. Exact duplicate lines inside a file (the same bytes twice) are an export artefact, not a second
charge: the first is kept and the others are counted in `source_files.rows_duplicate`. Lines that
share a referenceNo but differ (the last two lines of OCI's usage sample differ in their unit) are
different facts and are all kept.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import IO

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from finops.domain.cost_columns import LEDGER_TYPES, ColumnPlan, plan_columns
from finops.domain.errors import ParseError

CHUNK_BYTES = 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"
JSONB_PAIRS_PER_CALL = 50  # jsonb_build_object takes at most 100 arguments
_COPY_LINE = re.compile(r"line (\d+)")


@dataclass(frozen=True)
class LoadProblem:
    message: str
    line: int | None = None
    column: str | None = None


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


class _Rejected(Exception):
    def __init__(self, problem: LoadProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def load_report(conn: psycopg.Connection, *, uri: str, etag: str, content: IO[bytes], size: int | None) -> LoadResult:
    """``content`` is the object's bytes as stored (gzip or plain CSV), read as a stream."""
    try:
        with conn.transaction():
            return _load(conn, uri, etag, _text_stream(content), size)
    except _Rejected as rejected:
        _record_failure(conn, uri, etag, size, rejected.problem)
        return LoadResult(status="failed", problem=rejected.problem)


def _load(conn: psycopg.Connection, uri: str, etag: str, stream: IO[bytes], size: int | None) -> LoadResult:
    conn.execute("SET LOCAL TimeZone = 'UTC'")
    conn.execute("SET LOCAL work_mem = '128MB'")
    plan = _plan(stream)
    file_id = _claim(conn, uri, etag, plan.kind, size)
    if file_id is None:
        return LoadResult(status="skipped")
    _stage(conn, stream, plan)
    _create_partitions(conn, plan)
    touched_before = _retire_earlier_versions(conn, uri, etag)
    try:
        with conn.transaction():
            rows, duplicates = _insert_lines(conn, plan, file_id)
    except (psycopg.errors.DataError, psycopg.errors.NotNullViolation) as error:
        # The fast path casts as it inserts; only a failed file pays for finding the first bad value.
        _check_values(conn, plan)
        raise _Rejected(
            LoadProblem(f"a value cannot be read: {(error.diag.message_primary or str(error)).strip()}")
        ) from None
    days = _refresh_daily_costs(conn, file_id, touched_before)
    totals = _totals(conn, file_id)
    accounts = tuple(
        str(row[0])
        for row in conn.execute(
            "SELECT DISTINCT sub_account_id FROM cost_lines"
            " WHERE source_file_id = %(id)s AND sub_account_id IS NOT NULL",
            {"id": file_id},
        )
    )
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
    return LoadResult("loaded", file_id, plan.kind, rows, duplicates, totals, days, accounts)


def _text_stream(content: IO[bytes]) -> IO[bytes]:
    buffered = content if isinstance(content, io.BufferedReader) else io.BufferedReader(content)  # type: ignore[type-var]
    if buffered.peek(2)[:2] == GZIP_MAGIC:
        return gzip.GzipFile(fileobj=buffered)  # type: ignore[return-value]
    return buffered


def _read(read: Callable[[], bytes]) -> bytes:
    try:
        return read()
    except (EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise _Rejected(LoadProblem(f"the file is truncated or not valid gzip ({error})")) from None


def _plan(stream: IO[bytes]) -> ColumnPlan:
    header_line = _read(stream.readline).decode("utf-8-sig", errors="replace")
    header = next(csv.reader([header_line]), [])
    try:
        return plan_columns(header)
    except ParseError as error:
        raise _Rejected(LoadProblem(error.message, line=1)) from None


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


def _staging_columns(plan: ColumnPlan) -> list[sql.Identifier]:
    return [sql.Identifier(f"c{index}") for index in range(plan.width)]


def _stage(conn: psycopg.Connection, stream: IO[bytes], plan: ColumnPlan) -> None:
    columns = _staging_columns(plan)
    conn.execute(
        sql.SQL("CREATE TEMP TABLE staging_lines (line bigint GENERATED ALWAYS AS IDENTITY, {}) ON COMMIT DROP").format(
            sql.SQL(", ").join(sql.SQL("{} text").format(column) for column in columns)
        )
    )
    copy_sql = sql.SQL("COPY staging_lines ({}) FROM STDIN WITH (FORMAT csv)").format(sql.SQL(", ").join(columns))
    try:
        with conn.cursor().copy(copy_sql) as copy:
            while chunk := _read(lambda: stream.read(CHUNK_BYTES)):
                copy.write(chunk)
    except psycopg.errors.DataError as error:
        found = _COPY_LINE.search(getattr(error.diag, "context", None) or "")
        line = int(found.group(1)) + 1 if found else None
        reason = (error.diag.message_primary or str(error)).strip()
        raise _Rejected(LoadProblem(f"the CSV is malformed: {reason}", line=line)) from None


def _check_values(conn: psycopg.Connection, plan: ColumnPlan) -> None:
    checks: list[sql.Composable] = []
    for ledger_column, index in plan.columns:
        cell = sql.Identifier(f"c{index}")
        kind = LEDGER_TYPES[ledger_column]
        if kind == "numeric":
            reason = sql.SQL(
                "CASE WHEN {c} IS NOT NULL AND (NOT pg_input_is_valid({c}, 'numeric')"
                " OR lower({c}) IN ('nan', 'infinity', '+infinity', '-infinity', 'inf', '+inf', '-inf'))"
                " THEN 'not a number: ' || left({c}, 60) END"
            ).format(c=cell)
        elif kind == "timestamptz":
            reason = sql.SQL(
                # PostgreSQL also reads words ('yesterday', 'infinity'); a report's timestamps are digits.
                "CASE WHEN {c} IS NOT NULL AND ({c} !~ '^[0-9]' OR NOT pg_input_is_valid({c}, 'timestamptz'))"
                " THEN 'not a timestamp: ' || left({c}, 60) END"
            ).format(c=cell)
        else:
            continue
        checks.append(sql.SQL("({}, {})").format(sql.Literal(ledger_column), reason))
    start = plan.source_of("charge_period_start")
    if start is not None:
        checks.append(
            sql.SQL("({}, CASE WHEN {} IS NULL THEN 'the charge period start is empty' END)").format(
                sql.Literal("charge_period_start"), sql.Identifier(f"c{start}")
            )
        )
    if plan.tags_json is not None:
        cell = sql.Identifier(f"c{plan.tags_json}")
        checks.append(
            sql.SQL(
                "('tags', CASE WHEN {c} IS NOT NULL AND {c} NOT IN ('null', '') AND NOT ({c} IS JSON OBJECT)"
                " THEN 'Tags is not a JSON object' END)"
            ).format(c=cell)
        )
    if not checks:
        return
    found = conn.execute(
        sql.SQL(
            "SELECT s.line, v.name, v.reason FROM staging_lines s CROSS JOIN LATERAL (VALUES {}) AS v(name, reason)"
            " WHERE v.reason IS NOT NULL ORDER BY s.line LIMIT 1"
        ).format(sql.SQL(", ").join(checks))
    ).fetchone()
    if found:
        source = plan.source_of(str(found[1]))
        column = plan.header[source] if source is not None else str(found[1])
        if found[1] == "tags" and plan.tags_json is not None:
            column = plan.header[plan.tags_json]
        raise _Rejected(LoadProblem(str(found[2]), line=int(found[0]) + 1, column=column))


def _create_partitions(conn: psycopg.Connection, plan: ColumnPlan) -> None:
    start = sql.Identifier(f"c{plan.source_of('charge_period_start')}")
    months = [
        row[0]
        for row in conn.execute(
            sql.SQL(
                "SELECT DISTINCT date_trunc('month', {c}::timestamptz)::date FROM staging_lines"
                " WHERE {c} ~ '^[0-9]' AND pg_input_is_valid({c}, 'timestamptz')"
            ).format(c=start)
        )
    ]
    if not months:
        return
    # Two loads may meet the same new month: one creates the partition, the other waits here.
    conn.execute("SELECT pg_advisory_xact_lock(hashtextextended('finops.cost_lines.partitions', 0))")
    for month in months:
        following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
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
        # A usage report has no cost column: its lines cost nothing.
        return sql.Literal(0) if ledger_column in ("billed_cost", "effective_cost") else sql.Literal(constant)
    cell = sql.Identifier(f"c{index}")
    kind = LEDGER_TYPES[ledger_column]
    if kind == "numeric":
        # NaN and Infinity are numerics to PostgreSQL, not to a bill: they fail the cast on purpose
        # (built from the value, so the planner cannot fold it into an error for every file).
        expression: sql.Composable = sql.SQL(
            "CASE WHEN strpos(lower({c}), 'n') > 0 THEN ('NaN or infinite: ' || {c})::numeric ELSE {c}::numeric END"
        ).format(c=cell)
        if ledger_column in ("billed_cost", "effective_cost"):
            expression = sql.SQL("coalesce({}, 0)").format(expression)
        return expression
    if kind == "timestamptz":
        # Words such as 'yesterday' are timestamps to PostgreSQL; a report's timestamps start with digits.
        return sql.SQL(
            "CASE WHEN {c} IS NULL OR {c} ~ '^[0-9]' THEN {c}::timestamptz"
            " ELSE ('not a timestamp: ' || {c})::timestamptz END"
        ).format(c=cell)
    if kind == "boolean":
        return sql.SQL("coalesce(lower({}) IN ('true', 't', 'y', 'yes', '1'), false)").format(cell)
    if ledger_column == "billing_currency":
        return sql.SQL("upper({})").format(cell)
    return cell


def _json_object(pairs: tuple[tuple[str, int], ...]) -> sql.Composable:
    if not pairs:
        return sql.SQL("'{}'::jsonb")
    calls = []
    for start in range(0, len(pairs), JSONB_PAIRS_PER_CALL):
        arguments = sql.SQL(", ").join(
            sql.SQL("{}, {}").format(sql.Literal(key), sql.Identifier(f"c{index}"))
            for key, index in pairs[start : start + JSONB_PAIRS_PER_CALL]
        )
        calls.append(sql.SQL("jsonb_strip_nulls(jsonb_build_object({}))").format(arguments))
    return sql.SQL(" || ").join(calls)


def _insert_lines(conn: psycopg.Connection, plan: ColumnPlan, file_id: int) -> tuple[int, int]:
    ledger_columns = [column for column in LEDGER_TYPES if column != "charge_class"]
    values = [_value(plan, column) for column in ledger_columns]
    charge_class = _value(plan, "charge_class")
    if plan.source_of("is_correction") is not None and plan.source_of("charge_class") is None:
        charge_class = sql.SQL("CASE WHEN {} THEN 'Correction' END").format(_value(plan, "is_correction"))
    tags = _json_object(plan.tag_columns)
    if plan.tags_json is not None:
        cell = sql.Identifier(f"c{plan.tags_json}")
        tags = sql.SQL("{} || coalesce(CASE WHEN {c} NOT IN ('null', '') THEN {c}::jsonb END, '{{}}'::jsonb)").format(
            tags, c=cell
        )
    every_cell = sql.SQL(", ").join(_staging_columns(plan))
    statement = sql.SQL(
        """
        INSERT INTO cost_lines (source_file_id, line_number, provider, {columns}, charge_class, tags, x)
        SELECT {file_id}, line + 1, 'oci', {values}, {charge_class}, {tags}, {x}
          FROM (SELECT DISTINCT ON (hashtextextended(ROW({every_cell})::text, 0), ROW({every_cell})::text) *
                  FROM staging_lines
                 ORDER BY hashtextextended(ROW({every_cell})::text, 0), ROW({every_cell})::text, line) AS distinct_lines
        """
    ).format(
        columns=sql.SQL(", ").join(sql.Identifier(column) for column in ledger_columns),
        file_id=sql.Literal(file_id),
        values=sql.SQL(", ").join(values),
        charge_class=charge_class,
        tags=tags,
        x=_json_object(plan.extra_columns),
        every_cell=every_cell,
    )
    inserted = conn.execute(statement).rowcount
    staged_row = conn.execute("SELECT count(*) FROM staging_lines").fetchone()
    staged = int(staged_row[0]) if staged_row else 0
    return inserted, staged - inserted


def _refresh_daily_costs(
    conn: psycopg.Connection, file_id: int, touched_before: list[tuple[str, date]]
) -> tuple[date, ...]:
    conn.execute("CREATE TEMP TABLE touched_days (provider text, day date) ON COMMIT DROP")
    conn.execute(
        """
        INSERT INTO touched_days
        SELECT DISTINCT provider, (charge_period_start AT TIME ZONE 'UTC')::date FROM cost_lines
         WHERE source_file_id = %(id)s
        UNION
        -- the days of the lines this file's corrections replace, wherever they were loaded from
        SELECT DISTINCT o.provider, (o.charge_period_start AT TIME ZONE 'UTC')::date
          FROM cost_lines c JOIN cost_lines o ON o.provider = c.provider AND o.reference_no = c.back_reference_no
         WHERE c.source_file_id = %(id)s AND c.is_correction
        """,
        {"id": file_id},
    )
    with conn.cursor() as cursor:
        cursor.executemany("INSERT INTO touched_days VALUES (%s, %s)", touched_before)
    conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended('finops.daily_costs.' || provider || day, 0))"
        " FROM (SELECT DISTINCT provider, day FROM touched_days ORDER BY 1, 2) AS days"
    )
    conn.execute("DELETE FROM daily_costs d USING touched_days t WHERE d.provider = t.provider AND d.day = t.day")
    conn.execute(
        """
        INSERT INTO daily_costs (provider, account_id, service_name, region_id, day, currency,
                                 billed_cost, effective_cost, list_cost, lines)
        SELECT l.provider, coalesce(l.sub_account_id, ''), coalesce(l.service_name, ''), coalesce(l.region_id, ''),
               t.day, l.billing_currency, sum(l.billed_cost), sum(l.effective_cost), sum(l.list_cost), count(*)
          FROM (SELECT DISTINCT provider, day FROM touched_days) AS t
          JOIN effective_cost_lines l
            ON l.provider = t.provider AND l.charge_period_start >= t.day AND l.charge_period_start < t.day + 1
         WHERE l.billing_currency IS NOT NULL
         GROUP BY 1, 2, 3, 4, 5, 6
        """
    )
    return tuple(row[0] for row in conn.execute("SELECT DISTINCT day FROM touched_days ORDER BY 1"))


def _totals(conn: psycopg.Connection, file_id: int) -> dict[str, Decimal]:
    rows = conn.execute(
        """
        SELECT billing_currency, sum(billed_cost) FROM effective_cost_lines
         WHERE source_file_id = %(id)s AND billing_currency IS NOT NULL GROUP BY 1 ORDER BY 1
        """,
        {"id": file_id},
    )
    return {str(currency): Decimal(total) for currency, total in rows}


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
