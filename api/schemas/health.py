from __future__ import annotations

import msgspec


class DatabaseHealth(msgspec.Struct):
    ok: bool
    schema_version: int | None
    latest_version: int
    error: str | None = None


class PrefectHealth(msgspec.Struct):
    ok: bool
    api_url: str | None
    error: str | None = None


class Health(msgspec.Struct):
    status: str
    database: DatabaseHealth
    prefect: PrefectHealth
