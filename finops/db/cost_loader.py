"""Loads one billing report into the ledger: the whole file or nothing, in one transaction.

A worker connection stages the file as typed pieces (finops.db.cost_staging) while this one copies
the pieces already staged into their month partitions of `cost_lines`; rather than wait for the
worker, it stages the next piece the worker has not started itself, and casts its lines straight
into the ledger at their turn. Only a file that fails pays for finding its first bad value (line,
column, reason). The `source_files` row, the replacement of an earlier version of the same object
and the `daily_costs` refresh of every day touched commit with the lines. The rollup is the
pieces' own sums, unless a line of the file is repeated or replaced by a correction: then it is
summed again from the lines that count.

Repeated lines: `lineItem/referenceNo` (FOCUS `oci_ReferenceNumber`) is OCI's identity of a line.
A line whose referenceNo already appeared earlier in the same file is the same charge listed
again, not a second charge: the first is kept and the repeats are counted in
`source_files.rows_duplicate`. OCI's own usage sample ends with such a repeat (same referenceNo,
the unit written differently). Lines without a referenceNo (Cost Analysis scheduled reports) have
no identity to compare and are all kept.
"""

from __future__ import annotations

import csv
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import IO

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from finops.db.connect import connect
from finops.db.cost_ledger import (
    PIECE_SUMS_TABLE,
    ROLLED_UP,
    create_partitions,
    lock_source,
    record_rollup,
    refresh_daily_costs,
    retire_earlier_versions,
    summarise_file,
)
from finops.db.cost_pieces import LoadProblem, Rejected, copy_raw, create_raw_table, line_months, refuse_values
from finops.db.cost_staging import (
    OwnTurn,
    StolenPiece,
    drop_abandoned_pieces,
    load_lock,
    staged_pieces,
)
from finops.db.cost_transform import LedgerValues, ledger_values
from finops.db.report_stream import open_report
from finops.domain.cost_columns import ColumnPlan, plan_columns
from finops.domain.errors import DatabaseError, ParseError

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
                return _load(conn, dsn, uri, etag, content, size)
        except (
            psycopg.errors.DeadlockDetected,
            psycopg.errors.SerializationFailure,
            psycopg.OperationalError,
        ) as error:
            # Two loads meeting on a new month, or the server going away: worth another try.
            with suppress(psycopg.Error), conn.transaction():
                drop_abandoned_pieces(conn)  # the rollback brought back the pieces this load had dropped
            raise DatabaseError(
                f"loading {uri} met {type(error).__name__}; it will be retried", transient=True
            ) from None
        except Rejected as rejected:
            _record_failure(conn, uri, etag, size, rejected.problem)
            with conn.transaction():
                drop_abandoned_pieces(conn)  # the rollback brought back the pieces this load had dropped
            return LoadResult(status="failed", problem=rejected.problem)


