"""The schema version a running process reports (the API's health check)."""

from __future__ import annotations

from psycopg import AsyncConnection

from finops.db.migrations import discover


async def current_schema_version(conn: AsyncConnection) -> int:
    cursor = await conn.execute(
        "SELECT CASE WHEN to_regclass('schema_migrations') IS NULL THEN 0"
        " ELSE (SELECT coalesce(max(version), 0) FROM schema_migrations) END"
    )
    row = await cursor.fetchone()
    return int(row[0]) if row else 0


def latest_known_version() -> int:
    return max((migration.version for migration in discover()), default=0)
