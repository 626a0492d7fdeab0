"""Reads secrets from OCI Vault (the Secrets service's secret bundles)."""

from __future__ import annotations

import base64
import binascii

import oci

from finops.clouds.oci.auth import OciCredentials
from finops.clouds.oci.errors import translated
from finops.domain.errors import VaultError


class VaultSecrets:
    def __init__(self, credentials: OciCredentials, endpoint: str | None = None) -> None:
        self._client = oci.secrets.SecretsClient(
            credentials.config, **credentials.client_options(endpoint, timeout=(10, 30))
        )

    def read(self, secret_id: str) -> str:
        with translated(f"reading secret {secret_id}", VaultError):
            bundle = self._client.get_secret_bundle(secret_id).data
        content = bundle.secret_bundle_content
        if getattr(content, "content_type", None) != "BASE64":
            raise VaultError(f"secret {secret_id} has content type {content.content_type}, expected BASE64")
        try:
            return base64.b64decode(content.content, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise VaultError(f"secret {secret_id} is not base64-encoded UTF-8 text") from None
