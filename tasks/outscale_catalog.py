"""Tasks of refresh-catalog: read a region's public catalog, record what changed, report it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prefect import task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from finops.clouds.outscale.api import read_public_catalog
from finops.config import Settings
from finops.db.catalog_prices import record_catalog
from finops.db.connect import connect
from finops.domain.outscale_catalog import REGION_CURRENCIES, CatalogPrice, parse_catalog
from tasks.database import database_url
from tasks.retry import TRANSIENT_RETRIES


@task(task_run_name="read the public catalog of {region}", cache_policy=NO_CACHE, **TRANSIENT_RETRIES)
def fetch_public_catalog(region: str, settings: Settings) -> list[CatalogPrice]:
    return parse_catalog(read_public_catalog(region, settings.outscale_endpoint))


@task(task_run_name="record the prices of {region}", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def record_prices(region: str, prices: list[CatalogPrice], seen_at: datetime, settings: Settings) -> dict[str, Any]:
    with connect(database_url(settings)) as conn:
        changes = record_catalog(conn, region, REGION_CURRENCIES[region], prices, seen_at)
    return {
        "region": region,
        "status": "recorded",
        "currency": REGION_CURRENCIES[region],
        "entries": len(prices),
        "added": len(changes.added),
        "changed": [f"{price.key} {price.unit_price}" for price in changes.changed],
        "removed": [str(key) for key in changes.removed],
        "unchanged": changes.unchanged,
    }


@task(task_run_name="publish catalog report")
def publish_catalog_report(outcomes: list[dict[str, Any]]) -> None:
    rows = [
        {
            "region": outcome["region"],
            "status": outcome["status"],
            "currency": outcome.get("currency", ""),
            "entries": outcome.get("entries", 0),
            "added": outcome.get("added", 0),
            "changed": len(outcome.get("changed", [])),
            "removed": len(outcome.get("removed", [])),
            "problem": outcome.get("problem", ""),
        }
        for outcome in outcomes
    ]
    create_table_artifact(table=rows, key="refresh-catalog", description="Outscale catalog prices recorded by this run")
