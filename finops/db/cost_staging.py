"""Stages a billing report for the loader as typed pieces, on worker connections running alongside it.

A reader thread cuts the file into record-aligned pieces of about PIECE_BYTES; WORKERS threads,
each on its own connection, stage them (finops.db.cost_pieces) and hand them over in file order.
The loading transaction is left with one cheaper insert per piece. Pieces are committed as they
are made; a piece table belongs to a load holding an advisory lock, and tables whose load died
(killed, rolled back) are dropped by the next load.

Lines are numbered within their piece; the loader, taking the pieces in file order, adds the
lines of the pieces before. A loader left waiting for a piece takes the next piece no worker has
started and stages it itself, on its own connection, then copies its lines straight into the
ledger when its turn comes: that piece is never written to a piece table and read back, and the
workers and the loader keep each other's cores busy instead of waiting (on two cores, one worker
and the loader).
"""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

import psycopg
from psycopg import sql

from finops.db.connect import connect
from finops.db.cost_pieces import SCHEMA, Rejected, StagedPiece, create_raw_table, stage_piece
from finops.db.cost_transform import LedgerValues
from finops.db.report_stream import ByteSource, read_or_reject
from finops.domain.cost_columns import ColumnPlan
from finops.domain.errors import DatabaseError
from finops.domain.line_breaks import record_aligned

READ_BYTES = 1024 * 1024
PIECE_BYTES = 4 * 1024 * 1024
WORKERS = 1  # and the loading transaction, which stages the pieces the worker has not reached
PIECES_AHEAD = 3  # typed pieces staged and not yet loaded: bounds the memory they hold
_PIECE_TABLE = re.compile(r"load_(\d+)_\w+")
_WAIT = 0.1  # seconds between looks at the stop flag while waiting on a queue


@dataclass(frozen=True)
class StolenPiece:
    """A piece no worker had taken while the loader waited: the loader stages it on its own connection."""

    number: int
    data: bytes


class OwnTurn:
    """The turn, in file order, of the piece the loader staged itself."""


OWN_TURN = OwnTurn()


def load_lock(load_id: int) -> sql.Composable:
    """Held by the loading transaction for as long as its pieces are in use."""
    return sql.SQL("hashtextextended({}, 0)").format(sql.Literal(f"finops.load.{load_id}"))


@contextmanager
def staged_pieces(
    dsn: str, plan: ColumnPlan, values: LedgerValues, stream: ByteSource, load_id: int
) -> Iterator[Iterator[StagedPiece | StolenPiece | OwnTurn]]:
    """Yields the pieces in file order as they are staged; the caller drops each piece table once used.

    While the next piece is still being staged, the caller may be handed a later one no worker has
    taken (StolenPiece) to stage itself; OWN_TURN then comes at that piece's place in the file.
    """
    staging = _Staging(dsn, plan, values, stream, load_id)
    try:
        yield staging.pieces()
    finally:
        staging.stop()


class _Staging:
    def __init__(self, dsn: str, plan: ColumnPlan, values: LedgerValues, stream: ByteSource, load_id: int) -> None:
        self.dsn, self.plan, self.values, self.stream, self.load_id = dsn, plan, values, stream, load_id
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

    def pieces(self) -> Iterator[StagedPiece | StolenPiece | OwnTurn]:
        number = 0
        stolen: int | None = None  # the piece the loader took for itself, not yet its turn
        while True:
            if number == stolen:
                yield OWN_TURN
                stolen = None
                number += 1
                continue
            item = self._wait_for(number, may_steal=stolen is None)
            if isinstance(item, StolenPiece):
                stolen = item.number
                yield item
                continue
            if item is None:
                return  # the reader saw the end of the file and every piece was handed over
            if isinstance(item, BaseException):
                raise item
            yield item
            self.room.release()
            number += 1

    def _wait_for(self, number: int, *, may_steal: bool) -> StagedPiece | BaseException | StolenPiece | None:
        """Piece ``number`` once staged; meanwhile, a piece no worker has taken yet, for the loader to stage."""
        with self.changed:
            while number not in self.done and self.count != number and self.fatal is None:
                if may_steal and (job := self._steal()) is not None:
                    return StolenPiece(*job)
                self.changed.wait(_WAIT)
            if self.fatal is not None:
                raise self.fatal
            return self.done.pop(number, None)

    def _steal(self) -> tuple[int, bytes] | None:
        try:
            # A worker's signal to stop, taken here, is not given back (that could wait on a full
            # queue while holding the lock the workers hand over with): that worker stops at stop().
            return self.work.get_nowait()
        except queue.Empty:
            return None

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
                raw = create_raw_table(conn, self.plan)
                while (job := self._take()) is not None:
                    number, data = job
                    staged: StagedPiece | Rejected
                    try:
                        staged = stage_piece(conn, self.plan, self.values, raw, data, self.load_id, number)
                    except Rejected as rejected:
                        staged = rejected
                    self._finish(number, staged)
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