def _load(conn: psycopg.Connection, dsn: str, uri: str, etag: str, content: IO[bytes], size: int | None) -> LoadResult:
    conn.execute("SET LOCAL TimeZone = 'UTC'")
    conn.execute("SET LOCAL work_mem = '128MB'")
    conn.execute("SET LOCAL temp_buffers = '64MB'")  # before the first temporary table, the file's references
    header, stream = open_report(content)
    plan = _plan(header)
    lock_source(conn, uri)
    file_id = _claim(conn, uri, etag, plan.kind, size)
    if file_id is None:
        return LoadResult(status="skipped")
    conn.execute(sql.SQL("SELECT pg_advisory_xact_lock({})").format(load_lock(file_id)))
    touched_before = retire_earlier_versions(conn, uri, etag)
    values = ledger_values(plan)
    references = plan.source_of("reference_no") is not None
    if references:
        conn.execute("CREATE TEMP TABLE file_references (reference_no text, line_number bigint) ON COMMIT DROP")
    conn.execute(PIECE_SUMS_TABLE)
    lines = 0  # of the pieces loaded so far, which come in file order
    own = _OwnPiece(conn, plan)
    try:
        with staged_pieces(dsn, plan, values, stream, file_id) as pieces:
            for step in pieces:
                if isinstance(step, StolenPiece):
                    own.stage(step.data)
                elif isinstance(step, OwnTurn):
                    lines += own.load(values, file_id, lines + 1, references)
                else:
                    create_partitions(conn, step.months)
                    _insert_lines(conn, values, file_id, step.table, step.months, lines + 1, references)
                    conn.execute(sql.SQL("DROP TABLE {}").format(step.table))
                    lines += step.lines
    except Rejected as rejected:
        if rejected.problem.line is None:
            raise
        # Lines were counted within their piece: the pieces before it come first in the file.
        raise Rejected(replace(rejected.problem, line=rejected.problem.line + lines)) from None
    duplicates = _delete_repeats(conn, file_id) if references else 0
    # The planner has not seen these lines yet (no ANALYZE, which would cost a quarter of the load)
    # and would sort them and probe the corrections once per line; hashing is right for a bulk load.
    conn.execute("SET LOCAL enable_sort = off")
    conn.execute("SET LOCAL enable_nestloop = off")
    if duplicates or _has_corrections(conn) or (references and _corrected_elsewhere(conn)):
        summary = summarise_file(conn, file_id)
    else:
        summary = record_rollup(conn, "oci")
    days = refresh_daily_costs(conn, file_id, summary, touched_before)
    loaded = lines - duplicates
    conn.execute(
        """
        UPDATE source_files SET rows = %(rows)s, rows_duplicate = %(duplicates)s, totals = %(totals)s,
               finished_at = clock_timestamp()
         WHERE id = %(id)s
        """,
        {
            "id": file_id,
            "rows": loaded,
            "duplicates": duplicates,
            "totals": Jsonb({k: str(v) for k, v in summary.totals.items()}),
        },
    )
    return LoadResult("loaded", file_id, plan.kind, loaded, duplicates, summary.totals, days, summary.accounts)


def _plan(header: bytes) -> ColumnPlan:
    header_line = header.decode("utf-8-sig", errors="replace")
    try:
        names = next(csv.reader([header_line]), [])
    except csv.Error as error:
        raise Rejected(LoadProblem(f"the header cannot be read as CSV ({error})", line=1)) from None
    try:
        return plan_columns(names)
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


class _OwnPiece:
    """A piece the loader stages itself, on its own connection, then copies straight into the ledger."""

    def __init__(self, conn: psycopg.Connection, plan: ColumnPlan) -> None:
        self.conn, self.plan = conn, plan
        self.raw: sql.Composable | None = None
        self.lines = 0
        self.refused: Rejected | None = None  # raised at the piece's turn: the pieces before it come first

    def stage(self, data: bytes) -> None:
        if self.raw is None:
            self.raw = create_raw_table(self.conn, self.plan)
        try:
            self.lines, self.refused = copy_raw(self.conn, self.plan, self.raw, data), None
        except Rejected as rejected:
            self.refused = rejected

    def load(self, values: LedgerValues, file_id: int, first_line: int, references: bool) -> int:
        """Copies the piece's lines into the ledger, as numbered in the file from ``first_line``; returns how many."""
        if self.refused is not None or self.raw is None:
            raise self.refused or Rejected(LoadProblem("a piece of the file was lost"))
        start = dict(values.computed)["charge_period_start"]
        try:
            with self.conn.transaction():
                months = line_months(self.conn, self.plan, self.raw, start)
        except psycopg.errors.DataError as error:
            refuse_values(self.conn, self.plan, self.raw, error)
        create_partitions(self.conn, months)
        try:
            _insert_lines(self.conn, values, file_id, self.raw, months, first_line, references, typed=False)
        except psycopg.errors.DataError as error:
            refuse_values(self.conn, self.plan, self.raw, error)
        return self.lines


