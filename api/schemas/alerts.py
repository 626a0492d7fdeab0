"""Wire types of alerts and drift findings; estimates and percentages as rounded decimal text."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import msgspec


class AlertView(msgspec.Struct):
    id: int
    kind: str
    title: str
    headline: str
    period_start: date
    budget_id: int | None
    finding_id: int | None
    account_id: str | None
    created_at: datetime
    data: dict[str, Any]
    notifications: list[dict[str, Any]]


class FindingView(msgspec.Struct):
    id: int
    method: str
    provider: str
    account_id: str
    region_id: str
    subject: str
    period_start: date
    period_end: date
    currency: str
    expected: str
    actual: str
    impact: str
    variance_percent: str | None
    score: str | None
    details: dict[str, Any]
    found_at: datetime
    updated_at: datetime
