"""Tasks of snapshot-consumption: which accounts, one account-day read, priced and recorded, the report."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.events import emit_event

from finops.config import Settings
from finops.db.cloud_accounts import StoredAccount
from finops.db.connect import connect
from finops.db.outscale_consumption import record_day, recorded_lines
from finops.domain.errors import CloudError
from finops.domain.outscale_catalog import REGION_CURRENCIES
from finops.domain.outscale_consumption import day_lines
from tasks.cost_files import INGESTED_EVENT
from tasks.database import database_url
from tasks.outscale_clients import client_for
from tasks.outscale_prices import prices_in_force
from tasks.retry import TRANSIENT_RETRIES


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
        if not entries and recorded_lines(conn, account.account_id, region, day):
            # An empty answer for a day already recorded is more likely a glitch than a refund of everything.
            raise CloudError(
                f"ReadConsumptionAccount answered nothing for {day}, which has lines recorded; they are kept",
                transient=True,
            )
        prices = prices_in_force(conn, region, datetime(day.year, day.month, day.day, 12, tzinfo=UTC), settings)
        lines = day_lines(entries, prices, api.vm_types() if _needs_vm_sizes(entries) else None)
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


def _needs_vm_sizes(entries: list[dict[str, Any]]) -> bool:
    """An AWS-compatible VM line (BoxUsage:m4.large) is priced by its size, which only ReadVmTypes knows."""
    return any(
        str(entry.get("Type") or "").startswith(("BoxUsage:", "ProductUsage:"))
        and "tinav" not in str(entry.get("Type"))
        and entry.get("Price") is None
        for entry in entries
    )


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


@task(task_run_name="announce new consumption")
def announce_consumption(outcomes: list[dict[str, Any]]) -> None:
    """New consumption is in the cost ledger: check-budgets and detect-drift chain on this, as after ingest-costs."""
    changed = [o for o in outcomes if o["status"] == "recorded" and (o["inserted"] or o["updated"])]
    if not changed:
        return
    emit_event(
        event=INGESTED_EVENT,
        resource={"prefect.resource.id": "finops.cost-ledger.outscale"},
        payload={
            "days": sorted({outcome["day"] for outcome in changed}),
            "accounts": sorted({outcome["account"] for outcome in changed}),
        },
    )
