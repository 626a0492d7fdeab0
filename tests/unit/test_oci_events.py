import json

import pytest

from finops.domain.errors import ParseError
from finops.domain.oci_events import ObjectEvent, parse_object_event


def oci_event(event_type: str = "com.oraclecloud.objectstorage.createobject", **data: object) -> dict[str, object]:
    """The documented Object Storage event envelope."""
    return {
        "eventType": event_type,
        "cloudEventsVersion": "0.1",
        "eventTypeVersion": "2.0",
        "source": "ObjectStorage",
        "eventTime": "2025-06-20T06:12:01Z",
        "contentType": "application/json",
        "eventID": "2f0e7a5e-1d77-4d2b-9b9e-4f0f0c0f0a11",
        "extensions": {"compartmentId": "ocid1.compartment.oc1..aaaa"},
        "data": {
            "compartmentId": "ocid1.compartment.oc1..aaaa",
            "compartmentName": "finops",
            "resourceName": "FOCUS Reports/2025/06/20/my report.csv.gz",
            "resourceId": "/n/tenantns/b/cost-reports/o/FOCUS Reports/2025/06/20/my report.csv.gz",
            "availabilityDomain": "all",
            "additionalDetails": {"bucketName": "cost-reports", "namespace": "tenantns", "eTag": "e-1"},
            **data,
        },
    }


EXPECTED = ObjectEvent(
    "com.oraclecloud.objectstorage.createobject",
    "2f0e7a5e-1d77-4d2b-9b9e-4f0f0c0f0a11",
    "tenantns",
    "cost-reports",
    "FOCUS Reports/2025/06/20/my report.csv.gz",
)


def test_the_documented_event_names_its_object() -> None:
    assert parse_object_event(oci_event()) == EXPECTED


def test_without_additional_details_the_resource_id_is_parsed() -> None:
    event = oci_event(additionalDetails=None, resourceName=None)
    assert parse_object_event(event) == EXPECTED


def test_an_update_is_accepted_like_a_create() -> None:
    assert (
        parse_object_event(oci_event("com.oraclecloud.objectstorage.updateobject")).object_name == EXPECTED.object_name
    )


@pytest.mark.parametrize("key", ["message", "Message"])
def test_an_event_relayed_by_oci_notifications_is_unwrapped(key: str) -> None:
    assert parse_object_event({key: json.dumps(oci_event())}) == EXPECTED


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        pytest.param(oci_event("com.oraclecloud.objectstorage.deleteobject"), "is not one of", id="delete"),
        pytest.param(
            oci_event(additionalDetails=None, resourceName=None, resourceId="bucket-x"),
            "names no object",
            id="no-object",
        ),
        pytest.param({"data": {}}, "neither an OCI event", id="no-type"),
        pytest.param({"message": "{not json"}, "is not JSON", id="bad-notification"),
        pytest.param(["not", "an", "object"], "not a JSON object", id="list"),
    ],
)
def test_anything_else_is_refused_with_the_reason(document: object, reason: str) -> None:
    with pytest.raises(ParseError, match=reason):
        parse_object_event(document)
