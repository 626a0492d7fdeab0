"""The cloud accounts the flows read: what a user gives, checked before anything is stored."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

from finops.domain.errors import ConfigError, UsageError
from finops.domain.outscale_catalog import REGION_CURRENCIES

Provider = Literal["outscale", "oci"]
PROVIDERS: tuple[Provider, ...] = ("outscale", "oci")


@dataclass(frozen=True)
class AccountRequest:
    provider: Provider
    name: str
    regions: tuple[str, ...]
    owner: str | None


@dataclass(frozen=True)
class OutscaleKeys:
    access_key: str
    secret_key: str

    def __repr__(self) -> str:
        return f"OutscaleKeys(access_key={self.access_key[:4]}…, secret_key=***)"


def account_request(provider: str, name: str, regions: list[str], owner: str | None) -> AccountRequest:
    if provider not in PROVIDERS:
        raise UsageError(f"provider must be one of {', '.join(PROVIDERS)}, not {provider!r}")
    if not name.strip():
        raise UsageError("an account needs a name")
    if not regions:
        raise UsageError("an account needs at least one region")
    if provider == "outscale":
        unknown = [region for region in regions if region not in REGION_CURRENCIES]
        if unknown:
            raise UsageError(
                f"unknown Outscale region {', '.join(unknown)}; one of {', '.join(sorted(REGION_CURRENCIES))}"
            )
    return AccountRequest(provider, name.strip(), tuple(dict.fromkeys(regions)), owner)


def keys_from_secret(content: str) -> OutscaleKeys:
    """A secret holding JSON {"access_key", "secret_key"}; errors name the keys, never the values."""
    try:
        document = json.loads(content)
    except ValueError:
        raise ConfigError('the Outscale credentials secret must be JSON {"access_key", "secret_key"}') from None
    if not isinstance(document, dict) or not all(
        isinstance(document.get(key), str) and document[key] for key in ("access_key", "secret_key")
    ):
        raise ConfigError('the Outscale credentials secret must hold "access_key" and "secret_key"')
    return OutscaleKeys(document["access_key"], document["secret_key"])
