"""OCI Object Storage events (direct, or relayed by an OCI Notifications HTTPS subscription).

The payload only says which object to look at: what gets delivered is read from the bucket itself.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from finops.domain.errors import ParseError

OBJECT_EVENT_TYPES = (
    "com.oraclecloud.objectstorage.createobject",
    "com.oraclecloud.objectstorage.updateobject",
)
_RESOURCE_ID = re.compile(r"^/n/(?P<namespace>[^/]+)/b/(?P<bucket>[^/]+)/o/(?P<name>.+)$")


@dataclass(frozen=True)
class ObjectEvent:
    event_type: str
    event_id: str | None
    namespace: str
    bucket: str
    object_name: str


def parse_object_event(document: Any) -> ObjectEvent:
    event = _unwrap(document)
    event_type = str(event.get("eventType", ""))
    if event_type not in OBJECT_EVENT_TYPES:
        raise ParseError(f"event type {event_type or '(none)'!r} is not one of {', '.join(OBJECT_EVENT_TYPES)}")
    data = event.get("data")
    if not isinstance(data, dict):
        raise ParseError("the event has no data object")
    raw_details = data.get("additionalDetails")
    details: dict[str, Any] = raw_details if isinstance(raw_details, dict) else {}
    from_id = _RESOURCE_ID.match(str(data.get("resourceId", "")))
    namespace = details.get("namespace") or (from_id["namespace"] if from_id else None)
    bucket = details.get("bucketName") or (from_id["bucket"] if from_id else None)
    name = data.get("resourceName") or (from_id["name"] if from_id else None)
    if not (namespace and bucket and name):
        raise ParseError(
            "the event names no object: expected data.additionalDetails or data.resourceId /n/.../b/.../o/..."
        )
    event_id = event.get("eventID")
    return ObjectEvent(event_type, str(event_id) if event_id else None, str(namespace), str(bucket), str(name))


def _unwrap(document: Any) -> dict[str, Any]:
    """An event as sent by OCI Events, or inside a Notifications message (a JSON string under 'message')."""
    if not isinstance(document, dict):
        raise ParseError("the payload is not a JSON object")
    if "eventType" in document:
        return document
    for key in ("message", "Message", "body"):
        inner = document.get(key)
        if isinstance(inner, str):
            try:
                return _unwrap(json.loads(inner))
            except json.JSONDecodeError:
                raise ParseError(f"the notification's {key} is not JSON") from None
        if isinstance(inner, dict):
            return _unwrap(inner)
    raise ParseError("the payload is neither an OCI event nor a notification carrying one")
