"""Forward-only numbered SQL migrations, one transaction each, recorded with a checksum.

Concurrent runners serialise on a PostgreSQL advisory lock, so two `finops migrate` at once are safe.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import psycopg

from finops.domain.errors import MigrationError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Any fixed 64-bit number: it only has to be the same for every finops process.
ADVISORY_LOCK_KEY = 0x46494E4F5053  # "FINOPS"
_FILE_NAME = re.compile(r"^(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()

    @property
    def label(self) -> str:
        return f"{self.version:04d}_{self.name}"


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    migrations: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _FILE_NAME.match(path.name)
        if not match:
            raise MigrationError(f"migration file {path.name} is not named NNNN_verb_object.sql")
        version = int(match["version"])
        if version in migrations:
            raise MigrationError(
                f"two migrations share version {version:04d}: {migrations[version].label} and {path.stem}"
            )
        migrations[version] = Migration(version, match["name"], path.read_text(encoding="utf-8"))
    return [migrations[version] for version in sorted(migrations)]


def applied_version(conn: psycopg.Connection) -> int:
    """The highest applied migration, 0 for an empty database."""
    exists = conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return 0
    row = conn.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()
    return int(row[0]) if row else 0


def migrate(conn: psycopg.Connection, migrations: list[Migration] | None = None) -> list[Migration]:
    """Apply the pending migrations and return them; ``conn`` must be in autocommit mode."""
    if not conn.autocommit:
        raise MigrationError("the migration runner needs an autocommit connection")
    wanted = discover() if migrations is None else migrations
    try:
        conn.execute("SELECT pg_advisory_lock(%(key)s)", {"key": ADVISORY_LOCK_KEY})
        try:
            _ensure_ledger(conn)
            pending = _pending(conn, wanted)
            for migration in pending:
                _apply(conn, migration)
            return pending
        finally:
            conn.execute("SELECT pg_advisory_unlock(%(key)s)", {"key": ADVISORY_LOCK_KEY})
    except psycopg.Error as error:
        raise MigrationError(f"the schema cannot be migrated: {str(error).strip()}") from None


def _ensure_ledger(conn: psycopg.Connection) -> None:
    conn.execute(
        """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version     integer PRIMARY KEY,
            name        text NOT NULL,
            checksum    text NOT NULL,
            applied_at  timestamptz NOT NULL DEFAULT now(),
            duration_ms integer NOT NULL
        )
        """
    )


def _pending(conn: psycopg.Connection, wanted: list[Migration]) -> list[Migration]:
    recorded = {
        int(version): (str(name), str(checksum))
        for version, name, checksum in conn.execute("SELECT version, name, checksum FROM schema_migrations")
    }
    known = {migration.version: migration for migration in wanted}
    unknown = sorted(set(recorded) - set(known))
    if unknown:
        newest = recorded[unknown[-1]][0]
        raise MigrationError(
            f"the database has migration {unknown[-1]:04d}_{newest}, which this version of finops does not know: "
            "upgrade finops or use another database"
        )
    for version, (name, checksum) in recorded.items():
        if known[version].checksum != checksum:
            raise MigrationError(
                f"migration {known[version].label} changed after it was applied (recorded as {version:04d}_{name}); "
                "applied migrations are never edited: add a new migration instead"
            )
    return [migration for migration in wanted if migration.version not in recorded]


def _apply(conn: psycopg.Connection, migration: Migration) -> None:
    with conn.transaction():
        try:
            conn.execute(migration.sql.encode())
        except psycopg.Error as error:
            raise MigrationError(f"migration {migration.label} failed: {str(error).strip()}") from error
        conn.execute(
            """
            INSERT INTO schema_migrations (version, name, checksum, duration_ms)
            VALUES (%(version)s, %(name)s, %(checksum)s,
                    (extract(epoch FROM clock_timestamp() - now()) * 1000)::integer)
            """,
            {"version": migration.version, "name": migration.name, "checksum": migration.checksum},
        )
