"""Resolves secret references (env:, file:, oci-vault:), caching each value for the current flow run only."""

from __future__ import annotations

from prefect.context import FlowRunContext
from pydantic import SecretStr

from finops.config import SecretReference, Settings
from finops.secret_values import read_secret

_run_cache: dict[tuple[str, str], SecretStr] = {}


def resolve_secret(reference: SecretReference, settings: Settings) -> SecretStr:
    run = FlowRunContext.get()
    run_id = str(run.flow_run.id) if run and run.flow_run else "no-run"
    key = (run_id, str(reference))
    if key not in _run_cache:
        for stale in [cached for cached in _run_cache if cached[0] != run_id]:
            del _run_cache[stale]
        _run_cache[key] = SecretStr(read_secret(reference, settings))
    return _run_cache[key]
