"""A loader killed mid-file (SIGKILL, no chance to clean up) leaves nothing; the re-run loads the file exactly."""

from __future__ import annotations

import gzip
import io
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import psycopg

from finops.db.cost_loader import load_report

HEADER = "lineItem/referenceNo,lineItem/intervalUsageStart,product/service,cost/myCost,cost/currencyCode,tags/team\r\n"
LINES = 300_000
LOADER = """
import sys
from finops.db.cost_loader import load_report
with open(sys.argv[2], "rb") as content:
    load_report(sys.argv[1], uri="oci://bling/t/reports/cost-csv/big.csv.gz", etag="v1", content=content, size=None)
"""


def write_report(path: Path) -> Decimal:
    body = "".join(
        f"ref{number},2025-06-{1 + number % 28:02d}T{number % 24:02d}:00Z,COMPUTE,{number % 997}.{number % 89:02d},EUR,"
        f"team-{number % 7}\r\n"
        for number in range(LINES)
    )
    path.write_bytes(gzip.compress((HEADER + body).encode(), compresslevel=1))
    return sum((Decimal(f"{number % 997}.{number % 89:02d}") for number in range(LINES)), Decimal(0))


def wait_for_loading(dsn: str, deadline: float) -> str:
    with psycopg.connect(dsn, autocommit=True) as watcher:
        while time.monotonic() < deadline:
            row = watcher.execute(
                "SELECT query FROM pg_stat_activity WHERE state = 'active' AND datname = current_database()"
                " AND query LIKE '%%INSERT INTO%%cost\\_lines%%'"
            ).fetchone()
            if row:
                return str(row[0])
            time.sleep(0.01)
    raise AssertionError("the loader never started writing")


def test_a_loader_killed_mid_file_leaves_nothing_and_the_rerun_is_exact(migrated_dsn: str, tmp_path: Path) -> None:
    report = tmp_path / "big.csv.gz"
    expected = write_report(report)
    loader = subprocess.Popen(
        [sys.executable, "-c", LOADER, migrated_dsn, str(report)],
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    try:
        busy_with = wait_for_loading(migrated_dsn, time.monotonic() + 60)
        loader.send_signal(signal.SIGKILL)  # at once: a piece is going in, the rest still to come
        assert loader.wait(timeout=30) == -signal.SIGKILL, "the loader finished before it could be killed"
    finally:
        if loader.poll() is None:
            loader.kill()
    assert "cost_lines" in busy_with, "killed while inserting lines into the ledger"

    with psycopg.connect(migrated_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM cost_lines").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM source_files").fetchone() == (0,)

    result = load_report(
        migrated_dsn,
        uri="oci://bling/t/reports/cost-csv/big.csv.gz",
        etag="v1",
        content=io.BytesIO(report.read_bytes()),
        size=None,
    )
    assert (result.status, result.rows, result.totals) == ("loaded", LINES, {"EUR": expected})
    with psycopg.connect(migrated_dsn) as conn:
        assert conn.execute("SELECT count(*), sum(billed_cost) FROM cost_lines").fetchone() == (LINES, expected)
        assert conn.execute("SELECT sum(billed_cost) FROM daily_costs").fetchone() == (expected,)
        assert conn.execute("SELECT status, rows FROM source_files").fetchall() == [("loaded", LINES)]
        leftovers = "SELECT count(*) FROM pg_tables WHERE schemaname = 'finops_staging'"
        assert conn.execute(leftovers).fetchone() == (0,), "the killed load's staged pieces were cleared"
