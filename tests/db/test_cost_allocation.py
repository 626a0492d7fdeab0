"""Costs by tag read the ledger itself: only the month partitions of the range may be scanned."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import psycopg
from psycopg import sql

from finops.db.cost_allocation import BY_TAG
from finops.db.cost_ledger import create_partitions


def scanned(node: dict[str, Any]) -> Iterator[tuple[str, str]]:
    if "Relation Name" in node:
        yield node["Alias"], node["Relation Name"]
    for child in node.get("Plans", []):
        yield from scanned(child)


def test_a_tag_report_for_march_scans_only_the_march_partition(migrated_dsn: str) -> None:
    with psycopg.connect(migrated_dsn, autocommit=True) as conn:
        create_partitions(conn, (date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)))
        params = {
            "tag": "team",
            "accounts": ["249064296596"],
            "start": datetime(2026, 3, 1, tzinfo=UTC),
            "end": datetime(2026, 4, 1, tzinfo=UTC),
            "provider": None,
        }
        row = conn.execute(sql.SQL("EXPLAIN (FORMAT JSON) {}").format(BY_TAG), params).fetchone()
    assert row is not None
    relations = list(scanned(row[0][0]["Plan"]))
    # "l" are the lines summed; the corrections looked up ("c") may sit in any month, by a small index.
    assert {relation for alias, relation in relations if not alias.startswith("c")} == {"cost_lines_2026_03"}
