"""POST /api/events/oci: token, bucket, payload checks, the Prefect event, the Notifications handshake."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from finops.config import DeliveryRuleSettings
from tests.api.conftest import ClientFactory
from tests.api.test_health import closed_port_url
from tests.unit.test_oci_events import oci_event

TOKEN = "evt-t0ken-9c1d"
RULE = DeliveryRuleSettings(
    name="weekly", source="oci://tenantns/cost-reports", recipients=["finops@tenant.example"], sender="r@tenant.example"
)


def settings_for_events(**overrides: Any) -> dict[str, Any]:
    return {"events_token": SecretStr(TOKEN), "delivery_rules": [RULE], **overrides}


def prefect_events(prefect_api_url: str, resource_id: str, wait_seconds: float = 30) -> list[dict[str, Any]]:
    """The stored events for a resource; Prefect persists events in batches, so wait for them."""
    deadline = time.monotonic() + wait_seconds
    while True:
        response = httpx.post(
            f"{prefect_api_url}/events/filter",
            json={"filter": {"resource": {"id": [resource_id]}, "event": {"name": ["finops.oci.object.changed"]}}},
            timeout=10,
        )
        response.raise_for_status()
        events = list(response.json()["events"])
        if events or time.monotonic() > deadline:
            return events
        time.sleep(0.5)


async def test_an_object_event_becomes_a_prefect_event(
    api_client_for: ClientFactory, migrated_dsn: str, prefect_api_url: str
) -> None:
    async with api_client_for(migrated_dsn, prefect_api_url, **settings_for_events()) as client:
        response = await client.post(f"/api/events/oci?token={TOKEN}", json=oci_event())
    assert response.status_code == 202, response.text
    accepted = response.json()["data"]
    assert accepted["object_name"] == "FOCUS Reports/2025/06/20/my report.csv.gz"
    resource_id = "oci.objectstorage.object.tenantns/cost-reports/FOCUS Reports/2025/06/20/my report.csv.gz"
    found = prefect_events(prefect_api_url, resource_id)
    assert [event["id"] for event in found] == [accepted["event_id"]]
    assert found[0]["resource"]["oci.object"] == accepted["object_name"]


@pytest.mark.parametrize("query", ["", "?token=", "?token=wrong", f"?token={TOKEN}x"])
async def test_a_missing_or_wrong_token_is_401(api_client_for: ClientFactory, migrated_dsn: str, query: str) -> None:
    async with api_client_for(migrated_dsn, None, **settings_for_events()) as client:
        response = await client.post(f"/api/events/oci{query}", json=oci_event())
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "bad_token"


async def test_without_a_configured_token_events_are_refused(api_client_for: ClientFactory, migrated_dsn: str) -> None:
    async with api_client_for(migrated_dsn, None, delivery_rules=[RULE]) as client:
        response = await client.post("/api/events/oci?token=", json=oci_event())
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "events_disabled"


async def test_a_bucket_no_rule_reads_is_404(api_client_for: ClientFactory, migrated_dsn: str) -> None:
    event = oci_event(additionalDetails={"bucketName": "other", "namespace": "tenantns"})
    async with api_client_for(migrated_dsn, None, **settings_for_events()) as client:
        response = await client.post(f"/api/events/oci?token={TOKEN}", json=event)
    assert response.status_code == 404
    assert "oci://tenantns/other" in response.json()["error"]["message"]


async def test_a_delete_event_is_422(api_client_for: ClientFactory, migrated_dsn: str) -> None:
    async with api_client_for(migrated_dsn, None, **settings_for_events()) as client:
        response = await client.post(
            f"/api/events/oci?token={TOKEN}", json=oci_event("com.oraclecloud.objectstorage.deleteobject")
        )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "not_an_object_event"


async def test_prefect_down_is_503_so_oci_retries(api_client_for: ClientFactory, migrated_dsn: str) -> None:
    async with api_client_for(migrated_dsn, closed_port_url(), **settings_for_events()) as client:
        response = await client.post(f"/api/events/oci?token={TOKEN}", json=oci_event())
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "prefect_unavailable"


@pytest.fixture
def confirmation_server() -> Iterator[tuple[str, list[str]]]:
    visited: list[str] = []

    class Confirm(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            visited.append(self.path)
            self.send_response(200)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return

    server = HTTPServer(("127.0.0.1", 0), Confirm)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", visited
    server.shutdown()


async def test_a_notifications_subscription_is_confirmed(
    api_client_for: ClientFactory, migrated_dsn: str, confirmation_server: tuple[str, list[str]]
) -> None:
    base, visited = confirmation_server
    url = f"{base}/20181201/subscriptions/ocid1.onssubscription.oc1..x/confirmation?token=abc"
    headers = {"X-OCI-NS-MessageType": "SubscriptionConfirmation", "X-OCI-NS-SubscriptionId": "ocid1.sub"}
    overrides = settings_for_events(events_confirmation_hosts=["127.0.0.1"])
    async with api_client_for(migrated_dsn, None, **overrides) as client:
        response = await client.post(f"/api/events/oci?token={TOKEN}", json={"ConfirmationURL": url}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["data"] == {"confirmed": True, "subscription_id": "ocid1.sub"}
    assert visited == [url.removeprefix(base)]


async def test_a_confirmation_url_outside_oracle_cloud_is_not_visited(
    api_client_for: ClientFactory, migrated_dsn: str, confirmation_server: tuple[str, list[str]]
) -> None:
    base, visited = confirmation_server
    headers = {"X-OCI-NS-MessageType": "SubscriptionConfirmation"}
    async with api_client_for(migrated_dsn, None, **settings_for_events()) as client:
        response = await client.post(
            f"/api/events/oci?token={TOKEN}", json={"ConfirmationURL": f"{base}/steal"}, headers=headers
        )
    assert response.status_code == 422
    assert visited == []
