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
from finops.db.cost_ledger import (
    create_partitions,
    lock_source,
    refresh_daily_costs,
    retire_earlier_versions,
    summarise_file,
)
from finops.db.cost_staging import (
    LoadProblem,
    Rejected,
    cell,
    check_values,
    drop_abandoned_pieces,
    load_lock,
    read_or_reject,
    staged_pieces,
)
from finops.domain.cost_columns import LEDGER_TYPES, ColumnPlan, plan_columns
from finops.domain.errors import DatabaseError, ParseError

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
        except (
            psycopg.errors.DeadlockDetected,
            psycopg.errors.SerializationFailure,
            psycopg.OperationalError,
        ) as error:
            # Two loads meeting on a new month, or the server going away: worth another try.
            raise DatabaseError(
                f"loading {uri} met {type(error).__name__}; it will be retried", transient=True
            ) from None
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
    lock_source(conn, uri)
    file_id = _claim(conn, uri, etag, plan.kind, size)
    if file_id is None:
        return LoadResult(status="skipped")
    conn.execute(sql.SQL("SELECT pg_advisory_xact_lock({})").format(load_lock(file_id)))
    touched_before = retire_earlier_versions(conn, uri, etag)
    rows = duplicates = 0
    with staged_pieces(dsn, plan, stream, file_id) as pieces:
        for piece in pieces:
            if piece.suspicious:
                check_values(conn, plan, piece.table)
            create_partitions(conn, piece.months)
            _insert_lines(conn, plan, file_id, piece.table)
            conn.execute(sql.SQL("DROP TABLE {}").format(piece.table))
            rows += piece.lines - piece.repeats
            duplicates += piece.repeats
    # The planner has not seen these lines yet (no ANALYZE, which would cost a quarter of the load)
    # and would sort them and probe the corrections once per line; hashing is right for a bulk load.
    conn.execute("SET LOCAL enable_sort = off")
    conn.execute("SET LOCAL enable_nestloop = off")
    summary = summarise_file(conn, file_id)
    days = refresh_daily_costs(conn, file_id, summary, touched_before)
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
