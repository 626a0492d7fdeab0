"""What bounds a loader into our ledger, against a raw COPY: why a/b stays above 2.

    uv run python bench/ingest_floor.py [--rows 1000000] [--tags 8]

On the report bench/ingest.py writes, in one run on one database, each after a CHECKPOINT:
  (b) a raw COPY into a plain (logged) table of text columns, as in bench/ingest.py;
  (m) the minimum for the ledger, on one connection: each 4 MiB piece COPYed into a TEMP table of
      text columns, then one INSERT ... SELECT of the ledger's own casts and JSONB
      (finops.db.cost_transform) into its month partition; no rollup, references, checks or workers;
  (j) the same as (m) without the two JSONB columns, tags and x;
  (i) the one set-based insert the issue's design has the loading transaction do: the lines, already
      cast into an UNLOGGED table beforehand (untimed), copied by one INSERT ... SELECT into the month
      partition, and committed. PostgreSQL runs an INSERT in one process, so no loader of that
      design can take less than (i) plus what it cannot overlap with it;
  (p) the most parallel design at hand, which breaks the issue's one insert: a transaction and an
      autocommit connection each take the next piece, COPY it into a TEMP table and cast it straight
      into one shared table, keeping the per-piece sums and references any loader needs; once both
      are done, the transaction attaches that table as the month partition (a CHECK constraint of
      the month's bounds spares the scan) and commits.
It prints each time and m/b, (m/2)/b, j/b, i/b and p/b. (m/2)/b is a/b for a loader that split (m) over the
two cores perfectly and did nothing more; a real split also pays for handing typed rows from one
connection to another, which (m) does not.
"""

from __future__ import annotations

import gzip
import queue
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import psycopg
from psycopg import sql

from bench.ingest import database, fresh_schema, generate, measure_raw_copy, report_arguments, settle
from finops.db.cost_ledger import ROLLED_UP, create_partitions
from finops.db.cost_pieces import create_raw_table
from finops.db.cost_transform import LedgerValues, ledger_values
from finops.domain.cost_columns import ColumnPlan, plan_columns
from finops.domain.line_breaks import record_aligned
from finops.domain.periods import next_month

PIECE_BYTES = 4 * 1024 * 1024
MONTH = date(2025, 6, 1)  # every line bench/ingest.py writes starts in June 2025: one partition, no routing


def _copy_into(raw: sql.Composable, plan: ColumnPlan) -> sql.Composed:
    return sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv)").format(
        raw, sql.SQL(", ").join(sql.Identifier(f"c{index}") for index in range(plan.width))
    )


def _ledger_names(values: LedgerValues) -> list[str]:
    """The ledger columns a bench insert fills: its own three, then the report's."""
    return ["source_file_id", "line_number", "provider", *(name for name, _ in (*values.computed, *values.constants))]


def measure_minimum(dsn: str, path: Path, *, with_json: bool) -> float:
    with gzip.open(path, "rb") as stream, psycopg.connect(dsn) as conn:
        plan = plan_columns(stream.readline().decode("utf-8-sig").rstrip("\r\n").split(","))
        values = ledger_values(plan)
        computed = [(name, value) for name, value in values.computed if with_json or name not in ("tags", "x")]
        conn.execute("SET TimeZone = 'UTC'")
        conn.execute("SET temp_buffers = '64MB'")
        raw = create_raw_table(conn, plan)
        conn.commit()
        names = ["source_file_id", "line_number", "provider", *(name for name, _ in computed)]
        names += [name for name, _ in values.constants]
        insert = sql.SQL("INSERT INTO {} ({}) SELECT 1, line, 'oci', {} FROM {}").format(
            sql.Identifier(f"cost_lines_{MONTH:%Y_%m}"),
            sql.SQL(", ").join(map(sql.Identifier, names)),
            sql.SQL(", ").join([*(value for _, value in computed), *(value for _, value in values.constants)]),
            raw,
        )
        copy = _copy_into(raw, plan)
        create_partitions(conn, (MONTH,))
        started = time.perf_counter()
        for piece in record_aligned(iter(lambda: stream.read(1024 * 1024), b""), PIECE_BYTES):
            conn.execute(sql.SQL("TRUNCATE {} RESTART IDENTITY").format(raw))
            with conn.cursor().copy(copy) as writer:
                writer.write(piece)
            conn.execute(insert)
        conn.commit()
        return time.perf_counter() - started


