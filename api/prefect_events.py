"""Publishes events to the Prefect server's REST API, where deployment triggers pick them up."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from finops.domain.oci_events import ObjectEvent

OBJECT_CHANGED = "finops.oci.object.changed"


class PrefectUnavailable(Exception):
    pass


def object_changed_event(event: ObjectEvent, now: datetime) -> dict[str, Any]:
    # OCI may deliver an event twice: the same OCI event id gives the same Prefect event id.
    seed = event.event_id or f"{event.namespace}/{event.bucket}/{event.object_name}/{now.isoformat()}"
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"oci-event:{seed}")),
        "occurred": now.astimezone(UTC).isoformat(),
        "event": OBJECT_CHANGED,
        "resource": {
            "prefect.resource.id": f"oci.objectstorage.object.{event.namespace}/{event.bucket}/{event.object_name}",
            "oci.namespace": event.namespace,
            "oci.bucket": event.bucket,
            "oci.object": event.object_name,
        },
        "payload": {"oci_event_type": event.event_type, "oci_event_id": event.event_id},
        "related": [],
    }


async def publish(prefect_api_url: str, events: list[dict[str, Any]]) -> None:
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.post(f"{prefect_api_url.rstrip('/')}/events", json=events)
    except httpx.HTTPError as error:
        raise PrefectUnavailable(f"the Prefect server does not answer ({type(error).__name__})") from None
    if response.status_code >= 300:
        raise PrefectUnavailable(f"the Prefect server refused the event (HTTP {response.status_code})")
