"""Stages a billing report for the loader, piece by piece, on a second connection running alongside it.

PostgreSQL parses the CSV (COPY is its fastest reader) into UNLOGGED tables in `finops_staging`,
one per piece of about PIECE_BYTES, each committed at once so the loading transaction can insert
piece n while this connection parses piece n + 1: on two cores, parsing costs almost nothing
then. Each piece is surveyed as it lands (the months it touches, any value that needs a closer
look). A piece table belongs to a load holding an advisory lock; tables whose load died (killed,
rolled back) are dropped by the next load.
"""

from __future__ import annotations

import gzip
import queue
import re
import threading
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date
from typing import IO

import psycopg
from psycopg import sql

from finops.db.connect import connect
from finops.domain.cost_columns import LEDGER_TYPES, ColumnPlan
from finops.domain.line_breaks import normalised_line_breaks, record_aligned
from finops.domain.periods import month_and_neighbours

READ_BYTES = 1024 * 1024
PIECE_BYTES = 4 * 1024 * 1024
PIECES_AHEAD = 2  # staged pieces waiting for the loader: bounds memory and database space
SCHEMA = "finops_staging"
_COPY_LINE = re.compile(r"line (\d+)")
_MONTH = re.compile(r"[0-9]{4}-[0-9]{2}")
_PIECE_TABLE = re.compile(r"load_(\d+)_\w+")


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
    lines: int  # lines staged, repeats included
    repeats: int  # lines whose referenceNo came earlier in the file, already removed from the piece
    months: tuple[date, ...]
    suspicious: bool