def _insert_lines(
    conn: psycopg.Connection,
    values: LedgerValues,
    file_id: int,
    source: sql.Composable,
    months: tuple[date, ...],
    first_line: int,
    references: bool,
    *,
    typed: bool = True,
) -> None:
    """Copies a piece into the ledger, keeping its sums in `piece_sums` and its references.

    ``source`` is a typed piece table, or (``typed=False``) a text table whose values are cast on
    the way. Sums and references come from the rows as they are inserted (RETURNING), not from a
    second read.
    """
    # Straight into the month's partition when the piece has one month: routing each line costs a fifth.
    target = sql.Identifier(f"cost_lines_{months[0]:%Y_%m}" if len(months) == 1 else "cost_lines")
    computed = values.from_piece() if typed else tuple(expression for _, expression in values.computed)
    listed = sql.SQL(
        ", listed AS (INSERT INTO file_references SELECT reference_no, line_number FROM inserted"
        " WHERE reference_no IS NOT NULL)"
    )
    statement = sql.SQL(
        """
        WITH inserted AS (
            INSERT INTO {target} (source_file_id, line_number, provider, {columns})
            SELECT {file_id}, line + {line_offset}, 'oci', {values} FROM {source}
            RETURNING line_number, reference_no, sub_account_id, service_name, region_id, charge_period_start,
                      billing_currency, billed_cost, effective_cost, list_cost, is_correction
        ){listed}
        INSERT INTO piece_sums
        SELECT coalesce(sub_account_id, ''), coalesce(service_name, ''), coalesce(region_id, ''),
               (charge_period_start AT TIME ZONE 'UTC')::date, coalesce(billing_currency, ''), sum(billed_cost),
               sum(effective_cost), sum(list_cost), count(*), bool_or(is_correction), {rolled_up}
          FROM inserted GROUP BY 1, 2, 3, 4, 5, 11
        """
    ).format(
        rolled_up=sql.SQL(ROLLED_UP),
        target=target,
        columns=sql.SQL(", ").join(sql.Identifier(name) for name, _ in (*values.computed, *values.constants)),
        file_id=sql.Literal(file_id),
        line_offset=sql.Literal(first_line),
        values=sql.SQL(", ").join([*computed, *(value for _, value in values.constants)]),
        source=source,
        listed=listed if references else sql.SQL(""),
    )
    try:
        with conn.transaction():
            conn.execute(statement)
    except psycopg.errors.DataError as error:
        if not typed:
            raise  # the caller finds the value in its text table
        raise Rejected(LoadProblem(f"a value cannot be read: {_reason(error)}")) from None
    except (psycopg.errors.NotNullViolation, psycopg.errors.CheckViolation) as error:
        raise Rejected(LoadProblem(f"a value cannot be read: {_reason(error)}")) from None


def _reason(error: psycopg.Error) -> str:
    reason = error.diag.message_primary or str(error)
    if (error.diag.message_detail or "").startswith("Partition key"):
        reason += " " + (error.diag.message_detail or "")
    return reason.strip()


def _has_corrections(conn: psycopg.Connection) -> bool:
    row = conn.execute("SELECT coalesce(bool_or(corrects), false) FROM piece_sums").fetchone()
    return bool(row and row[0])


def _delete_repeats(conn: psycopg.Connection, file_id: int) -> int:
    """Drops the lines whose referenceNo came earlier in the file; returns how many."""
    # Kept in the database: a file listed twice over has as many repeats as lines. One pass finds the
    # references listed more than once; most files have none, and stop there. Sorted bytewise rather
    # than hashed: at five million references the sort takes 40 % less time (the hash table spills,
    # and misses the cache); bytewise equality is the same equality.
    conn.execute("SET LOCAL enable_hashagg = off")
    repeated = conn.execute(
        """
        CREATE TEMP TABLE repeated_references ON COMMIT DROP AS
        SELECT reference_no COLLATE "C" AS reference_no, min(line_number) AS first_line
          FROM file_references GROUP BY 1 HAVING count(*) > 1
        """
    ).rowcount
    conn.execute("SET LOCAL enable_hashagg = on")
    if repeated <= 0:
        return 0
    repeats = conn.execute(
        """
        CREATE TEMP TABLE repeated_lines ON COMMIT DROP AS
        SELECT f.line_number
          FROM file_references f JOIN repeated_references r ON f.reference_no COLLATE "C" = r.reference_no
         WHERE f.line_number > r.first_line
        """
    ).rowcount
    conn.execute(
        "DELETE FROM cost_lines l USING repeated_lines r WHERE l.source_file_id = %s AND l.line_number = r.line_number",
        [file_id],
    )
    return max(repeats, 0)


def _corrected_elsewhere(conn: psycopg.Connection) -> bool:
    """Whether a correction already in the ledger replaces one of this file's lines (it came first)."""
    row = conn.execute(
        """
        SELECT EXISTS (SELECT 1 FROM cost_lines c
                        WHERE c.is_correction AND c.provider = 'oci'
                          AND c.back_reference_no IN (SELECT reference_no FROM file_references))
        """
    ).fetchone()
    return bool(row and row[0])


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
