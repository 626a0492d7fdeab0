"""Outscale Object Storage (OOS): how much each bucket of an account holds, read through the S3 API.

OOS speaks S3 and checks AWS Signature Version 4, so boto3 is the client. Sizes come from listing
every object (ListObjectsV2, 1,000 per page): S3 has no call that returns a bucket's size.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ConnectionError, ReadTimeoutError

from finops.clouds.outscale.api import TRANSIENT_STATUSES, endpoint_for
from finops.domain.errors import AuthError, CloudError
from finops.domain.outscale_pricing import BucketUsage

REFUSED_KEYS = frozenset(
    {"InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "AuthorizationHeaderMalformed"}
)
# boto3's standard mode already backs off on SlowDown, 429 and 5xx; the Prefect task retries what still fails.
CLIENT_CONFIG = Config(
    signature_version="s3v4",
    s3={"addressing_style": "path"},
    retries={"mode": "standard", "total_max_attempts": 4},
    connect_timeout=10,
    read_timeout=60,
)


def bucket_usage(access_key: str, secret_key: str, region: str, endpoint_template: str) -> list[BucketUsage]:
    """Every bucket of the account in ``region``, with the total size and count of its objects."""
    client = boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint_for(endpoint_template, region),
        region_name=region,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        config=CLIENT_CONFIG,
    )
    usage: list[BucketUsage] = []
    try:
        with _translated(f"OOS in {region}"):
            names = [str(bucket["Name"]) for bucket in client.list_buckets().get("Buckets", [])]
            for name in names:
                size = objects = 0
                for page in client.get_paginator("list_objects_v2").paginate(Bucket=name):
                    for item in page.get("Contents", []):
                        size += int(item.get("Size") or 0)
                        objects += 1
                usage.append(BucketUsage(name, size, objects))
    finally:
        client.close()
    return usage


@contextmanager
def _translated(where: str) -> Iterator[None]:
    try:
        yield
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code") or "")
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        if code in REFUSED_KEYS or status in (401, 403):
            raise AuthError(
                f"{where}: Object Storage refused the access key ({code or status}); check the keys and that"
                " OOS is enabled for the account"
            ) from None
        raise CloudError(
            f"{where}: Object Storage answered {status} {code}",
            transient=status in TRANSIENT_STATUSES or code == "SlowDown",
        ) from None
    except (ConnectionError, ReadTimeoutError) as error:
        raise CloudError(f"{where}: Object Storage did not answer ({type(error).__name__})", transient=True) from None
    except BotoCoreError as error:
        raise CloudError(f"{where}: {type(error).__name__}") from None
