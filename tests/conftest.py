"""Shared fixtures: one embedded PostgreSQL per session with a fresh database per test, and a
session-wide Prefect test server started only by the tests that need it."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

# Prefect reads its settings on import: keep its home (and SQLite database) out of ~/.prefect.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="finops-tests-prefect-"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from finops.cli.embedded_postgres import embedded_postgres
from finops.db.connect import connect
from finops.db.migrations import migrate

pytest_plugins = ["tests.emulators.fixtures"]


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    """A server for the whole session: FINOPS_TEST_DATABASE_URL when set, else an embedded one.

    Its folder is not under pytest's numbered temp folders: another pytest run on the machine prunes
    the old ones, and would pull the data folder from under a running server."""
    external = os.environ.get("FINOPS_TEST_DATABASE_URL")
    if external:
        yield external
        return
    with tempfile.TemporaryDirectory(prefix="finops-tests-pg-") as home, embedded_postgres(Path(home)) as dsn:
        yield dsn


@pytest.fixture
def database_dsn(postgres_dsn: str) -> Iterator[str]:
    """An empty database of its own for one test, dropped afterwards."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_dsn, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield make_conninfo(postgres_dsn, dbname=name)
    finally:
        with psycopg.connect(postgres_dsn, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def migrated_dsn(database_dsn: str) -> str:
    with connect(database_dsn, autocommit=True) as conn:
        migrate(conn)
    return database_dsn


@pytest.fixture(scope="session")
def prefect_api_url() -> Iterator[str]:
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        url = PREFECT_API_URL.value()
        assert url
        yield str(url)
