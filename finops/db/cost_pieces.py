"""One piece of a billing report, staged on a worker's connection: COPY, casts, months, first bad value.

The piece's CSV goes into a TEMP table of text columns (PostgreSQL's CSV reader is its fastest
parser); the casts and the JSONB (finops.db.cost_transform) make of it an UNLOGGED table in
`finops_staging` that the loading transaction copies into the ledger. The loading transaction
uses the same COPY, months and checks for a piece it stages itself. A piece that cannot load
rejects the file, naming the line (counted within the piece) and the column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import NoReturn

import psycopg
from psycopg import sql

from finops.db.cost_transform import FALSE_WORDS, TRUE_WORDS, LedgerValues, cell
from finops.domain.cost_columns import LEDGER_TYPES, ColumnPlan
from finops.domain.line_breaks import normalised_line_breaks

SCHEMA = "finops_staging"
FIRST_YEAR, LAST_YEAR = 1970, 2999  # the charge periods a bill can have; other years are typos
_COPY_LINE = re.compile(r"line (\d+)")
_STAGING_COLUMN = re.compile(r'"c(\d+)"')


@dataclass(frozen=True)
class LoadProblem:
    message: str
    line: int | None = None
    column: str | None = None


class Rejected(Exception):
    """The file cannot load: what is wrong and where."""

    def __init__(self, problem: LoadProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


@dataclass(frozen=True)
class StagedPiece:
    table: sql.Composed
    lines: int
    months: tuple[date, ...]  # the months of its charge period starts (UTC)


def create_raw_table(conn: psycopg.Connection, plan: ColumnPlan) -> sql.Composable:
    raw = sql.Identifier("finops_piece_text")
    conn.execute(
        sql.SQL("CREATE TEMP TABLE {} (line bigint GENERATED ALWAYS AS IDENTITY, {})").format(
            raw, sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(f"c{i}")) for i in range(plan.width))
        )
    )
    return raw


def stage_piece(
    conn: psycopg.Connection,
    plan: ColumnPlan,
    values: LedgerValues,
    raw: sql.Composable,
    data: bytes,
    load_id: int,
    number: int,
) -> StagedPiece:
    lines = copy_raw(conn, plan, raw, data)
    table = sql.SQL("{}.{}").format(sql.Identifier(SCHEMA), sql.Identifier(f"load_{load_id}_{number}"))
    typed = sql.SQL(", ").join(
        sql.SQL("{} AS {}").format(expression, sql.Identifier(name)) for name, expression in values.piece_columns()
    )
    try:
        conn.execute(
            # Autovacuum would analyze a piece it sees committed, only for it to be dropped a moment later.
            sql.SQL("CREATE UNLOGGED TABLE {} WITH (autovacuum_enabled = false) AS SELECT line, {} FROM {}").format(
                table, typed, raw
            )
        )
    except psycopg.errors.DataError as error:
        refuse_values(conn, plan, raw, error)
    try:
        months = line_months(conn, plan, table, sql.Identifier("charge_period_start"))
    except BaseException:
        conn.execute(sql.SQL("DROP TABLE {}").format(table))
        raise
    return StagedPiece(table, lines, months)


def copy_raw(conn: psycopg.Connection, plan: ColumnPlan, raw: sql.Composable, data: bytes) -> int:
    """COPYs a piece into its text table and returns its lines; a malformed CSV rejects the file."""
    try:
        return _copy_piece(conn, plan, raw, data)
    except psycopg.errors.DataError as error:
        found = _COPY_LINE.search(getattr(error.diag, "context", None) or "")
        reason = (error.diag.message_primary or str(error)).strip()
        # A row short of fields names the first one it lacks by its staging name (c12): the header's is the user's.
        short_of = _STAGING_COLUMN.search(reason)
        column = plan.header[int(short_of.group(1))] if short_of else None
        if short_of:
            reason = reason.replace(short_of.group(0), f'"{column}"')
        raise Rejected(
            LoadProblem(
                f"the CSV is malformed: {reason}", line=int(found.group(1)) + 1 if found else None, column=column
            )
        ) from None


def refuse_values(conn: psycopg.Connection, plan: ColumnPlan, raw: sql.Composable, error: psycopg.Error) -> NoReturn:
    """Rejects the file for a value of the piece that could not be cast, naming its line and column."""
    check_values(conn, plan, raw)
    reason = (error.diag.message_primary or str(error)).strip()
    raise Rejected(LoadProblem(f"a value cannot be read: {reason}"))


def _copy_piece(conn: psycopg.Connection, plan: ColumnPlan, raw: sql.Composable, data: bytes) -> int:
    """COPYs the piece as it is when its lines all end alike, else rewritten with LF (line_breaks)."""
    try:
        lines = _copy(conn, plan, raw, data)
    except psycopg.errors.BadCopyFileFormat:
        pass  # mixed or doubled line breaks; or a malformed row, which the second COPY names
    else:
        if b"\r" not in data or data.count(b"\r\n") == lines - (not data.endswith(b"\n")):
            return lines
        # A CR inside a quoted value: written as LF, as it is in any piece that needs rewriting.
    return _copy(conn, plan, raw, b"".join(normalised_line_breaks([data])))


def _copy(conn: psycopg.Connection, plan: ColumnPlan, raw: sql.Composable, data: bytes) -> int:
    columns = sql.SQL(", ").join(sql.Identifier(f"c{index}") for index in range(plan.width))
    # A savepoint in the loading transaction, where a refused COPY must not abort the load.
    with conn.transaction(), conn.cursor() as cursor:
        cursor.execute(sql.SQL("TRUNCATE {} RESTART IDENTITY").format(raw))
        with cursor.copy(sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv)").format(raw, columns)) as copy:
            copy.write(data)
        return cursor.rowcount


def line_months(
    conn: psycopg.Connection, plan: ColumnPlan, source: sql.Composable, start: sql.Composable
) -> tuple[date, ...]:
    """The months (UTC) the lines of ``source`` start in, for their partitions; a year no bill has refuses the file.

    ``start`` is the lines' charge period start: a typed piece's column, or the cast of a text table's.
    """
    # Years and months as numbers: a year past 9999 or BC is no Python date, and must still be named.
    lines = sql.SQL("(SELECT ({}) AT TIME ZONE 'UTC' AS start FROM {}) AS lines").format(start, source)
    # A piece's first and last start are enough when they share a month, as nearly every piece's do:
    # finding each line's month costs the worker a tenth of its casts.
    bounds = conn.execute(
        sql.SQL(
            "SELECT extract(year FROM min(start))::int, extract(month FROM min(start))::int,"
            " extract(year FROM max(start))::int, extract(month FROM max(start))::int FROM {}"
        ).format(lines)
    ).fetchone()
    if bounds is None or bounds[0] is None:
        return ()
    first_year, first_month, last_year, last_month = bounds
    if first_year < FIRST_YEAR or last_year > LAST_YEAR:
        _refuse_year(conn, plan, source, start)
    if (first_year, first_month) == (last_year, last_month):
        return (date(first_year, first_month, 1),)
    rows = conn.execute(
        sql.SQL("SELECT DISTINCT extract(year FROM start)::int, extract(month FROM start)::int FROM {}").format(lines)
    ).fetchall()
    return tuple(sorted(date(year, month, 1) for year, month in rows))


def _refuse_year(conn: psycopg.Connection, plan: ColumnPlan, source: sql.Composable, start: sql.Composable) -> None:
    found = conn.execute(
        sql.SQL(
            "SELECT line, start::text FROM (SELECT line, ({}) AS start FROM {}) AS lines"
            " WHERE start < {} OR start >= {} ORDER BY line LIMIT 1"
        ).format(
            start,
            source,
            sql.Literal(f"{FIRST_YEAR}-01-01 00:00:00+00"),
            sql.Literal(f"{LAST_YEAR + 1}-01-01 00:00:00+00"),
        )
    ).fetchone()
    column = plan.source_of("charge_period_start")
    raise Rejected(
        LoadProblem(
            f"the charge period starts in a year outside {FIRST_YEAR}-{LAST_YEAR}: {found[1] if found else '?'}",
            line=int(found[0]) + 1 if found else None,
            column=plan.header[column] if column is not None else None,
        )
    )


def check_values(conn: psycopg.Connection, plan: ColumnPlan, table: sql.Composable) -> None:
    """Finds the first value of a piece's text table that cannot be read, and rejects the file naming it."""
    checks: list[sql.Composable] = []
    for ledger_column, index in plan.columns:
        value = cell(plan, index)
        kind = LEDGER_TYPES[ledger_column]
        if kind == "numeric":
            reason = sql.SQL(
                "CASE WHEN {c} IS NOT NULL AND (NOT pg_input_is_valid({c}, 'numeric')"
                " OR strpos({c}, 'n') + strpos({c}, 'N') > 0)"
                " THEN 'not a number: ' || left({c}, 60) END"
            ).format(c=value)
        elif kind == "timestamptz":
            reason = sql.SQL(
                # PostgreSQL also reads words ('yesterday', 'infinity'); a report's timestamps are digits.
                "CASE WHEN {c} IS NOT NULL AND ({c} !~ '^[0-9]' OR NOT pg_input_is_valid({c}, 'timestamptz'))"
                " THEN 'not a timestamp: ' || left({c}, 60) END"
            ).format(c=value)
        elif kind == "boolean":
            reason = sql.SQL(
                'CASE WHEN {c} IS NOT NULL AND lower({c} COLLATE "C") NOT IN ({words})'
                " THEN 'not true or false: ' || left({c}, 60) END"
            ).format(c=value, words=sql.SQL(", ").join(sql.Literal(word) for word in (*TRUE_WORDS, *FALSE_WORDS)))
        else:
            continue
        checks.append(sql.SQL("({}, {})").format(sql.Literal(ledger_column), reason))
    start = plan.source_of("charge_period_start")
    if start is not None:
        checks.append(
            sql.SQL("({}, CASE WHEN {} IS NULL THEN 'the charge period start is empty' END)").format(
                sql.Literal("charge_period_start"), cell(plan, start)
            )
        )
    if plan.tags_json is not None:
        checks.append(
            sql.SQL(
                "('tags', CASE WHEN {c} IS NOT NULL AND {c} NOT IN ('null', '') AND NOT ({c} IS JSON OBJECT)"
                " THEN 'Tags is not a JSON object' END)"
            ).format(c=sql.Identifier(f"c{plan.tags_json}"))
        )
    if not checks:
        return
    found = conn.execute(
        sql.SQL(
            "SELECT s.line, v.name, v.reason FROM {} s CROSS JOIN LATERAL (VALUES {}) AS v(name, reason)"
            " WHERE v.reason IS NOT NULL ORDER BY s.line LIMIT 1"
        ).format(table, sql.SQL(", ").join(checks))
    ).fetchone()
    if found:
        source = plan.source_of(str(found[1]))
        column = plan.header[source] if source is not None else str(found[1])
        if found[1] == "tags" and plan.tags_json is not None:
            column = plan.header[plan.tags_json]
        raise Rejected(LoadProblem(str(found[2]), line=int(found[0]) + 1, column=column))
