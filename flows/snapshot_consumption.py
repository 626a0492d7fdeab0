"""snapshot-consumption: each Outscale account's consumption per day, priced, into osc_consumption and the ledger."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from prefect import flow
from prefect.client.schemas.objects import State
from prefect.states import Completed, Failed

from finops.config import Settings
from finops.domain.errors import FinopsError
from finops.domain.periods import day_range
from tasks.outcomes import failed_outcome
from tasks.outscale_accounts import outscale_accounts
from tasks.outscale_consumption import announce_consumption, publish_consumption_report, snapshot_day
from tasks.progress import RunProgress


@flow(name="snapshot-consumption", log_prints=False)
def snapshot_consumption(
    from_date: date | None = None, to_date: date | None = None, account: str | None = None
) -> State[list[dict[str, Any]]]:
    """Yesterday by default; ``from_date`` (included) to ``to_date`` (excluded) for a backfill, one call per day."""
    settings = Settings()
    days = day_range(from_date, to_date, today=datetime.now(UTC).date())
    accounts = outscale_accounts(settings, account)
    progress = RunProgress("account-days recorded", sum(len(stored.regions) for stored in accounts) * len(days))
    outcomes: list[dict[str, Any]] = []
    for stored in accounts:
        for region in stored.regions:
            for day in days:
                try:
                    outcomes.append(snapshot_day(stored, region, day, settings))
                except FinopsError as error:
                    outcomes.append(
                        failed_outcome(error, account=stored.account_id, region=region, day=day.isoformat())
                    )
                progress.advance(f"{stored.account_id} {region} {day}")
    publish_consumption_report(outcomes)
    announce_consumption(outcomes)
    failed = [outcome for outcome in outcomes if outcome["status"] == "failed"]
    if failed and len(failed) == len(outcomes):
        return Failed(message=f"no consumption could be recorded: {failed[0]['problem']}", data=outcomes)
    return Completed(data=outcomes)
