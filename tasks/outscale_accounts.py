"""The Outscale accounts a run reads."""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE

from finops.config import Settings
from finops.db.cloud_accounts import StoredAccount, list_accounts
from finops.db.connect import connect
from finops.domain.errors import UsageError
from tasks.database import database_url


@task(task_run_name="outscale accounts", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def outscale_accounts(settings: Settings, account: str | None) -> list[StoredAccount]:
    with connect(database_url(settings)) as conn:
        accounts = list_accounts(conn, provider="outscale")
    chosen = [stored for stored in accounts if account in (None, stored.account_id, str(stored.id), stored.name)]
    if account is not None and not chosen:
        raise UsageError(f"no Outscale account {account} (see `finops accounts list`)")
    return chosen