def read_or_reject(read: Callable[[], bytes]) -> bytes:
    try:
        return read()
    except (EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise Rejected(LoadProblem(f"the file is truncated or not valid gzip ({error})")) from None


def cell(plan: ColumnPlan, index: int) -> sql.Composable:
    if plan.kind == "oci-focus":
        # FOCUS writes an absent value as the word null (its own examples do).
        return sql.SQL("nullif({}, 'null')").format(sql.Identifier(f"c{index}"))
    return sql.Identifier(f"c{index}")


def load_lock(load_id: int) -> sql.Composable:
    """Held by the loading transaction for as long as its pieces are in use."""
    return sql.SQL("hashtextextended({}, 0)").format(sql.Literal(f"finops.load.{load_id}"))


@contextmanager
def staged_pieces(dsn: str, plan: ColumnPlan, stream: IO[bytes], load_id: int) -> Iterator[Iterator[StagedPiece]]:
    """Yields the pieces as they are staged; the caller drops each piece table once it is used."""
    handoff: queue.Queue[StagedPiece | BaseException | None] = queue.Queue(maxsize=PIECES_AHEAD)
    stop = threading.Event()
    worker = threading.Thread(
        target=_stage_all, args=(dsn, plan, stream, load_id, handoff, stop), name=f"stage-{load_id}", daemon=True
    )
    worker.start()

    def received() -> Iterator[StagedPiece]:
        while (item := handoff.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item

    try:
        yield received()
    finally:
        stop.set()
        while worker.is_alive():
            with suppress(queue.Empty):
                handoff.get(timeout=0.1)  # unblock a worker waiting to hand over a piece
        worker.join()


def _stage_all(
    dsn: str,
    plan: ColumnPlan,
    stream: IO[bytes],
    load_id: int,
    handoff: queue.Queue[StagedPiece | BaseException | None],
    stop: threading.Event,
) -> None:
    try:
        with connect(dsn, autocommit=True) as conn:
            conn.execute("SET TimeZone = 'UTC'")
            conn.execute("SET DateStyle = 'ISO, MDY'")
            drop_abandoned_pieces(conn)
            # An earlier attempt at this same file (its source_files id is reused) may have died
            # leaving pieces; this load holds that id's lock, so they are its own to clear.
            _drop_pieces_of(conn, load_id)
            reads = iter(lambda: read_or_reject(lambda: stream.read(READ_BYTES)), b"")
            lines_before = 0
            references = _create_reference_table(conn, plan, load_id)
            for number, data in enumerate(record_aligned(normalised_line_breaks(reads), PIECE_BYTES)):
                if stop.is_set():
                    return
                piece = _stage_piece(conn, plan, data, load_id, number, lines_before, references)
                lines_before += piece.lines
                if not _hand_over(handoff, piece, stop):
                    conn.execute(sql.SQL("DROP TABLE {}").format(piece.table))
                    return
            if references is not None:
                conn.execute(sql.SQL("DROP TABLE {}").format(references))
        _hand_over(handoff, None, stop)
    except BaseException as error:  # the loading thread raises it
        _hand_over(handoff, error, stop)


def _hand_over(
    handoff: queue.Queue[StagedPiece | BaseException | None],
    item: StagedPiece | BaseException | None,
    stop: threading.Event,
) -> bool:
    while not stop.is_set():
        try:
            handoff.put(item, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False


def _create_reference_table(conn: psycopg.Connection, plan: ColumnPlan, load_id: int) -> sql.Composed | None:
    """The referenceNo values seen so far in the file, to find a line listed again in a later piece."""
    if plan.source_of("reference_no") is None:
        return None
    table = sql.SQL("{}.{}").format(sql.Identifier(SCHEMA), sql.Identifier(f"load_{load_id}_references"))
    conn.execute(sql.SQL("CREATE UNLOGGED TABLE {} (reference_no text PRIMARY KEY)").format(table))
    return table


def _drop_repeats(conn: psycopg.Connection, plan: ColumnPlan, piece: sql.Composed, references: sql.Composed) -> int:
    reference = cell(plan, plan.source_of("reference_no") or 0)
    earlier = conn.execute(
        sql.SQL("DELETE FROM {piece} p USING {references} r WHERE {c} = r.reference_no").format(
            piece=piece, references=references, c=reference
        )
    ).rowcount
    within = conn.execute(
        sql.SQL(
            """
            DELETE FROM {piece} p
             USING (SELECT {c} AS reference_no, min(line) AS first_line FROM {piece}
                     WHERE {c} IS NOT NULL GROUP BY 1 HAVING count(*) > 1) AS repeated
             WHERE {c} = repeated.reference_no AND p.line > repeated.first_line
            """
        ).format(piece=piece, c=reference)
    ).rowcount
    conn.execute(
        sql.SQL("INSERT INTO {} SELECT {c} FROM {} WHERE {c} IS NOT NULL").format(references, piece, c=reference)
    )
    return earlier + within


def _stage_piece(
    conn: psycopg.Connection,
    plan: ColumnPlan,
    data: bytes,
    load_id: int,
    number: int,
    lines_before: int,
    references: sql.Composed | None,
) -> StagedPiece:
    table = sql.SQL("{}.{}").format(sql.Identifier(SCHEMA), sql.Identifier(f"load_{load_id}_{number}"))
    columns = [sql.Identifier(f"c{index}") for index in range(plan.width)]
    conn.execute(
        sql.SQL("CREATE UNLOGGED TABLE {} (line bigint GENERATED ALWAYS AS IDENTITY (START WITH {}), {})").format(
            table,
            sql.Literal(lines_before + 1),
            sql.SQL(", ").join(sql.SQL("{} text").format(column) for column in columns),
        )
    )
    try:
        with conn.cursor() as cursor:
            with cursor.copy(
                sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv)").format(table, sql.SQL(", ").join(columns))
            ) as copy:
                copy.write(data)
            lines = cursor.rowcount
    except psycopg.errors.DataError as error:
        conn.execute(sql.SQL("DROP TABLE {}").format(table))
        found = _COPY_LINE.search(getattr(error.diag, "context", None) or "")
        line = lines_before + int(found.group(1)) + 1 if found else None
        reason = (error.diag.message_primary or str(error)).strip()
        raise Rejected(LoadProblem(f"the CSV is malformed: {reason}", line=line)) from None
    repeats = _drop_repeats(conn, plan, table, references) if references is not None else 0
    months, suspicious = _survey(conn, plan, table)
    return StagedPiece(table, lines, repeats, months, suspicious)


def drop_abandoned_pieces(conn: psycopg.Connection) -> None:
    for (name,) in conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename", [SCHEMA]
    ).fetchall():
        owner = _PIECE_TABLE.fullmatch(str(name))
        if owner is None:
            continue
        free = conn.execute(sql.SQL("SELECT pg_try_advisory_xact_lock({})").format(load_lock(int(owner.group(1)))))
        if (free.fetchone() or (False,))[0]:
            conn.execute(sql.SQL("DROP TABLE IF EXISTS {}.{}").format(sql.Identifier(SCHEMA), sql.Identifier(name)))


def _drop_pieces_of(conn: psycopg.Connection, load_id: int) -> None:
    for (name,) in conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename LIKE %s", [SCHEMA, f"load\\_{load_id}\\_%"]
    ).fetchall():
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}.{}").format(sql.Identifier(SCHEMA), sql.Identifier(name)))


