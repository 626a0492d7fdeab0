"""Ingest benchmark: our loader against a raw COPY and against usage2adw's batched executemany.

    uv run python bench/ingest.py [--rows 1000000] [--tags 8]

It writes an N-row OCI cost report (the real column layout, with tag columns) as .csv.gz, then, on
one database in one run, measures:
  (a) our full ingest of the .csv.gz: ledger, source_files row and daily_costs rollup;
  (b) a raw COPY of the same CSV into a plain (logged) table of text columns, the floor for durable loading;
  (c) usage2adw's method: rows inserted with executemany in batches of 5,000 into the same typed ledger.
It prints rows/s for each, the ratios a/b and c/a, the loader's peak RSS (measured in a child
process), and checks that (a) loaded exactly the totals the generator wrote.

Each measurement starts from the same server state, as a long-running server is in: after one
untimed load of the file (a new server creates its WAL files as it first writes them, which
would burden whichever method ran first) and a CHECKPOINT.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import multiprocessing
import random
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from queue import Empty

import psycopg
from psycopg import sql

from finops.db.connect import connect
from finops.db.cost_loader import load_report
from finops.db.migrations import migrate

BASE_COLUMNS = [
    "lineItem/referenceNo", "lineItem/tenantId", "lineItem/intervalUsageStart", "lineItem/intervalUsageEnd",
    "product/service", "product/compartmentId", "product/compartmentName", "product/region",
    "product/availabilityDomain", "product/resourceId", "usage/billedQuantity", "usage/billedQuantityOverage",
    "cost/subscriptionId", "cost/productSku", "product/Description", "cost/unitPrice", "cost/unitPriceOverage",
    "cost/myCost", "cost/myCostOverage", "cost/currencyCode", "cost/billingUnitReadable",
    "cost/skuUnitDescription", "cost/overageFlag", "lineItem/isCorrection", "lineItem/backreferenceNo",
]  # fmt: skip
SERVICES = ["COMPUTE", "BLOCK_STORAGE", "OBJECTSTORE", "DATABASE", "NETWORK", "MYSQL", "LOGGING"]
REGIONS = ["eu-paris-1", "eu-frankfurt-1", "us-ashburn-1", "uk-london-1"]
BATCH = 5_000


def generate(path: Path, rows: int, tags: int, seed: int = 7) -> tuple[list[str], dict[str, Decimal]]:
    """Writes the report; returns its header and the totals per currency it contains."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    header = BASE_COLUMNS + [f"tags/Finance.Tag{index}" for index in range(tags)]
    totals: dict[str, Decimal] = {}
    start = datetime(2025, 6, 1, tzinfo=UTC)
    with gzip.open(path, "wt", newline="", compresslevel=6) as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        for number in range(rows):
            hour = start + timedelta(hours=number % (24 * 30))
            cost = Decimal(rng.randrange(0, 10**9)) / Decimal(10**6)
            currency = "EUR" if number % 5 else "USD"
            totals[currency] = totals.get(currency, Decimal(0)) + cost
            writer.writerow(
                [
                    f"ref{number:012d}", "ocid1.tenancy.oc1..aaaabench", f"{hour:%Y-%m-%dT%H:%M}Z",
                    f"{hour + timedelta(hours=1):%Y-%m-%dT%H:%M:%S}Z", SERVICES[number % len(SERVICES)],
                    f"ocid1.compartment.oc1..c{number % 40}", f"team-{number % 40}", REGIONS[number % len(REGIONS)],
                    "AD-1", f"ocid1.instance.oc1..i{number % 5000}", f"{rng.random() * 10:.6f}", "", "015649487",
                    f"B{88000 + number % 300}", "Compute - Standard - E4", "0.0255", "", str(cost), "", currency,
                    "OCPU HOURS", "OCPU Per Hour", "", "false", "",
                    *[f"value-{(number + index) % 17}" if (number + index) % 3 else "" for index in range(tags)],
                ]
            )  # fmt: skip
    return header, totals


