"""Translates what the `oci` SDK raises into our error tree, once, with a category and transience."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import oci
import urllib3
from oci._vendor.requests import exceptions as sdk_http

from finops.domain.errors import AuthError, FinopsError, StorageError, VaultError

TRANSIENT_STATUSES = {409, 429, 500, 502, 503, 504}


@contextmanager
def translated(action: str, category: type[FinopsError] = StorageError) -> Iterator[None]:
    try:
        yield
    except oci.exceptions.ServiceError as error:
        raise _from_service_error(action, category, error) from None
    except (sdk_http.RequestException, urllib3.exceptions.HTTPError) as error:
        # Connection refused or reset, timeouts, a stream cut mid-download.
        raise category(f"{action}: OCI did not answer ({type(error).__name__})", transient=True) from None
    except (oci.exceptions.ClientError, oci.exceptions.InvalidPrivateKey) as error:
        raise AuthError(f"{action}: the OCI credentials are unusable ({type(error).__name__}: {error})") from None


def _from_service_error(action: str, category: type[FinopsError], error: oci.exceptions.ServiceError) -> FinopsError:
    detail = f"{action}: OCI answered {error.status} {error.code}"
    if error.status in (401, 403):
        return AuthError(f"{detail}: check the credentials and the IAM policies of the principal")
    if error.status == 404:
        what = "secret" if category is VaultError else "bucket or object"
        return category(f"{detail}: the {what} does not exist or the principal may not read it")
    return category(f"{detail} ({error.message})", transient=error.status in TRANSIENT_STATUSES)
