"""Reads the value behind a secret reference: an environment variable, a file or an OCI Vault secret."""

from __future__ import annotations

import os
from pathlib import Path

from finops.clouds.oci.auth import load_credentials, oci_auth_from
from finops.clouds.oci.vault import VaultSecrets
from finops.config import SecretReference, Settings
from finops.domain.errors import ConfigError


def read_secret(reference: SecretReference, settings: Settings) -> str:
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
