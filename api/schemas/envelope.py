"""The response envelopes every endpoint uses: ``{"data", "metadata"}`` and ``{"error"}``."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import msgspec

T = TypeVar("T")


class Envelope(msgspec.Struct, Generic[T]):
    data: T
    metadata: dict[str, Any] = msgspec.field(default_factory=dict)


class ErrorBody(msgspec.Struct):
    code: str
    message: str
    details: Any = None


class ErrorEnvelope(msgspec.Struct):
    error: ErrorBody
