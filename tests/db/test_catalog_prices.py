"""Outscale price history: a row per price while it holds; any moment is priced with its own prices."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import psycopg

from finops.db.catalog_prices import prices_at, record_catalog
from finops.db.connect import connect
from finops.domain.outscale_catalog import parse_catalog

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "reference" / "outscale" / "samples"
CATALOG = parse_catalog(json.loads((SAMPLES / "readpubliccatalog_eu-west-2.json").read_text()))
MONDAY = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)


def gp2(price: str) -> list:  # type: ignore[type-arg]
    return [replace(p, unit_price=Decimal(price)) if p.key.type == "BSU:VolumeUsage:gp2" else p for p in CATALOG]


def test_the_same_catalog_twice_changes_nothing(migrated_dsn: str) -> None:
    with connect(migrated_dsn) as conn:
        first = record_catalog(conn, "eu-west-2", "EUR", CATALOG, MONDAY)
        again = record_catalog(conn, "eu-west-2", "EUR", CATALOG, MONDAY + timedelta(days=1))
    assert (len(first.added), first.unchanged) == (122, 0)
    assert (again.anything, again.unchanged) == (False, 122)
    with psycopg.connect(migrated_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM osc_catalog_prices").fetchone() == (122,)


def test_a_price_change_makes_history_and_each_day_keeps_its_price(migrated_dsn: str) -> None:
    tuesday, wednesday = MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)
    without_snapshots = [p for p in gp2("0.12") if p.key.type != "Snapshot:Usage"]
    with connect(migrated_dsn) as conn:
        record_catalog(conn, "eu-west-2", "EUR", CATALOG, MONDAY)
        changes = record_catalog(conn, "eu-west-2", "EUR", without_snapshots, wednesday)
        assert [p.key.type for p in changes.changed] == ["BSU:VolumeUsage:gp2"]
        assert [k.type for k in changes.removed] == ["Snapshot:Usage"]
        before = prices_at(conn, "eu-west-2", tuesday).get("TinaOS-FCU", "BSU:VolumeUsage:gp2", "CreateVolume")
        after = prices_at(conn, "eu-west-2", wednesday).get("TinaOS-FCU", "BSU:VolumeUsage:gp2", "CreateVolume")
        earlier = prices_at(conn, "eu-west-2", MONDAY - timedelta(days=30))
    assert before is not None and after is not None
    assert (before.unit_price, after.unit_price) == (Decimal("0.11"), Decimal("0.12"))
    assert len(earlier) == 122, "a day before the history starts is priced with the first prices known"
    with psycopg.connect(migrated_dsn) as conn:
        history = conn.execute(
            "SELECT unit_price, valid_from, valid_to FROM osc_catalog_prices WHERE type = 'BSU:VolumeUsage:gp2'"
            " ORDER BY valid_from"
        ).fetchall()
    assert history == [(Decimal("0.11"), MONDAY, wednesday), (Decimal("0.12"), wednesday, None)]


def test_a_price_that_ended_is_still_priced_with_its_last_value_not_its_first(migrated_dsn: str) -> None:
    tuesday, wednesday = MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)
    without_gp2 = [p for p in CATALOG if p.key.type != "BSU:VolumeUsage:gp2"]
    with connect(migrated_dsn) as conn:
        record_catalog(conn, "eu-west-2", "EUR", CATALOG, MONDAY)
        record_catalog(conn, "eu-west-2", "EUR", gp2("0.12"), tuesday)
        record_catalog(conn, "eu-west-2", "EUR", without_gp2, wednesday)
        later = prices_at(conn, "eu-west-2", wednesday + timedelta(days=5))
    gp2_later = later.get("TinaOS-FCU", "BSU:VolumeUsage:gp2", "CreateVolume")
    assert gp2_later is not None and gp2_later.unit_price == Decimal("0.12")
