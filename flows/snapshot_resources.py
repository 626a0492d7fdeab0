"""snapshot-resources: every live resource of every Outscale account priced per hour and month (osc-cost parity)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from prefect import flow
from prefect.client.schemas.objects import State
from prefect.states import Completed, Failed

from finops.config import Settings
from finops.domain.errors import FinopsError
from tasks.outcomes import failed_outcome
from tasks.outscale_accounts import outscale_accounts
from tasks.outscale_resources import publish_resources_report, snapshot_account


@flow(name="snapshot-resources", log_prints=False)
def snapshot_resources(account: str | None = None) -> State[list[dict[str, Any]]]:
    settings = Settings()
    taken_at = datetime.now(UTC)
    outcomes: list[dict[str, Any]] = []
    for stored in outscale_accounts(settings, account):
        for region in stored.regions:
            try:
                outcomes.append(snapshot_account(stored, region, taken_at, settings))
            except FinopsError as error:
                outcomes.append(failed_outcome(error, account=stored.account_id, region=region))
    publish_resources_report(outcomes)
    failed = [outcome for outcome in outcomes if outcome["status"] == "failed"]
    if failed and len(failed) == len(outcomes):
        return Failed(message=f"no account could be read: {failed[0]['problem']}", data=outcomes)
    return Completed(data=outcomes)
