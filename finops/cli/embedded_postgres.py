"""The embedded PostgreSQL server (the `pgserver` package) whose data lives under FINOPS_HOME."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# pgserver keeps its lock file in the user's runtime folder and warns when XDG_RUNTIME_DIR is unset
# (always the case under CI and cron); the /tmp fallback it then uses is fine.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

import psycopg  # noqa: E402
from pgserver.postgres_server import get_server  # noqa: E402
from psycopg import sql  # noqa: E402

from finops.cli.home import prepare_home  # noqa: E402
from finops.domain.errors import ConfigError, DatabaseError  # noqa: E402

DATABASE_NAME = "finops"
SUPPORTED_MAJOR_VERSION = "16"

# pgserver logs a whole server log on failure; we report one sentence instead.
logging.getLogger("pgserver").setLevel(logging.CRITICAL)


@contextmanager
def embedded_postgres(home: Path) -> Iterator[str]:
    """Starts (or joins) the server for ``home`` and yields the DSN of the finops database.

    The server stops when the last process using it lets go, so `finops migrate` alongside a
    running `finops up` leaves it running.
    """
    pgdata = prepare_home(home) / "pgdata"
    check_data_directory(pgdata)
    try:
        server = get_server(pgdata, cleanup_mode="stop")
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, AssertionError, OSError) as error:
        raise ConfigError(
            f"embedded PostgreSQL could not start from {pgdata}: {last_server_complaint(pgdata) or error}; "
            "move that folder away to start afresh, or set DATABASE_URL"
        ) from None
    try:
        ensure_database(server.get_uri())
        yield server.get_uri(DATABASE_NAME)
    finally:
        # pgserver reads and writes its list under this inter-process lock; cleanup() takes it after.
        with server._lock:  # pgserver has no public way to edit its list of holders
            forget_dead_holders(pgdata)
        server.cleanup()


def forget_dead_holders(pgdata: Path) -> None:
    """Drops from pgserver's list of the processes using the server those that died without letting go.

    pgserver stops the server when the last process on that list lets go; a `finops run` killed with
    SIGKILL stays on it, and the server would then outlive every `finops up` after it.
    """
    holders = pgdata / ".handle_pids.json"
    try:
        pids = json.loads(holders.read_text())
    except (OSError, ValueError):
        return
    alive = [pid for pid in pids if isinstance(pid, int) and _alive(pid)]
    if alive != pids:
        holders.write_text(json.dumps(alive))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def check_data_directory(pgdata: Path) -> None:
    if not pgdata.exists():
        return
    if not pgdata.is_dir():
        raise ConfigError(f"{pgdata} should be the embedded PostgreSQL data folder but is a file")
    version_file = pgdata / "PG_VERSION"
    if not version_file.exists():
        if any(pgdata.iterdir()):
            raise ConfigError(
                f"{pgdata} is not a PostgreSQL data folder (PG_VERSION is missing): it is damaged; "
                "move it away to start afresh, or set DATABASE_URL"
            )
        return
    major = version_file.read_text(encoding="utf-8", errors="replace").strip()
    if major != SUPPORTED_MAJOR_VERSION:
        raise ConfigError(
            f"{pgdata} holds PostgreSQL {major or '(unreadable version)'} data, but the embedded server is "
            f"PostgreSQL {SUPPORTED_MAJOR_VERSION}: dump and restore it, or set DATABASE_URL"
        )


def last_server_complaint(pgdata: Path) -> str | None:
    log = pgdata / "log"
    if not log.exists():
        return None
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    for line in reversed(lines):
        for level in ("FATAL:", "PANIC:", "ERROR:"):
            if level in line:
                return line[line.index(level) :].strip()
    return None


def ensure_database(admin_dsn: str) -> None:
    try:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %(name)s", {"name": DATABASE_NAME})
            if found.fetchone() is None:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE_NAME)))
    except psycopg.Error as error:
        raise DatabaseError(
            f"embedded PostgreSQL started but the {DATABASE_NAME} database is unusable: {error}"
        ) from None
