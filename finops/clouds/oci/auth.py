"""OCI authentication: an API-key config file and profile, an instance principal or a resource principal."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import oci

from finops.config import OciAuthMethod, Settings
from finops.domain.errors import AuthError


@dataclass(frozen=True)
class OciAuth:
    method: OciAuthMethod = "api_key"
    config_file: Path = Path("~/.oci/config")
    profile: str = "DEFAULT"
    region: str | None = None


def oci_auth_from(settings: Settings) -> OciAuth:
    return OciAuth(settings.oci_auth, settings.oci_config_file, settings.oci_profile, settings.oci_region)


@dataclass(frozen=True)
class OciCredentials:
    config: dict[str, Any]
    signer: Any | None

    def client_options(self, endpoint: str | None, timeout: tuple[float, float]) -> dict[str, Any]:
        """Keyword arguments for an SDK client: our signer and endpoint, and no SDK-level retries
        (retries belong to the Prefect tasks, where they are visible)."""
        options: dict[str, Any] = {"retry_strategy": oci.retry.NoneRetryStrategy(), "timeout": timeout}
        if self.signer:
            options["signer"] = self.signer
        if endpoint:
            options["service_endpoint"] = endpoint
        return options


def load_credentials(auth: OciAuth) -> OciCredentials:
    try:
        if auth.method == "instance_principal":
            signer = oci.auth.signers.InstancePrincipalsSecurityTokenSigner()
            return OciCredentials({"region": auth.region or signer.region, "tenancy": signer.tenancy_id}, signer)
        if auth.method == "resource_principal":
            signer = oci.auth.signers.get_resource_principals_signer()
            return OciCredentials({"region": auth.region or signer.region}, signer)
        config = oci.config.from_file(str(auth.config_file.expanduser()), auth.profile)
    except oci.exceptions.ConfigFileNotFound:
        raise AuthError(f"OCI config file {auth.config_file} not found (FINOPS_OCI_CONFIG_FILE)") from None
    except oci.exceptions.ProfileNotFound:
        raise AuthError(f"profile {auth.profile!r} is not in {auth.config_file} (FINOPS_OCI_PROFILE)") from None
    except oci.exceptions.InvalidConfig as error:
        raise AuthError(f"OCI config {auth.config_file} [{auth.profile}] is invalid: {error}") from None
    except Exception as error:  # the principals' metadata services fail in many ways off OCI
        raise AuthError(f"OCI {auth.method.replace('_', ' ')} authentication failed: {type(error).__name__}") from None
    if auth.region:
        config["region"] = auth.region
    return OciCredentials(config, None)
