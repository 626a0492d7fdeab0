"""Stages a billing report for the loader as typed pieces, on worker connections running alongside it.

A reader thread cuts the file into record-aligned pieces of about PIECE_BYTES. Each worker, on its
own connection, COPYs a piece into a TEMP table of text columns (PostgreSQL's CSV reader is its
fastest parser), then casts it and builds its JSONB into an UNLOGGED table in `finops_staging`.
The loading transaction is left with one cheap insert per piece: on two cores the casting, which
is most of the work, no longer waits on it. Pieces are committed
as they are made; a piece table belongs to a load holding an advisory lock, and tables whose load
died (killed, rolled back) are dropped by the next load.

Lines are numbered within their piece; the loader, taking the pieces in file order, adds the
lines of the pieces before.
"""

from __future__ import annotations

import gzip
import queue
import re
import threading
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from datetime import date
from typing import IO

import psycopg
from psycopg import sql

from finops.db.connect import connect
from finops.db.cost_transform import LedgerValues, cell, ledger_values
from finops.domain.cost_columns import LEDGER_TYPES, ColumnPlan
from finops.domain.errors import DatabaseError
from finops.domain.line_breaks import normalised_line_breaks, record_aligned

READ_BYTES = 1024 * 1024
PIECE_BYTES = 4 * 1024 * 1024
WORKERS = 2
PIECES_AHEAD = 3  # typed pieces staged and not yet loaded: bounds the memory they hold
SCHEMA = "finops_staging"
FIRST_YEAR, LAST_YEAR = 1970, 2999  # the charge periods a bill can have; other years are typos
_COPY_LINE = re.compile(r"line (\d+)")
_PIECE_TABLE = re.compile(r"load_(\d+)_\w+")
_WAIT = 0.1  # seconds between looks at the stop flag while waiting on a queue


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
    lines_before: int  # lines of the pieces before it in the file
    months: tuple[date, ...]  # the months of its charge period starts (UTC)


