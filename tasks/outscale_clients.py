"""Outscale clients for the accounts a run reads: API clients built once per run (the SDK parses its spec per
client), and Object Storage listings."""

from __future__ import annotations

from prefect.context import FlowRunContext

from finops.account_credentials import outscale_keys
from finops.clouds.outscale.api import OutscaleApi
from finops.clouds.outscale.object_storage import bucket_usage
from finops.config import Settings
from finops.db.cloud_accounts import StoredAccount
from finops.db.connect import connect
from finops.domain.outscale_pricing import BucketUsage
from tasks.database import database_url

_run_clients: dict[tuple[str, int, str], OutscaleApi] = {}


def client_for(account: StoredAccount, region: str, settings: Settings) -> OutscaleApi:
    run = FlowRunContext.get()
    run_id = str(run.flow_run.id) if run and run.flow_run else "no-run"
    key = (run_id, account.id, region)
    if key not in _run_clients:
        for stale in [cached for cached in _run_clients if cached[0] != run_id]:
            _run_clients.pop(stale).__exit__(None, None, None)
        with connect(database_url(settings)) as conn:
            keys = outscale_keys(conn, account, settings)
        _run_clients[key] = OutscaleApi(keys.access_key, keys.secret_key, region, settings.outscale_endpoint)
    return _run_clients[key]


def buckets_of(account: StoredAccount, region: str, settings: Settings) -> list[BucketUsage]:
    with connect(database_url(settings)) as conn:
        keys = outscale_keys(conn, account, settings)
    return bucket_usage(keys.access_key, keys.secret_key, region, settings.outscale_oos_endpoint)
