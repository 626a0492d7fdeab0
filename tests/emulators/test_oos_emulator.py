"""The Object Storage emulator as boto3 sees it: SigV4 checked, listings paged, faults answered."""

from __future__ import annotations

from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.emulators.oos import OosEmulator, OosObject
from tests.emulators.outscale import OutscaleEmulator


def s3(oos: OosEmulator, access_key: str, secret_key: str, region: str = "eu-west-2") -> Any:
    return boto3.session.Session().client(
        "s3",
        endpoint_url=oos.endpoint,
        region_name=region,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
    )


def test_signed_listings_are_answered_page_by_page(oos: OosEmulator, outscale: OutscaleEmulator) -> None:
    oos.add_bucket(outscale.account_id, "photos", [OosObject(f"été/{index}.jpg", index) for index in range(1500)])
    client = s3(oos, outscale.access_key, outscale.secret_key)
    assert [bucket["Name"] for bucket in client.list_buckets()["Buckets"]] == ["photos"]
    pages = list(client.get_paginator("list_objects_v2").paginate(Bucket="photos"))
    assert [len(page["Contents"]) for page in pages] == [1000, 500]
    assert sum(item["Size"] for page in pages for item in page["Contents"]) == sum(range(1500))
    assert pages[0]["Contents"][0]["Key"] == "été/0.jpg"  # url-encoded on the wire, decoded by boto3


@pytest.mark.parametrize(
    ("secret_key", "region", "code"),
    [
        ("not-the-secret", "eu-west-2", "SignatureDoesNotMatch"),
        (None, "us-east-2", "AuthorizationHeaderMalformed"),
    ],
)
def test_a_wrong_secret_or_region_is_refused(
    oos: OosEmulator, outscale: OutscaleEmulator, secret_key: str | None, region: str, code: str
) -> None:
    client = s3(oos, outscale.access_key, secret_key or outscale.secret_key, region)
    with pytest.raises(ClientError) as refused:
        client.list_buckets()
    assert refused.value.response["Error"]["Code"] == code


def test_unsigned_calls_and_unknown_keys_are_refused(oos: OosEmulator) -> None:
    assert httpx.get(oos.endpoint + "/").status_code == 403
    with pytest.raises(ClientError) as refused:
        s3(oos, "AKIAUNKNOWN000000000", "whatever").list_buckets()
    assert refused.value.response["Error"]["Code"] == "InvalidAccessKeyId"


def test_slow_down_is_answered_for_the_next_calls(oos: OosEmulator, outscale: OutscaleEmulator) -> None:
    oos.fail_next(1)
    client = s3(oos, outscale.access_key, outscale.secret_key)
    with pytest.raises(ClientError) as throttled:
        client.list_buckets()
    assert throttled.value.response["Error"]["Code"] == "SlowDown"
    assert client.list_buckets()["Buckets"] == []
    assert oos.calls("ListBuckets") == [503, 200]
