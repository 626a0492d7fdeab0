"""Resolves secret references (env:, file:, oci-vault:), caching each value for the current flow run only."""

from __future__ import annotations

import os
from pathlib import Path

from prefect.context import FlowRunContext
from pydantic import SecretStr

from finops.clouds.oci.auth import load_credentials, oci_auth_from
from finops.clouds.oci.vault import VaultSecrets
from finops.config import SecretReference, Settings
from finops.domain.errors import ConfigError

_run_cache: dict[tuple[str, str], SecretStr] = {}


def resolve_secret(reference: SecretReference, settings: Settings) -> SecretStr:
    run = FlowRunContext.get()
    run_id = str(run.flow_run.id) if run and run.flow_run else "no-run"
    key = (run_id, str(reference))
    if key not in _run_cache:
        for stale in [cached for cached in _run_cache if cached[0] != run_id]:
            del _run_cache[stale]
        _run_cache[key] = SecretStr(_read(reference, settings))
    return _run_cache[key]


def _read(reference: SecretReference, settings: Settings) -> str:
    if reference.scheme == "env":
        value = os.environ.get(reference.target)
        if value is None:
            raise ConfigError(f"secret reference {reference}: the environment variable is not set")
        return value
    if reference.scheme == "file":
        try:
            return Path(reference.target).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ConfigError(f"secret reference {reference}: {error.strerror}") from None
    vault = VaultSecrets(load_credentials(oci_auth_from(settings)), settings.oci_secrets_endpoint)
    return vault.read(reference.target)
