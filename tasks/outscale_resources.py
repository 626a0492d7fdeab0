"""Tasks of snapshot-resources: read every live resource of an account-region, price it, keep the snapshot."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from prefect import task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from finops.config import Settings
from finops.db.cloud_accounts import StoredAccount
from finops.db.connect import connect
from finops.db.resource_costs import record_snapshot
from finops.domain.outscale_catalog import REGION_CURRENCIES
from finops.domain.outscale_resources import RESOURCE_READS, price_account
from tasks.database import database_url
from tasks.outscale_clients import buckets_of, client_for
from tasks.outscale_prices import prices_in_force
from tasks.retry import TRANSIENT_RETRIES


@task(task_run_name="resources of {account.account_id} in {region}", cache_policy=NO_CACHE, **TRANSIENT_RETRIES)
def snapshot_account(account: StoredAccount, region: str, taken_at: datetime, settings: Settings) -> dict[str, Any]:
    """Reads everything first, writes only then: an error midway leaves no partial snapshot."""
    api = client_for(account, region, settings)
    resources: dict[str, list[dict[str, Any]]] = {}
    for action, key, paged in RESOURCE_READS:
        resources[key] = api.read_all(action, key) if paged else list(api.call(action).get(key) or [])
    vm_types = api.vm_types()
    buckets = buckets_of(account, region, settings) if settings.outscale_oos else []
    currency = REGION_CURRENCIES[region]
    with connect(database_url(settings)) as conn:
        prices = prices_in_force(conn, region, taken_at, settings)
        priced = price_account(account.account_id, resources, prices, vm_types, buckets)
        record_snapshot(conn, account.account_id, region, currency, taken_at, priced)
    by_type: dict[str, list[Decimal]] = {}
    for resource in priced:
        by_type.setdefault(resource.resource_type, []).append(resource.price_per_hour)
    return {
        "account": account.account_id,
        "region": region,
        "status": "recorded",
        "currency": currency,
        "resources": len(priced),
        "per_hour": str(sum((r.price_per_hour for r in priced), Decimal(0))),
        "per_month": str(sum((r.price_per_month for r in priced), Decimal(0))),
        "by_type": {kind: [len(hourly), str(sum(hourly, Decimal(0)))] for kind, hourly in sorted(by_type.items())},
        "missing_prices": sorted({missing for r in priced for missing in r.missing_prices}),
    }


@task(task_run_name="publish resource cost report")
def publish_resources_report(outcomes: list[dict[str, Any]]) -> None:
    rows = [
        {
            "account": outcome["account"],
            "region": outcome["region"],
            "status": outcome["status"],
            "resources": outcome.get("resources", 0),
            "per hour": f"{outcome.get('per_hour', '')} {outcome.get('currency', '')}".strip(),
            "per month": f"{outcome.get('per_month', '')} {outcome.get('currency', '')}".strip(),
            "missing prices": ", ".join(outcome.get("missing_prices", [])),
            "problem": outcome.get("problem", ""),
        }
        for outcome in outcomes
    ]
    create_table_artifact(
        table=rows, key="snapshot-resources", description="Live Outscale resources priced by this run"
    )
