"""Which PostgreSQL this command uses: DATABASE_URL, else the secret FINOPS_DATABASE_SECRET, else embedded."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from finops.cli.embedded_postgres import embedded_postgres
from finops.config import Settings
from finops.db.connect import connect
from finops.db.migrations import Migration, applied_version, migrate
from finops.domain.database_secret import dsn_from_secret
from finops.secret_values import read_secret


@dataclass(frozen=True)
class DatabaseInUse:
    dsn: str
    embedded: bool


@contextmanager
def database_in_use(settings: Settings) -> Iterator[DatabaseInUse]:
    if settings.database_url is not None:
        dsn = settings.database_url.get_secret_value()
        connect(dsn).close()
        yield DatabaseInUse(dsn=dsn, embedded=False)
        return
    reference = settings.database_secret_reference
    if reference is not None:
        dsn = dsn_from_secret(read_secret(reference, settings))
        connect(dsn).close()
        yield DatabaseInUse(dsn=dsn, embedded=False)
        return
    with embedded_postgres(settings.home) as dsn:
        yield DatabaseInUse(dsn=dsn, embedded=True)


@dataclass(frozen=True)
class MigrationReport:
    applied: list[Migration]
    schema_version: int


def apply_migrations(dsn: str) -> MigrationReport:
    with connect(dsn, autocommit=True) as conn:
        applied = migrate(conn)
        return MigrationReport(applied=applied, schema_version=applied_version(conn))
