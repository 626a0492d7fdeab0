"""/metrics: Prometheus gauges of the latest resource snapshot, per account and resource type."""

from __future__ import annotations

from decimal import Decimal

from tests.api.conftest import ClientFactory
from tests.db.snapshots import ACCOUNT, seed_snapshots


async def test_metrics_expose_the_latest_snapshot_per_account_and_type(
    api_client_for: ClientFactory, migrated_dsn: str
) -> None:
    seed_snapshots(migrated_dsn)
    async with api_client_for(migrated_dsn, None) as client:
        response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples = {
        line.rsplit(" ", 1)[0]: Decimal(line.rsplit(" ", 1)[1])
        for line in response.text.splitlines()
        if line and not line.startswith("#")
    }
    labels = f'account_id="{ACCOUNT}",region="eu-west-2",resource_type="Vm",currency="EUR"'
    assert samples[f"finops_resource_cost_per_hour{{{labels}}}"] == Decimal("0.501")
    assert samples[f"finops_resources{{{labels}}}"] == 2
    assert samples[f"finops_resource_cost_per_month{{{labels}}}"] == Decimal("0.501") * 730
    assert "# TYPE finops_resource_cost_per_hour gauge" in response.text


async def test_metrics_without_any_snapshot_are_empty_not_an_error(
    api_client_for: ClientFactory, migrated_dsn: str
) -> None:
    async with api_client_for(migrated_dsn, None) as client:
        response = await client.get("/metrics")
    assert response.status_code == 200
    assert [line for line in response.text.splitlines() if not line.startswith("#")] == []