def read_or_reject(read: Callable[[], bytes]) -> bytes:
    try:
        return read()
    except (EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise Rejected(LoadProblem(f"the file is truncated or not valid gzip ({error})")) from None


def load_lock(load_id: int) -> sql.Composable:
    """Held by the loading transaction for as long as its pieces are in use."""
    return sql.SQL("hashtextextended({}, 0)").format(sql.Literal(f"finops.load.{load_id}"))


@contextmanager
def staged_pieces(dsn: str, plan: ColumnPlan, stream: IO[bytes], load_id: int) -> Iterator[Iterator[StagedPiece]]:
    """Yields the pieces in file order as they are staged; the caller drops each piece table once used."""
    staging = _Staging(dsn, plan, stream, load_id)
    try:
        yield staging.pieces()
    finally:
        staging.stop()


class _Staging:
    def __init__(self, dsn: str, plan: ColumnPlan, stream: IO[bytes], load_id: int) -> None:
        self.dsn, self.plan, self.stream, self.load_id = dsn, plan, stream, load_id
        self.values = ledger_values(plan)
        self.work: queue.Queue[tuple[int, bytes] | None] = queue.Queue(maxsize=WORKERS)
        self.done: dict[int, StagedPiece | BaseException] = {}
        self.count: int | None = None  # pieces in the file, once the reader has seen its end
        self.changed = threading.Condition()
        self.room = threading.Semaphore(PIECES_AHEAD)
        self.halt = threading.Event()
        self.fatal: BaseException | None = None  # a worker that could not go on
        with connect(dsn, autocommit=True) as conn:
            drop_abandoned_pieces(conn)
            # An earlier attempt at this same file (its source_files id is reused) may have died
            # leaving pieces; this load holds that id's lock, so they are its own to clear.
            _drop_pieces_of(conn, load_id)
        self.threads = [threading.Thread(target=self._read, name=f"read-{load_id}", daemon=True)] + [
            threading.Thread(target=self._stage, name=f"stage-{load_id}-{n}", daemon=True) for n in range(WORKERS)
        ]
        for thread in self.threads:
            thread.start()

    def pieces(self) -> Iterator[StagedPiece]:
        lines_before = 0
        number = 0
        while True:
            with self.changed:
                while number not in self.done and self.count != number and self.fatal is None:
                    self.changed.wait(_WAIT)
                if self.fatal is not None:
                    raise self.fatal
                if number not in self.done:
                    return  # the reader saw the end of the file and every piece was handed over
                item = self.done.pop(number)
            if isinstance(item, Rejected) and item.problem.line is not None:
                raise Rejected(replace(item.problem, line=item.problem.line + lines_before))
            if isinstance(item, BaseException):
                raise item
            yield replace(item, lines_before=lines_before)
            self.room.release()
            lines_before += item.lines
            number += 1

    def stop(self) -> None:
        self.halt.set()
        for thread in self.threads:
            thread.join()
        unused = [item.table for item in self.done.values() if isinstance(item, StagedPiece)]
        if unused:
            # Pieces the loader never opened; any it did are dropped in its transaction or after it.
            with suppress(psycopg.Error, DatabaseError), connect(self.dsn, autocommit=True) as conn:
                for table in unused:
                    conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table))

    def _finish(self, number: int, item: StagedPiece | BaseException) -> None:
        with self.changed:
            self.done[number] = item
            self.changed.notify_all()

    def _read(self) -> None:
        number = 0
        try:
            reads = iter(lambda: read_or_reject(lambda: self.stream.read(READ_BYTES)), b"")
            for data in record_aligned(reads, PIECE_BYTES):
                if not self._put((number, data)):
                    return
                number += 1
        except BaseException as error:  # the loading thread raises it, in file order
            self._finish(number, error)
            number += 1
        with self.changed:
            self.count = number
            self.changed.notify_all()
        for _ in range(WORKERS):
            self._put(None)

    def _put(self, item: tuple[int, bytes] | None) -> bool:
        while not self.halt.is_set():
            with suppress(queue.Full):
                self.work.put(item, timeout=_WAIT)
                return True
        return False

    def _stage(self) -> None:
        try:
            with connect(self.dsn, autocommit=True) as conn:
                conn.execute("SET TimeZone = 'UTC'")
                # Dates written 5/1/25 (FOCUS's own SaaS examples) are month first, as in the US.
                conn.execute("SET DateStyle = 'ISO, MDY'")
                conn.execute("SET temp_buffers = '64MB'")  # a piece's text table stays in this backend's memory
                raw = _create_raw_table(conn, self.plan)
                while (job := self._take()) is not None:
                    number, data = job
                    try:
                        piece = _stage_piece(conn, self.plan, self.values, raw, data, self.load_id, number)
                    except Rejected as rejected:
                        self._finish(number, rejected)
                        continue
                    self._finish(number, piece)
        except BaseException as error:  # the loading thread raises it
            with self.changed:
                self.fatal = error
                self.halt.set()
                self.changed.notify_all()

    def _take(self) -> tuple[int, bytes] | None:
        while not self.halt.is_set():
            if self.room.acquire(timeout=_WAIT):
                while not self.halt.is_set():
                    with suppress(queue.Empty):
                        job = self.work.get(timeout=_WAIT)
                        if job is None:
                            self.room.release()
                        return job
                return None
        return None


def _create_raw_table(conn: psycopg.Connection, plan: ColumnPlan) -> sql.Composable:
    raw = sql.Identifier("finops_piece_text")
    conn.execute(
        sql.SQL("CREATE TEMP TABLE {} (line bigint GENERATED ALWAYS AS IDENTITY, {})").format(
            raw, sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(f"c{i}")) for i in range(plan.width))
        )
    )
    return raw


