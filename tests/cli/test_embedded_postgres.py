"""The embedded server stops with the last process using it, even after one of them was killed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import psycopg
import pytest

from finops.cli.embedded_postgres import embedded_postgres


def test_a_process_killed_while_using_the_server_does_not_keep_it_running(tmp_path: Path) -> None:
    killed = subprocess.Popen(["sleep", "60"])
    killed.kill()
    killed.wait()
    pgdata = tmp_path / "home" / "pgdata"
    with embedded_postgres(tmp_path / "home") as dsn:
        holders = pgdata / ".handle_pids.json"
        # What a `finops run` killed with SIGKILL leaves: its pid, never removed.
        holders.write_text(json.dumps([*json.loads(holders.read_text()), killed.pid]))
    postmaster = pgdata / "postmaster.pid"
    try:
        assert not postmaster.exists(), "the server outlived its last live user"
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(dsn, connect_timeout=3).close()
    finally:
        if postmaster.exists():  # the server this test started must not outlive it either
            os.kill(int(postmaster.read_text().split()[0]), signal.SIGTERM)