def measure_our_ingest(dsn: str, path: Path, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    started = time.perf_counter()
    with path.open("rb") as content:
        result = load_report(dsn, uri=f"file://{path}", etag="bench", content=content, size=path.stat().st_size)
    elapsed = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put((elapsed, result.status, result.rows, {k: str(v) for k, v in result.totals.items()}, peak_kib))


def measure_raw_copy(dsn: str, path: Path, header: list[str]) -> float:
    columns = [sql.Identifier(f"c{index}") for index in range(len(header))]
    with psycopg.connect(dsn) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_raw")
        conn.execute(
            sql.SQL("CREATE TABLE bench_raw ({})").format(
                sql.SQL(", ").join(sql.SQL("{} text").format(column) for column in columns)
            )
        )
        conn.commit()
        started = time.perf_counter()
        with (
            gzip.open(path, "rb") as raw,
            conn.cursor().copy(sql.SQL("COPY bench_raw FROM STDIN WITH (FORMAT csv, HEADER true)")) as copy,
        ):
            while chunk := raw.read(1024 * 1024):
                copy.write(chunk)
        conn.commit()
        return time.perf_counter() - started


def measure_usage2adw(dsn: str, path: Path) -> float:
    """Rows parsed in Python and inserted with executemany, 5,000 at a time, one commit per file."""
    with psycopg.connect(dsn) as conn:
        file_id = conn.execute(
            "INSERT INTO source_files (uri, etag, kind, status) VALUES ('bench://usage2adw', 'x', 'oci-cost', 'loaded')"
            " RETURNING id"
        ).fetchone()
        for month, following in (("2025_06", "2025-07-01"), ("2025_07", "2025-08-01")):
            conn.execute(
                sql.SQL("CREATE TABLE IF NOT EXISTS {} PARTITION OF cost_lines FOR VALUES FROM ({}) TO ({})").format(
                    sql.Identifier(f"cost_lines_{month}"),
                    sql.Literal(month.replace("_", "-") + "-01"),
                    sql.Literal(following),
                )
            )
        conn.commit()
        statement = """
            INSERT INTO cost_lines (source_file_id, line_number, provider, reference_no, sub_account_id,
                charge_period_start, charge_period_end, service_name, region_id, billed_cost, effective_cost,
                billing_currency, billing_account_id, sku_id, pricing_quantity, tags)
            VALUES (%s, %s, 'oci', %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
        """
        started = time.perf_counter()
        with gzip.open(path, "rt", newline="") as text, conn.cursor() as cursor:
            reader = csv.reader(text)
            header = next(reader)
            tag_positions = [(name[5:], index) for index, name in enumerate(header) if name.startswith("tags/")]
            batch = []
            for number, row in enumerate(reader, start=2):
                tags = psycopg.types.json.Jsonb({key: row[index] for key, index in tag_positions if row[index]})
                cost = Decimal(row[17])
                batch.append(
                    (file_id[0] if file_id else 0, number, row[0], row[1], row[2], row[3], row[4], row[7], cost, cost,
                     row[19], row[12], row[13], Decimal(row[10]), tags)
                )  # fmt: skip
                if len(batch) == BATCH:
                    cursor.executemany(statement, batch)
                    batch.clear()
            if batch:
                cursor.executemany(statement, batch)
        conn.commit()
        return time.perf_counter() - started


@contextmanager
def database() -> Iterator[str]:
    import os

    if os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"]
        return
    from finops.cli.embedded_postgres import embedded_postgres

    with tempfile.TemporaryDirectory(prefix="finops-bench-") as home, embedded_postgres(Path(home)) as dsn:
        yield dsn


def fresh_schema(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("DROP SCHEMA IF EXISTS finops_staging CASCADE")
        conn.execute("CREATE SCHEMA public")
    with connect(dsn, autocommit=True) as conn:
        migrate(conn)


def settle(dsn: str) -> None:
    """Writes out the dirty pages and lets the WAL files be recycled, so no method pays for another's."""
    with psycopg.connect(dsn, autocommit=True) as conn, suppress(psycopg.errors.InsufficientPrivilege):
        conn.execute("CHECKPOINT")


def timed_ingest(dsn: str, path: Path) -> tuple:  # type: ignore[type-arg]
    """Our ingest in a child process, so that its peak RSS is the loader's own."""
    queue: multiprocessing.Queue = multiprocessing.get_context("spawn").Queue()  # type: ignore[type-arg]
    child = multiprocessing.get_context("spawn").Process(target=measure_our_ingest, args=(dsn, path, queue))
    child.start()
    return wait_for_child(child, queue)


def wait_for_child(child: multiprocessing.process.BaseProcess, queue: multiprocessing.Queue) -> tuple:  # type: ignore[type-arg]
    """The loader's figures; a loader that died says so instead of leaving the benchmark waiting."""
    while True:
        try:
            figures = queue.get(timeout=1)
        except Empty:
            if not child.is_alive():
                sys.exit(f"the loader process died (exit code {child.exitcode}); see its traceback above")
            continue
        child.join()
        return figures  # type: ignore[no-any-return]


def report_arguments(description: str | None) -> argparse.Namespace:
    """The size of the report to generate: --rows and --tags."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--tags", type=int, default=8)
    return parser.parse_args()


def main() -> None:
    arguments = report_arguments(__doc__)
    with tempfile.TemporaryDirectory(prefix="finops-bench-") as folder, database() as dsn:
        path = Path(folder) / "bench_cost_report.csv.gz"
        started = time.perf_counter()
        header, expected = generate(path, arguments.rows, arguments.tags)
        print(f"generated {arguments.rows:,} rows x {len(header)} columns ({path.stat().st_size / 2**20:.1f} MiB gz)"
              f" in {time.perf_counter() - started:.1f} s")  # fmt: skip

        fresh_schema(dsn)
        first = timed_ingest(dsn, path)[0]
        fresh_schema(dsn)
        settle(dsn)
        ours, status, rows, totals, peak_kib = timed_ingest(dsn, path)
        settle(dsn)
        raw = measure_raw_copy(dsn, path, header)
        fresh_schema(dsn)
        settle(dsn)
        batched = measure_usage2adw(dsn, path)

        n = arguments.rows
        print(f"(a) our ingest (ledger + source_files + daily_costs): {ours:7.2f} s  {n / ours:12,.0f} rows/s")
        print(f"(b) raw COPY into a plain text table:                 {raw:7.2f} s  {n / raw:12,.0f} rows/s")
        print(f"(c) usage2adw executemany, batches of {BATCH:,}:        {batched:7.2f} s  {n / batched:12,.0f} rows/s")
        print(f"    (untimed warm-up: the same ingest as the server's first load took {first:.2f} s)")
        print(f"a/b = {ours / raw:.2f} (target <= 2.0)   c/a = {batched / ours:.2f} (target >= 2.5)")
        print(f"loader peak RSS: {peak_kib / 1024:.0f} MiB (target <= 250 MiB)")
        correct = status == "loaded" and rows == n and {k: Decimal(v) for k, v in totals.items()} == expected
        loaded_totals = ", ".join(f"{currency} {total}" for currency, total in sorted(totals.items()))
        print(f"totals check: {'exact' if correct else 'MISMATCH'} ({loaded_totals})")
        if not correct:
            sys.exit(1)


if __name__ == "__main__":
    main()