def _stage_piece(
    conn: psycopg.Connection,
    plan: ColumnPlan,
    values: LedgerValues,
    raw: sql.Composable,
    data: bytes,
    load_id: int,
    number: int,
) -> StagedPiece:
    try:
        lines = _copy_piece(conn, plan, raw, data)
    except psycopg.errors.DataError as error:
        found = _COPY_LINE.search(getattr(error.diag, "context", None) or "")
        reason = (error.diag.message_primary or str(error)).strip()
        raise Rejected(
            LoadProblem(f"the CSV is malformed: {reason}", line=int(found.group(1)) + 1 if found else None)
        ) from None
    table = sql.SQL("{}.{}").format(sql.Identifier(SCHEMA), sql.Identifier(f"load_{load_id}_{number}"))
    typed = sql.SQL(", ").join(
        sql.SQL("{} AS {}").format(expression, sql.Identifier(name)) for name, expression in values.computed
    )
    try:
        conn.execute(
            # Autovacuum would analyze a piece it sees committed, only for it to be dropped a moment later.
            sql.SQL("CREATE UNLOGGED TABLE {} WITH (autovacuum_enabled = false) AS SELECT line, {} FROM {}").format(
                table, typed, raw
            )
        )
    except psycopg.errors.DataError as error:
        check_values(conn, plan, raw)
        reason = (error.diag.message_primary or str(error)).strip()
        raise Rejected(LoadProblem(f"a value cannot be read: {reason}")) from None
    try:
        months = _months(conn, plan, table)
    except BaseException:
        conn.execute(sql.SQL("DROP TABLE {}").format(table))
        raise
    return StagedPiece(table, lines, 0, months)


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
    conn.execute(sql.SQL("TRUNCATE {} RESTART IDENTITY").format(raw))
    columns = sql.SQL(", ").join(sql.Identifier(f"c{index}") for index in range(plan.width))
    with conn.cursor() as cursor:
        with cursor.copy(sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv)").format(raw, columns)) as copy:
            copy.write(data)
        return cursor.rowcount


def _months(conn: psycopg.Connection, plan: ColumnPlan, table: sql.Composable) -> tuple[date, ...]:
    """The months (UTC) the piece's lines start in, for their partitions; a year no bill has refuses the file."""
    # Years and months as numbers: a year past 9999 or BC is no Python date, and must still be named.
    rows = conn.execute(
        sql.SQL(
            "SELECT DISTINCT extract(year FROM start)::int, extract(month FROM start)::int"
            " FROM (SELECT charge_period_start AT TIME ZONE 'UTC' AS start FROM {}) AS lines"
        ).format(table)
    ).fetchall()
    if any(not FIRST_YEAR <= year <= LAST_YEAR for year, _ in rows):
        _refuse_year(conn, plan, table)
    return tuple(sorted(date(year, month, 1) for year, month in rows))


def _refuse_year(conn: psycopg.Connection, plan: ColumnPlan, table: sql.Composable) -> None:
    found = conn.execute(
        sql.SQL(
            "SELECT line, charge_period_start::text FROM {} WHERE charge_period_start < {} OR charge_period_start >= {}"
            " ORDER BY line LIMIT 1"
        ).format(
            table, sql.Literal(f"{FIRST_YEAR}-01-01 00:00:00+00"), sql.Literal(f"{LAST_YEAR + 1}-01-01 00:00:00+00")
        )
    ).fetchone()
    start = plan.source_of("charge_period_start")
    raise Rejected(
        LoadProblem(
            f"the charge period starts in a year outside {FIRST_YEAR}-{LAST_YEAR}: {found[1] if found else '?'}",
            line=int(found[0]) + 1 if found else None,
            column=plan.header[start] if start is not None else None,
        )
    )


def drop_abandoned_pieces(conn: psycopg.Connection) -> None:
    for (name,) in conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename", [SCHEMA]
    ).fetchall():
        owner = _PIECE_TABLE.fullmatch(str(name))
        if owner is None:
            continue
        # The lock is held until the drop is done: a load taking it meanwhile would lose a piece.
        with conn.transaction():
            free = conn.execute(sql.SQL("SELECT pg_try_advisory_xact_lock({})").format(load_lock(int(owner.group(1)))))
            if (free.fetchone() or (False,))[0]:
                conn.execute(sql.SQL("DROP TABLE IF EXISTS {}.{}").format(sql.Identifier(SCHEMA), sql.Identifier(name)))


def _drop_pieces_of(conn: psycopg.Connection, load_id: int) -> None:
    for (name,) in conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename LIKE %s", [SCHEMA, f"load\\_{load_id}\\_%"]
    ).fetchall():
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}.{}").format(sql.Identifier(SCHEMA), sql.Identifier(name)))


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
