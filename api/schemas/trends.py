"""Wire types of monthly cost trends per provider, with a per-service breakdown."""

from __future__ import annotations

from datetime import date

import msgspec


class TrendMonth(msgspec.Struct):
    month: date  # its first day
    cost: str
    change: str  # against the month before
    change_percent: str | None  # null when the month before cost nothing
    projection: str | None  # the current month only, from 3 days of data on


class ServiceTrend(msgspec.Struct):
    service: str | None  # null: lines with no service name
    months: list[TrendMonth]


class ProviderTrend(msgspec.Struct):
    provider: str
    currency: str
    months: list[TrendMonth]
    services: list[ServiceTrend]