def measure_single_insert(dsn: str, path: Path) -> float:
    with gzip.open(path, "rb") as stream, psycopg.connect(dsn) as conn:
        plan = plan_columns(stream.readline().decode("utf-8-sig").rstrip("\r\n").split(","))
        values = ledger_values(plan)
        conn.execute("SET TimeZone = 'UTC'")
        raw = create_raw_table(conn, plan)
        copy = _copy_into(raw, plan)
        with conn.cursor().copy(copy) as writer:
            while chunk := stream.read(1024 * 1024):
                writer.write(chunk)
        names = _ledger_names(values)
        conn.execute(
            sql.SQL("CREATE UNLOGGED TABLE bench_typed AS SELECT 1 AS {}, line AS {}, 'oci' AS {}, {} FROM {}").format(
                *map(sql.Identifier, names[:3]),
                sql.SQL(", ").join(
                    sql.SQL("{} AS {}").format(value, sql.Identifier(name))
                    for name, value in (*values.computed, *values.constants)
                ),
                raw,
            )
        )
        create_partitions(conn, (MONTH,))
        conn.commit()
        settle(dsn)
        started = time.perf_counter()
        conn.execute(
            sql.SQL("INSERT INTO {} ({}) SELECT {} FROM bench_typed").format(
                sql.Identifier(f"cost_lines_{MONTH:%Y_%m}"),
                sql.SQL(", ").join(map(sql.Identifier, names)),
                sql.SQL(", ").join(map(sql.Identifier, names)),
            )
        )
        conn.commit()
        return time.perf_counter() - started


def measure_parallel_partition(dsn: str, path: Path) -> float:
    with gzip.open(path, "rb") as stream, psycopg.connect(dsn) as setup:
        plan = plan_columns(stream.readline().decode("utf-8-sig").rstrip("\r\n").split(","))
        setup.execute("CREATE TABLE bench_month (LIKE cost_lines INCLUDING DEFAULTS)")
        setup.execute(
            sql.SQL(
                "ALTER TABLE bench_month ADD CHECK (charge_period_start >= {} AND charge_period_start < {})"
            ).format(sql.Literal(f"{MONTH} 00:00:00+00"), sql.Literal(f"{next_month(MONTH)} 00:00:00+00"))
        )
        for index in ("USING brin (source_file_id) WITH (pages_per_range = 16)",
                      "USING brin (charge_period_start) WITH (pages_per_range = 16)",
                      "(provider, back_reference_no) WHERE is_correction"):  # fmt: skip
            setup.execute(f"CREATE INDEX ON bench_month {index}")  # the ledger's indexes, kept as lines go in
        setup.execute("CREATE UNLOGGED TABLE bench_references (reference_no text, line_number bigint)")
        setup.execute(
            "CREATE UNLOGGED TABLE bench_sums (account text, service text, region text, day date, currency text,"
            " billed numeric, effective numeric, list numeric, lines bigint, corrects boolean, counted boolean)"
        )
        setup.commit()
        pieces: queue.Queue[tuple[int, bytes] | None] = queue.Queue(maxsize=4)
        worker_done = threading.Event()
        started = time.perf_counter()
        writers = [
            threading.Thread(target=_write_pieces, args=(dsn, plan, pieces, True, worker_done)),
            threading.Thread(target=_write_pieces, args=(dsn, plan, pieces, False, worker_done)),
        ]
        for writer in writers:
            writer.start()
        first_line = 1
        for piece in record_aligned(iter(lambda: stream.read(1024 * 1024), b""), PIECE_BYTES):
            pieces.put((first_line, piece))
            first_line += piece.count(b"\n")  # an upper bound of its lines: numbers stay unique and in order
        for _ in writers:
            pieces.put(None)
        for writer in writers:
            writer.join()
        return time.perf_counter() - started


