"""The least work any loader into our ledger must do, against a raw COPY: why a/b stays above 2.

    uv run python bench/ingest_floor.py [--rows 1000000] [--tags 8]

On the report bench/ingest.py writes, in one run on one database, each after a CHECKPOINT:
  (b) a raw COPY into a plain (logged) table of text columns, as in bench/ingest.py;
  (m) the minimum for the ledger, on one connection: each 4 MiB piece COPYed into a TEMP table of
      text columns, then one INSERT ... SELECT of the ledger's own casts and JSONB
      (finops.db.cost_transform) into its month partition; no rollup, references, checks or workers;
  (j) the same as (m) without the two JSONB columns, tags and x.
It prints each time and m/b, (m/2)/b and j/b. (m/2)/b is a/b for a loader that split (m) over the
two cores perfectly and did nothing more; a real split also pays for handing typed rows from one
connection to another, which (m) does not.
"""

from __future__ import annotations

import gzip
import tempfile
import time
from datetime import date
from pathlib import Path

import psycopg
from psycopg import sql

from bench.ingest import database, fresh_schema, generate, measure_raw_copy, report_arguments, settle
from finops.db.cost_ledger import create_partitions
from finops.db.cost_pieces import create_raw_table
from finops.db.cost_transform import ledger_values
from finops.domain.cost_columns import plan_columns
from finops.domain.line_breaks import record_aligned

PIECE_BYTES = 4 * 1024 * 1024
MONTH = date(2025, 6, 1)  # every line bench/ingest.py writes starts in June 2025: one partition, no routing


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
        copy = sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv)").format(
            raw, sql.SQL(", ").join(sql.Identifier(f"c{index}") for index in range(plan.width))
        )
        create_partitions(conn, (MONTH,))
        started = time.perf_counter()
        for piece in record_aligned(iter(lambda: stream.read(1024 * 1024), b""), PIECE_BYTES):
            conn.execute(sql.SQL("TRUNCATE {} RESTART IDENTITY").format(raw))
            with conn.cursor().copy(copy) as writer:
                writer.write(piece)
            conn.execute(insert)
        conn.commit()
        return time.perf_counter() - started


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
        print(f"(b) raw COPY into a plain text table:                    {raw:7.2f} s")
        print(f"(m) least work for the ledger, one connection:           {minimum:7.2f} s")
        print(f"(j) the same without the JSONB columns:                  {without_json:7.2f} s")
        print(f"m/b = {minimum / raw:.2f}   (m/2)/b = {minimum / 2 / raw:.2f}   j/b = {without_json / raw:.2f}")


if __name__ == "__main__":
    main()