def _survey(conn: psycopg.Connection, plan: ColumnPlan, table: sql.Composable) -> tuple[tuple[date, ...], bool]:
    """One pass over a piece: the months it falls in, and whether a value needs a closer look.

    PostgreSQL reads NaN and Infinity as numbers and words such as 'yesterday' as timestamps; a bill
    has neither. Finding them here, with cheap tests, lets the insert cast without guards.
    """
    start = cell(plan, plan.source_of("charge_period_start") or 0)
    tests: list[sql.Composable] = [sql.SQL("false")]
    for ledger_column, index in plan.columns:
        value = cell(plan, index)
        if LEDGER_TYPES[ledger_column] == "numeric":
            tests.append(sql.SQL("strpos({c}, 'n') + strpos({c}, 'N') > 0").format(c=value))
        elif LEDGER_TYPES[ledger_column] == "timestamptz":
            tests.append(sql.SQL("ascii({c}) NOT BETWEEN 48 AND 57").format(c=value))
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
                      FROM {table}) AS lines
             GROUP BY month
            """
        ).format(c=start, tests=sql.SQL(" OR ").join(tests), table=table)
    ).fetchall()
    months = {
        neighbour
        for month, _ in rows
        if month and _MONTH.fullmatch(month) and 1970 <= int(month[:4]) <= 2999 and 1 <= int(month[5:7]) <= 12
        for neighbour in month_and_neighbours(date(int(month[:4]), int(month[5:7]), 1))
    }
    return tuple(sorted(months)), any(suspicious for _, suspicious in rows)


def check_values(conn: psycopg.Connection, plan: ColumnPlan, table: sql.Composable) -> None:
    """Finds the first value of a piece that cannot be read, and rejects the file naming it."""
    checks: list[sql.Composable] = []
    for ledger_column, index in plan.columns:
        value = cell(plan, index)
        kind = LEDGER_TYPES[ledger_column]
        if kind == "numeric":
            reason = sql.SQL(
                "CASE WHEN {c} IS NOT NULL AND (NOT pg_input_is_valid({c}, 'numeric')"
                " OR lower({c}) IN ('nan', 'infinity', '+infinity', '-infinity', 'inf', '+inf', '-inf'))"
                " THEN 'not a number: ' || left({c}, 60) END"
            ).format(c=value)
        elif kind == "timestamptz":
            reason = sql.SQL(
                # PostgreSQL also reads words ('yesterday', 'infinity'); a report's timestamps are digits.
                "CASE WHEN {c} IS NOT NULL AND ({c} !~ '^[0-9]' OR NOT pg_input_is_valid({c}, 'timestamptz'))"
                " THEN 'not a timestamp: ' || left({c}, 60) END"
            ).format(c=value)
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