def _write_pieces(
    dsn: str,
    plan: ColumnPlan,
    pieces: queue.Queue[tuple[int, bytes] | None],
    autocommit: bool,
    worker_done: threading.Event,
) -> None:
    values = ledger_values(plan)
    with psycopg.connect(dsn, autocommit=autocommit) as conn:
        conn.execute("SET TimeZone = 'UTC'")
        conn.execute("SET temp_buffers = '64MB'")
        raw = create_raw_table(conn, plan)
        names = _ledger_names(values)
        insert = sql.SQL(
            """
            WITH inserted AS (
                INSERT INTO bench_month ({names}) SELECT 1, line + %s, 'oci', {values} FROM {raw}
                RETURNING line_number, reference_no, sub_account_id, service_name, region_id, charge_period_start,
                          billing_currency, billed_cost, effective_cost, list_cost, is_correction
            ), listed AS (
                INSERT INTO bench_references
                SELECT reference_no, line_number FROM inserted WHERE reference_no IS NOT NULL
            )
            INSERT INTO bench_sums
            SELECT coalesce(sub_account_id, ''), coalesce(service_name, ''), coalesce(region_id, ''),
                   (charge_period_start AT TIME ZONE 'UTC')::date, coalesce(billing_currency, ''), sum(billed_cost),
                   sum(effective_cost), sum(list_cost), count(*), bool_or(is_correction), {rolled_up}
              FROM inserted GROUP BY 1, 2, 3, 4, 5, 11
            """
        ).format(
            rolled_up=sql.SQL(ROLLED_UP),
            names=sql.SQL(", ").join(map(sql.Identifier, names)),
            values=sql.SQL(", ").join(
                [*(value for _, value in values.computed), *(value for _, value in values.constants)]
            ),
            raw=raw,
        )
        copy = _copy_into(raw, plan)
        while (item := pieces.get()) is not None:
            first_line, piece = item
            conn.execute(sql.SQL("TRUNCATE {} RESTART IDENTITY").format(raw))
            with conn.cursor().copy(copy) as writer:
                writer.write(piece)
            conn.execute(insert, [first_line - 1])
        if autocommit:
            worker_done.set()
            return
        worker_done.wait()
        conn.execute(
            sql.SQL("ALTER TABLE cost_lines ATTACH PARTITION bench_month FOR VALUES FROM ({}) TO ({})").format(
                sql.Literal(f"{MONTH} 00:00:00+00"), sql.Literal(f"{next_month(MONTH)} 00:00:00+00")
            )
        )
        conn.commit()


def main() -> None:
    arguments = report_arguments(__doc__)
    with tempfile.TemporaryDirectory(prefix="finops-bench-") as folder, database() as dsn:
        path = Path(folder) / "bench_cost_report.csv.gz"
        header, _ = generate(path, arguments.rows, arguments.tags)
        fresh_schema(dsn)
        measure_minimum(dsn, path, with_json=True)  # warm-up: the new server creates its WAL files
        fresh_schema(dsn)
        settle(dsn)
        minimum = measure_minimum(dsn, path, with_json=True)
        settle(dsn)
        raw = measure_raw_copy(dsn, path, header)
        fresh_schema(dsn)
        settle(dsn)
        without_json = measure_minimum(dsn, path, with_json=False)
        fresh_schema(dsn)
        single_insert = measure_single_insert(dsn, path)
        fresh_schema(dsn)
        settle(dsn)
        parallel = measure_parallel_partition(dsn, path)
        print(f"(b) raw COPY into a plain text table:                    {raw:7.2f} s")
        print(f"(m) least work for the ledger, one connection:           {minimum:7.2f} s")
        print(f"(j) the same without the JSONB columns:                  {without_json:7.2f} s")
        print(f"(i) the loading transaction's one insert, rows pre-cast:  {single_insert:7.2f} s")
        print(f"(p) two connections into one table, attached at the end: {parallel:7.2f} s")
        print(
            f"m/b = {minimum / raw:.2f}   (m/2)/b = {minimum / 2 / raw:.2f}   j/b = {without_json / raw:.2f}"
            f"   i/b = {single_insert / raw:.2f}   p/b = {parallel / raw:.2f}"
        )


if __name__ == "__main__":
    main()
