from __future__ import annotations

import msgspec


class AcceptedEvent(msgspec.Struct):
    event_id: str
    namespace: str
    bucket: str
    object_name: str
    deployment: str


class ConfirmedSubscription(msgspec.Struct):
    confirmed: bool
    subscription_id: str | None
