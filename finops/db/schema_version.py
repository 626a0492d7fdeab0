"""The schema version a running process reports (the API's health check)."""

from __future__ import annotations

from psycopg import AsyncConnection

from finops.db.migrations import discover


async def current_schema_version(conn: AsyncConnection) -> int:
    exists = await (await conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL")).fetchone()
    if not exists or not exists[0]:
        return 0
    row = await (await conn.execute("SELECT coalesce(max(version), 0) FROM schema_migrations")).fetchone()
    return int(row[0]) if row else 0


def latest_known_version() -> int:
    return max((migration.version for migration in discover()), default=0)
