"""Loads one billing report into the ledger: the whole file or nothing, in one transaction.

The file is streamed into a temporary staging table with COPY (PostgreSQL parses the CSV), then
inserted into the month partitions of `cost_lines` in one statement that casts as it goes; only a
file that fails that statement pays for a second query finding its first bad value (line, column,
reason). The `source_files` row, the replacement of an earlier version of the same object and the
`daily_costs` refresh of every day touched commit with the lines.

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
from finops.domain.line_breaks import normalised_line_breaks

CHUNK_BYTES = 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"
_COPY_LINE = re.compile(r"line (\d+)")
_MONTH = re.compile(r"[0-9]{4}-[0-9]{2}")


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
    # Dates written 5/1/25 (FOCUS's own SaaS examples) are month first, as in the US.
    conn.execute("SET LOCAL DateStyle = 'ISO, MDY'")
    conn.execute("SET LOCAL work_mem = '128MB'")
    plan = _plan(stream)
    file_id = _claim(conn, uri, etag, plan.kind, size)
    if file_id is None:
        return LoadResult(status="skipped")
    _stage(conn, stream, plan)
    duplicates = _drop_repeated_lines(conn, plan)
    survey = _survey(conn, plan)
    if survey.suspicious:
        _check_values(conn, plan)
    _create_partitions(conn, survey.months)
    touched_before = _retire_earlier_versions(conn, uri, etag)
    try:
        with conn.transaction():
            rows = _insert_lines(conn, plan, file_id)
    except (psycopg.errors.DataError, psycopg.errors.NotNullViolation, psycopg.errors.CheckViolation) as error:
        # The fast path casts as it inserts; only a failed file pays for finding the first bad value.
        _check_values(conn, plan)
        reason = error.diag.message_primary or str(error)
        if (error.diag.message_detail or "").startswith("Partition key"):
            reason += " " + (error.diag.message_detail or "")
        raise _Rejected(LoadProblem(f"a value cannot be read: {reason.strip()}")) from None
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


def _read(read: Callable[[], bytes]) -> bytes:
    try:
        return read()
    except (EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise _Rejected(LoadProblem(f"the file is truncated or not valid gzip ({error})")) from None


def _plan(stream: IO[bytes]) -> ColumnPlan:
    header_line = _read(stream.readline).decode("utf-8-sig", errors="replace")
    try:
        header = next(csv.reader([header_line.rstrip("\r\n")]), [])
    except csv.Error as error:
        raise _Rejected(LoadProblem(f"the header cannot be read as CSV ({error})", line=1)) from None
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
            for chunk in normalised_line_breaks(iter(lambda: _read(lambda: stream.read(CHUNK_BYTES)), b"")):
                copy.write(chunk)
    except psycopg.errors.DataError as error:
        found = _COPY_LINE.search(getattr(error.diag, "context", None) or "")
        line = int(found.group(1)) + 1 if found else None
        reason = (error.diag.message_primary or str(error)).strip()
        raise _Rejected(LoadProblem(f"the CSV is malformed: {reason}", line=line)) from None


def _check_values(conn: psycopg.Connection, plan: ColumnPlan) -> None:
    checks: list[sql.Composable] = []
    for ledger_column, index in plan.columns:
        cell = _cell(plan, index)
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
                sql.Literal("charge_period_start"), _cell(plan, start)
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


@dataclass(frozen=True)
class _Survey:
    months: tuple[date, ...]
    suspicious: bool


def _survey(conn: psycopg.Connection, plan: ColumnPlan) -> _Survey:
    """One pass over the staged lines: the months they fall in, and whether a value needs a closer look.

    PostgreSQL reads NaN and Infinity as numbers and words such as 'yesterday' as timestamps; a bill
    has neither. Finding them here, with cheap tests, lets the insert cast without guards.
    """
    start = _cell(plan, plan.source_of("charge_period_start") or 0)
    tests: list[sql.Composable] = [sql.SQL("false")]
    for ledger_column, index in plan.columns:
        cell = _cell(plan, index)
        if LEDGER_TYPES[ledger_column] == "numeric":
            tests.append(sql.SQL("strpos({c}, 'n') + strpos({c}, 'N') > 0").format(c=cell))
        elif LEDGER_TYPES[ledger_column] == "timestamptz":
            tests.append(sql.SQL("ascii({c}) NOT BETWEEN 48 AND 57").format(c=cell))
    # The month is read from the text (YYYY-MM...), the cheap way; a timestamp with an offset may fall
    # in the neighbouring month once in UTC, so the months either side exist too. Other spellings
    # (5/1/25) are parsed, the few lines that use them.
    rows = conn.execute(
        sql.SQL(
            """
            SELECT month, bool_or(suspicious)
              FROM (SELECT CASE WHEN ascii({c}) NOT BETWEEN 48 AND 57 THEN NULL
                                WHEN substr({c}, 5, 1) = '-' THEN left({c}, 7)
                                WHEN pg_input_is_valid({c}, 'timestamptz')
                                THEN to_char({c}::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM') END AS month,
                           {tests} AS suspicious
                      FROM staging_lines) AS lines
             GROUP BY month
            """
        ).format(c=start, tests=sql.SQL(" OR ").join(tests))
    ).fetchall()
    months = {
        neighbour
        for month, _ in rows
        if month and _MONTH.fullmatch(month) and 1970 <= int(month[:4]) <= 2999 and 1 <= int(month[5:7]) <= 12
        for neighbour in _month_and_neighbours(date(int(month[:4]), int(month[5:7]), 1))
    }
    return _Survey(months=tuple(sorted(months)), suspicious=any(suspicious for _, suspicious in rows))


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
        following = _next_month(month)
        conn.execute(
            sql.SQL("CREATE TABLE IF NOT EXISTS {} PARTITION OF cost_lines FOR VALUES FROM ({}) TO ({})").format(
                sql.Identifier(f"cost_lines_{month:%Y_%m}"),
                sql.Literal(month.isoformat()),
                sql.Literal(following.isoformat()),
            )
        )


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _month_and_neighbours(month: date) -> tuple[date, ...]:
    previous = date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
    return (previous, month, _next_month(month))


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


def _cell(plan: ColumnPlan, index: int) -> sql.Composable:
    if plan.kind == "oci-focus":
        # FOCUS writes an absent value as the word null (its own examples do).
        return sql.SQL("nullif({}, 'null')").format(sql.Identifier(f"c{index}"))
    return sql.Identifier(f"c{index}")


def _value(plan: ColumnPlan, ledger_column: str) -> sql.Composable:
    index = plan.source_of(ledger_column)
    constant = dict(plan.constants).get(ledger_column)
    if index is None:
        if ledger_column == "is_correction":
            # FOCUS marks a correction with its ChargeClass instead.
            charge_class = plan.source_of("charge_class")
            if charge_class is None:
                return sql.Literal(False)
            return sql.SQL("coalesce({} = 'Correction', false)").format(_cell(plan, charge_class))
        # A usage report has no cost column: its lines cost nothing.
        return sql.Literal(0) if ledger_column in ("billed_cost", "effective_cost") else sql.Literal(constant)
    cell = _cell(plan, index)
    kind = LEDGER_TYPES[ledger_column]
    if kind == "numeric":
        expression: sql.Composable = sql.SQL("{}::numeric").format(cell)
        if ledger_column in ("billed_cost", "effective_cost"):
            expression = sql.SQL("coalesce({}, 0)").format(expression)
        return expression
    if kind == "timestamptz":
        return sql.SQL("{}::timestamptz").format(cell)
    if kind == "boolean":
        return sql.SQL("coalesce(lower({}) IN ('true', 't', 'y', 'yes', '1'), false)").format(cell)
    if ledger_column == "billing_currency":
        return sql.SQL("upper({})").format(cell)
    return cell


def _json_object(plan: ColumnPlan, pairs: tuple[tuple[str, int], ...]) -> sql.Composable:
    if not pairs:
        return sql.SQL("'{}'::jsonb")
    # jsonb_object over two arrays builds the object in half the time of jsonb_build_object.
    return sql.SQL("jsonb_strip_nulls(jsonb_object(ARRAY[{}]::text[], ARRAY[{}]::text[]))").format(
        sql.SQL(", ").join(sql.Literal(key) for key, _ in pairs),
        sql.SQL(", ").join(_cell(plan, index) for _, index in pairs),
    )


def _drop_repeated_lines(conn: psycopg.Connection, plan: ColumnPlan) -> int:
    reference = plan.source_of("reference_no")
    if reference is None:
        return 0
    return conn.execute(
        sql.SQL(
            """
            DELETE FROM staging_lines s
             USING (SELECT {c} AS reference_no, min(line) AS first_line FROM staging_lines
                     WHERE {c} IS NOT NULL GROUP BY {c} HAVING count(*) > 1) AS repeated
             WHERE s.{c} = repeated.reference_no AND s.line > repeated.first_line
            """
        ).format(c=sql.Identifier(f"c{reference}"))
    ).rowcount


def _insert_lines(conn: psycopg.Connection, plan: ColumnPlan, file_id: int) -> int:
    ledger_columns = [column for column in LEDGER_TYPES if column != "charge_class"]
    values = [_value(plan, column) for column in ledger_columns]
    charge_class = _value(plan, "charge_class")
    if plan.source_of("is_correction") is not None and plan.source_of("charge_class") is None:
        charge_class = sql.SQL("CASE WHEN {} THEN 'Correction' END").format(_value(plan, "is_correction"))
    tags = _json_object(plan, plan.tag_columns)
    if plan.tags_json is not None:
        cell = sql.Identifier(f"c{plan.tags_json}")
        tags = sql.SQL("{} || coalesce(CASE WHEN {c} NOT IN ('null', '') THEN {c}::jsonb END, '{{}}'::jsonb)").format(
            tags, c=cell
        )
    statement = sql.SQL(
        """
        INSERT INTO cost_lines (source_file_id, line_number, provider, {columns}, charge_class, tags, x)
        SELECT {file_id}, line + 1, 'oci', {values}, {charge_class}, {tags}, {x} FROM staging_lines
        """
    ).format(
        columns=sql.SQL(", ").join(sql.Identifier(column) for column in ledger_columns),
        file_id=sql.Literal(file_id),
        values=sql.SQL(", ").join(values),
        charge_class=charge_class,
        tags=tags,
        x=_json_object(plan, plan.extra_columns),
    )
    return conn.execute(statement).rowcount


@dataclass(frozen=True)
class _FileSummary:
    totals: dict[str, Decimal]
    accounts: tuple[str, ...]
    days: tuple[tuple[str, date], ...]
    has_corrections: bool


def _summarise(conn: psycopg.Connection, file_id: int) -> _FileSummary:
    """One pass over the file's lines that count: totals per currency, accounts and days."""
    rows = conn.execute(
        """
        SELECT provider, (charge_period_start AT TIME ZONE 'UTC')::date, billing_currency, sub_account_id,
               sum(billed_cost), bool_or(is_correction)
          FROM effective_cost_lines WHERE source_file_id = %(id)s
         GROUP BY 1, 2, 3, 4
        """,
        {"id": file_id},
    ).fetchall()
    totals: dict[str, Decimal] = {}
    for _, _, currency, _, billed, _ in rows:
        if currency is not None:
            totals[str(currency)] = totals.get(str(currency), Decimal(0)) + Decimal(billed)
    return _FileSummary(
        totals=dict(sorted(totals.items())),
        accounts=tuple(sorted({str(row[3]) for row in rows if row[3] is not None})),
        days=tuple(sorted({(str(row[0]), row[1]) for row in rows})),
        has_corrections=any(row[5] for row in rows),
    )


def _refresh_daily_costs(
    conn: psycopg.Connection, file_id: int, summary: _FileSummary, touched_before: list[tuple[str, date]]
) -> tuple[date, ...]:
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
    conn.execute("CREATE TEMP TABLE touched_days (provider text, day date) ON COMMIT DROP")
    with conn.cursor() as cursor:
        cursor.executemany("INSERT INTO touched_days VALUES (%s, %s)", ordered)
        # Two loads touching the same day take turns; the lock order is the same for everyone.
        cursor.executemany(
            "SELECT pg_advisory_xact_lock(hashtextextended('finops.daily_costs.' || %s || %s::date, 0))", ordered
        )
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
        {"first": min(day for _, day in ordered), "last": max(day for _, day in ordered)},
    )
    return tuple(sorted({day for _, day in ordered}))


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
