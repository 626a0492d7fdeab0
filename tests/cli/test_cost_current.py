"""`finops cost current`: the latest snapshot in the four formats osc-cost users expect."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from finops.db.connect import connect
from finops.db.resource_costs import record_snapshot
from tests.cli.conftest import run_finops
from tests.db.snapshots import ACCOUNT, seed_snapshots


@pytest.fixture
def cost_env(finops_env: dict[str, str], migrated_dsn: str) -> dict[str, str]:
    seed_snapshots(migrated_dsn)
    return {**finops_env, "DATABASE_URL": migrated_dsn}


def test_every_format_shows_the_latest_snapshot_only(cost_env: dict[str, str], tmp_path: Path) -> None:
    as_json = run_finops(["cost", "current", "--account", ACCOUNT, "--format", "json"], cost_env, tmp_path)
    assert as_json.returncode == 0, as_json.stderr
    lines = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert sorted(line["resource_id"] for line in lines) == ["i-1", "i-2", "vol-1"]
    assert {line["resource_id"]: line["tags"] for line in lines}["i-2"] == {"team": "web"}

    as_csv = run_finops(["cost", "current", "--format", "csv"], cost_env, tmp_path)
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert sum(Decimal(row["price_per_month"]) for row in rows) == (Decimal("0.501") * 730 + Decimal("16.95"))

    human = run_finops(["cost", "current"], cost_env, tmp_path)
    assert human.returncode == 0, human.stderr
    assert "382.68 EUR" in human.stdout  # (0.501 x 730 + 16.95) per month
    assert "4,592.16 EUR" in human.stdout  # per year
    markdown = run_finops(["cost", "current", "--format", "markdown", "--tag", "team"], cost_env, tmp_path)
    table = markdown.stdout.replace(f"| {ACCOUNT} ", "")
    assert "| Vm | 2 |" in table
    assert "| data | 1 | 0.0900 EUR | 65.70 EUR |" in table
    assert "| (untagged) | 1 |" in table, "the volume has no team tag and is shown, not dropped"


def test_no_snapshot_says_what_to_run(finops_env: dict[str, str], migrated_dsn: str, tmp_path: Path) -> None:
    result = run_finops(["cost", "current"], {**finops_env, "DATABASE_URL": migrated_dsn}, tmp_path)
    assert result.returncode == 1
    assert "finops run snapshot-resources" in result.stderr


def test_an_account_with_nothing_left_costs_nothing_and_a_removed_one_is_gone(
    cost_env: dict[str, str], migrated_dsn: str, tmp_path: Path
) -> None:
    with connect(migrated_dsn) as conn:
        record_snapshot(conn, ACCOUNT, "eu-west-2", "EUR", datetime(2026, 11, 24, 12, tzinfo=UTC), [])
    emptied = run_finops(["cost", "current", "--format", "json"], cost_env, tmp_path)
    assert (emptied.returncode, emptied.stdout) == (1, ""), "the latest snapshot is empty: nothing costs anything"

    with connect(migrated_dsn) as conn:
        conn.execute("DELETE FROM cloud_accounts")
    assert run_finops(["cost", "current"], cost_env, tmp_path).returncode == 1
