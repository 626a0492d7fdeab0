"""The deliveries ledger's claim protocol against a real PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import psycopg
import pytest

from finops.db import deliveries
from finops.db.connect import connect
from finops.domain.delivery import DeliveryClaim, ObjectVersion

VERSION = ObjectVersion("ns", "bucket", "FOCUS Reports/2025/06/20/a b.csv.gz", "etag-1")
RECIPIENTS = ("a@x.example", "b@x.example")


def claim(dsn: str, lease: timedelta = timedelta(minutes=30), version: ObjectVersion = VERSION) -> DeliveryClaim | None:
    with connect(dsn) as conn:
        return deliveries.claim(conn, rule="r", version=version, recipients=RECIPIENTS, message_id="<m@x>", lease=lease)


def test_a_sent_version_cannot_be_claimed_again(migrated_dsn: str) -> None:
    first = claim(migrated_dsn)
    assert first is not None and first.attempt == 1
    assert claim(migrated_dsn) is None, "another run is sending it"
    with connect(migrated_dsn) as conn:
        assert deliveries.mark_sent(conn, first, delivered_as="attachment", object_size=10, summary=None)
    assert claim(migrated_dsn) is None
    assert claim(migrated_dsn, version=ObjectVersion("ns", "bucket", VERSION.name, "etag-2")) is not None


def test_a_failed_version_is_claimed_again_by_the_next_run(migrated_dsn: str) -> None:
    first = claim(migrated_dsn)
    assert first is not None
    with connect(migrated_dsn) as conn:
        assert deliveries.mark_failed(conn, first, category="smtp", message="421 try later")
    second = claim(migrated_dsn)
    assert second is not None and second.attempt == 2


def test_a_run_whose_lease_ran_out_cannot_overwrite_the_run_that_took_over(migrated_dsn: str) -> None:
    stale = claim(migrated_dsn, lease=timedelta(seconds=-1))
    assert stale is not None
    fresh = claim(migrated_dsn)
    assert fresh is not None and fresh.attempt == 2
    with connect(migrated_dsn) as conn:
        assert deliveries.mark_sent(conn, fresh, delivered_as="link", object_size=1, summary={"series": "s"})
        assert not deliveries.mark_failed(conn, stale, category="smtp", message="late failure")
        row = conn.execute("SELECT status, error_message FROM deliveries").fetchone()
    assert row == ("sent", None)


def test_racing_claims_give_the_version_to_exactly_one_run(migrated_dsn: str) -> None:
    results: list[DeliveryClaim | None] = []
    start = threading.Barrier(6)

    def race() -> None:
        start.wait()
        results.append(claim(migrated_dsn))

    threads = [threading.Thread(target=race) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(result is not None for result in results) == 1


@pytest.mark.parametrize("series", ["Weekly_#_#.csv.gz"])
def test_previous_totals_come_from_the_same_series_only(migrated_dsn: str, series: str) -> None:
    for name, etag, totals in [
        ("Weekly_20250613_0.csv.gz", "w1", {"USD": "10"}),
        ("focus_1.csv.gz", "f1", {"USD": "99"}),
    ]:
        held = claim(migrated_dsn, version=ObjectVersion("ns", "bucket", name, etag))
        assert held is not None
        with connect(migrated_dsn) as conn:
            facts = {"series": "Weekly_#_#.csv.gz" if name.startswith("Weekly") else "focus_#.csv.gz", "totals": totals}
            deliveries.mark_sent(conn, held, delivered_as="attachment", object_size=1, summary=facts)
    with psycopg.connect(migrated_dsn) as conn:
        assert deliveries.previous_totals(conn, "r", series, before_delivery_id=0) == {"USD": Decimal("10")}
