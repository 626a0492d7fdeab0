"""Seeds priced resource snapshots as snapshot-resources writes them (for the readers' tests)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from finops.db.connect import connect
from finops.db.resource_costs import record_snapshot
from finops.domain.outscale_pricing import PricedResource

EARLIER = datetime(2026, 11, 24, 10, tzinfo=UTC)
LATEST = datetime(2026, 11, 24, 11, tzinfo=UTC)
ACCOUNT = "249064296596"


def seed_snapshots(dsn: str) -> None:
    """An older snapshot (which readers must ignore) and the latest: 2 VMs, a volume."""
    with connect(dsn) as conn:
        conn.execute(
            "INSERT INTO cloud_accounts (provider, account_id, name, regions, owner, credentials_reference)"
            " VALUES ('outscale', %s, 'prod', '{eu-west-2}', %s, 'env:OSC_KEYS')",
            [ACCOUNT, ACCOUNT],
        )
        record_snapshot(conn, ACCOUNT, "eu-west-2", "EUR", EARLIER, [priced("Vm", "i-old", "9.99")])
        record_snapshot(
            conn,
            ACCOUNT,
            "eu-west-2",
            "EUR",
            LATEST,
            [
                priced("Vm", "i-1", "0.09", {"team": "data"}),
                priced("Vm", "i-2", "0.411", {"team": "web"}),
                priced("Volume", "vol-1", str(Decimal("16.95") / 730)),
            ],
        )


def priced(kind: str, resource_id: str, hourly: str, tags: dict[str, str] | None = None) -> PricedResource:
    return PricedResource(kind, resource_id, Decimal(hourly), Decimal(hourly) * 730, {}, (), tags or {})
