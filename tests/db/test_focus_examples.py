"""The FOCUS 1.2 specification's own examples go in as files and come back out of `focus_costs` unchanged."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from psycopg.rows import dict_row

from finops.db.cost_loader import load_report

EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "reference" / "focus" / "spec-v1.2-examples"
# The SaaS "simple agreements" write amounts as money ("$10,000.00 "), which FOCUS does not allow.
MONEY_FORMATTED = sorted((EXAMPLES / "saas_examples" / "simple_agreements").glob("*.csv"))
# Two purchase scenarios end a charge period at 2023-02-01T30:00:00Z, an hour that does not exist.
IMPOSSIBLE_HOURS = sorted(path for path in EXAMPLES.rglob("*.csv") if b"T30:" in path.read_bytes())
CONFORMANT = sorted(path for path in EXAMPLES.rglob("*.csv") if path not in MONEY_FORMATTED + IMPOSSIBLE_HOURS)


def same_value(text: str, stored: object) -> bool:
    """Whether the stored value means what the example wrote, read the way a person reads it."""
    if text in ("", "null"):
        return stored is None or stored == {}
    if isinstance(stored, datetime):
        layout = "%m/%d/%y" if "/" in text else "%Y-%m-%dT%H:%M:%SZ"
        return stored == datetime.strptime(text, layout).replace(tzinfo=UTC)
    if isinstance(stored, Decimal):
        return stored == Decimal(text)
    if isinstance(stored, dict):
        return stored == json.loads(text)
    return stored == text


def load_example(dsn: str, path: Path) -> tuple[str, int | None, list[dict[str, str]], object]:
    data = path.read_bytes()
    result = load_report(dsn, uri=f"file://{path}", etag="spec-v1.2", content=io.BytesIO(data), size=len(data))
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    return result.status, result.source_file_id, rows, result.problem


@pytest.mark.parametrize("path", CONFORMANT, ids=lambda path: path.stem)
def test_each_conformant_example_round_trips_through_focus_costs(migrated_dsn: str, path: Path) -> None:
    status, file_id, rows, problem = load_example(migrated_dsn, path)
    assert status == "loaded", problem
    with psycopg.connect(migrated_dsn, row_factory=dict_row) as conn:
        conn.execute("SET TimeZone = 'UTC'")
        stored = conn.execute(
            "SELECT * FROM focus_costs WHERE source_file_id = %s ORDER BY line_number", [file_id]
        ).fetchall()
    assert len(stored) == len(rows)
    focus_columns = {name.lower(): name for name in stored[0]} if stored else {}
    for original, line in zip(rows, stored, strict=True):
        for header, text in original.items():
            column = focus_columns.get(header.lower())
            if column is not None:
                assert same_value(text, line[column]), (path.name, header, text, line[column])
            elif text not in ("", "null"):
                assert line["x"].get(header) == text, (path.name, header)


@pytest.mark.parametrize("path", MONEY_FORMATTED, ids=lambda path: path.stem)
def test_amounts_written_as_money_are_refused_with_line_and_column(migrated_dsn: str, path: Path) -> None:
    data = path.read_bytes()
    result = load_report(migrated_dsn, uri=f"file://{path}", etag="spec-v1.2", content=io.BytesIO(data), size=len(data))
    assert result.status == "failed"
    assert result.problem is not None
    assert result.problem.line == 2
    assert result.problem.column in {"BilledCost", "ContractedCost", "ContractedUnitPrice", "EffectiveCost", "ListCost"}
    assert "$" in result.problem.message
    with psycopg.connect(migrated_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM cost_lines").fetchone() == (0,)


@pytest.mark.parametrize("path", IMPOSSIBLE_HOURS, ids=lambda path: path.stem)
def test_an_hour_that_does_not_exist_is_refused_where_it_is(migrated_dsn: str, path: Path) -> None:
    data = path.read_bytes()
    first_bad_line = 1 + next(number for number, line in enumerate(data.splitlines()) if b"T30:" in line)
    result = load_report(migrated_dsn, uri=f"file://{path}", etag="spec-v1.2", content=io.BytesIO(data), size=len(data))
    assert result.status == "failed"
    assert result.problem is not None
    assert (result.problem.line, result.problem.column) == (first_bad_line, "ChargePeriodEnd")
    assert "2023-02-01T30:00:00Z" in result.problem.message
