"""Tasks of snapshot-consumption: which accounts, one account-day read, priced and recorded, the report."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from finops.clouds.outscale.api import read_public_catalog
from finops.config import Settings
from finops.db.catalog_prices import prices_at, record_catalog
from finops.db.cloud_accounts import StoredAccount, list_accounts
from finops.db.connect import connect
from finops.db.outscale_consumption import record_day
from finops.domain.errors import UsageError
from finops.domain.outscale_catalog import REGION_CURRENCIES, PriceList, parse_catalog
from finops.domain.outscale_consumption import day_lines
from tasks.database import database_url
from tasks.outscale_clients import client_for
from tasks.retry import TRANSIENT_RETRIES


@task(task_run_name="outscale accounts", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def outscale_accounts(settings: Settings, account: str | None) -> list[StoredAccount]:
    with connect(database_url(settings)) as conn:
        accounts = list_accounts(conn, provider="outscale")
    chosen = [stored for stored in accounts if account in (None, stored.account_id, str(stored.id), stored.name)]
    if account is not None and not chosen:
        raise UsageError(f"no Outscale account {account} (see `finops accounts list`)")
    return chosen


@task(
    task_run_name="consumption of {account.account_id} in {region} on {day}", cache_policy=NO_CACHE, **TRANSIENT_RETRIES
)
def snapshot_day(account: StoredAccount, region: str, day: date, settings: Settings) -> dict[str, Any]:
    api = client_for(account, region, settings)
    answer = api.call(
        "ReadConsumptionAccount", FromDate=day.isoformat(), ToDate=(day + timedelta(days=1)).isoformat(), ShowPrice=True
    )
    entries = answer.get("ConsumptionEntries") or []
    currency = str(answer.get("Currency") or REGION_CURRENCIES[region])
    with connect(database_url(settings)) as conn:
        prices = _prices_of_day(conn, region, day, settings)
        lines = day_lines(entries, prices)
        outcome = record_day(conn, account.account_id, region, currency, day, lines)
    unpriced = [line.key for line in lines if line.source == "unpriced"]
    if unpriced:
        get_run_logger().warning("account=%s day=%s unpriced lines: %s", account.account_id, day, ", ".join(unpriced))
    return {
        "account": account.account_id,
        "region": region,
        "day": day.isoformat(),
        "status": "recorded",
        "lines": len(lines),
        "inserted": outcome.inserted,
        "updated": outcome.updated,
        "unchanged": outcome.unchanged,
        "ledger": outcome.ledger,
        "currency": currency,
        "total": str(sum((line.price or 0 for line in lines), 0)),
        "unpriced": unpriced,
    }


def _prices_of_day(conn: Any, region: str, day: date, settings: Settings) -> PriceList:
    moment = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    prices = prices_at(conn, region, moment)
    if not len(prices):
        # No history yet for this region: start it now rather than leave the day unpriced.
        catalog = parse_catalog(read_public_catalog(region, settings.outscale_endpoint))
        record_catalog(conn, region, REGION_CURRENCIES[region], catalog, datetime.now(UTC))
        prices = prices_at(conn, region, moment)
    return prices


@task(task_run_name="publish consumption report")
def publish_consumption_report(outcomes: list[dict[str, Any]]) -> None:
    rows = [
        {
            "account": outcome.get("account", ""),
            "region": outcome.get("region", ""),
            "day": outcome.get("day", ""),
            "status": outcome["status"],
            "lines": outcome.get("lines", 0),
            "new": outcome.get("inserted", 0),
            "changed": outcome.get("updated", 0),
            "total": f"{outcome.get('total', '')} {outcome.get('currency', '')}".strip(),
            "unpriced": ", ".join(outcome.get("unpriced", [])),
            "problem": outcome.get("problem", ""),
        }
        for outcome in outcomes
    ]
    create_table_artifact(
        table=rows, key="snapshot-consumption", description="Outscale consumption recorded by this run"
    )
