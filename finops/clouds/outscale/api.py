"""The Outscale API through osc-sdk-python (signed calls) and plain HTTPS (the public catalog).

The SDK retries 429 and 5xx itself; it is allowed two quick retries here, and the Prefect tasks
retry what still fails, with their own backoff. Errors become our error tree once, here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import httpx
import requests
from osc_sdk_python import Gateway
from osc_sdk_python.credentials import Endpoint

from finops.domain.errors import AuthError, CloudError

TRANSIENT_STATUSES = {429, 500, 502, 503, 504}
PAGE_SIZE = 1000
SDK_RETRIES: dict[str, Any] = {
    "max_retries": 2,
    "retry_backoff_factor": 0.5,
    "retry_backoff_jitter": 0.5,
    "retry_backoff_max": 5,
}


def endpoint_for(template: str, region: str) -> str:
    return template.format(region=region).rstrip("/")


class OutscaleApi:
    """Signed calls for one account in one region."""

    def __init__(self, access_key: str, secret_key: str, region: str, endpoint_template: str) -> None:
        self.region = region
        self._vm_types: dict[str, tuple[int, Decimal]] | None = None
        self._gateway = Gateway(
            access_key=access_key,
            secret_key=secret_key,
            region=region,
            endpoints=Endpoint(api=endpoint_for(endpoint_template, region)),
            **SDK_RETRIES,
        )

    def __enter__(self) -> OutscaleApi:
        return self

    def __exit__(self, *_: object) -> None:
        self._gateway.__exit__(None, None, None)

    def call(self, action: str, **parameters: Any) -> dict[str, Any]:
        sent = {name: value for name, value in parameters.items() if value is not None}
        with _translated(f"{action} in {self.region}"):
            answer = self._gateway.raw(action, **sent)
        return answer if isinstance(answer, dict) else {}

    def account_id(self) -> str:
        accounts = self.call("ReadAccounts").get("Accounts") or []
        if not accounts or not accounts[0].get("AccountId"):
            raise CloudError(f"ReadAccounts in {self.region} answered no account")
        return str(accounts[0]["AccountId"])

    def vm_types(self) -> dict[str, tuple[int, Decimal]]:
        """VM type name -> (vCPU, memory GiB), read once per client: AWS-compatible types are priced by size."""
        if self._vm_types is None:
            self._vm_types = {
                str(vm_type["VmTypeName"]): (
                    int(vm_type.get("VcoreCount") or 0),
                    Decimal(str(vm_type.get("MemorySize") or 0)),
                )
                for vm_type in self.read_all("ReadVmTypes", "VmTypes")
                if vm_type.get("VmTypeName")
            }
        return self._vm_types

    def read_all(self, action: str, key: str, **parameters: Any) -> list[dict[str, Any]]:
        """Every page of a Read call that pages with NextPageToken (ReadLoadBalancers and ReadFlexibleGpus do not)."""
        items: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            page = self.call(action, ResultsPerPage=PAGE_SIZE, NextPageToken=token, **parameters)
            items.extend(page.get(key) or [])
            token = page.get("NextPageToken")
            if not token:
                return items


def read_public_catalog(region: str, endpoint_template: str, timeout: float = 30.0) -> dict[str, Any]:
    """ReadPublicCatalog needs no keys, and the SDK insists on signing: a plain POST does it."""
    url = f"{endpoint_for(endpoint_template, region)}/ReadPublicCatalog"
    try:
        response = httpx.post(url, json={}, timeout=timeout)
    except httpx.HTTPError as error:
        raise CloudError(f"ReadPublicCatalog in {region}: no answer ({type(error).__name__})", transient=True) from None
    if response.status_code != 200:
        raise CloudError(
            f"ReadPublicCatalog in {region}: Outscale answered {response.status_code}",
            transient=response.status_code in TRANSIENT_STATUSES,
        )
    try:
        document = response.json()
    except ValueError:
        raise CloudError(f"ReadPublicCatalog in {region}: the answer is not JSON", transient=True) from None
    if not isinstance(document, dict) or not (document.get("Catalog") or {}).get("Entries"):
        # Recording an empty catalog would end every price: treat it as the glitch it is.
        raise CloudError(f"ReadPublicCatalog in {region}: the answer holds no catalog entries", transient=True)
    return document


@contextmanager
def _translated(action: str) -> Iterator[None]:
    try:
        yield
    except requests.HTTPError as error:
        status = error.response.status_code if error.response is not None else 0
        if status in (401, 403):
            raise AuthError(
                f"{action}: Outscale refused the access key ({status}); check the keys and that they are"
                " meant for this region"
            ) from None
        raise CloudError(
            f"{action}: Outscale answered {status} ({error})", transient=status in TRANSIENT_STATUSES
        ) from None
    except (requests.ConnectionError, requests.Timeout) as error:
        raise CloudError(f"{action}: Outscale did not answer ({type(error).__name__})", transient=True) from None
