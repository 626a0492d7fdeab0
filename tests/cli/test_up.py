"""`finops up` as a user runs it: a subprocess that starts everything and stops everything."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
import psycopg
import pytest

from finops.db.migrations import discover
from tests.cli.conftest import FINOPS, free_port, meaningful_lines, run_finops

STARTUP_SECONDS = 180
LATEST = discover()[-1].version


@dataclass
class Running:
    process: subprocess.Popen[str]
    stderr_path: Path
    env: dict[str, str]

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text()

    def url(self, which: str) -> str:
        port = self.env["FINOPS_API_PORT"] if which == "api" else self.env["FINOPS_PREFECT_PORT"]
        return f"http://127.0.0.1:{port}"

    def everything_it_started(self) -> set[int]:
        """Its descendants, plus the embedded PostgreSQL, which pg_ctl detaches from us."""
        pids = {child.pid for child in psutil.Process(self.process.pid).children(recursive=True)}
        postmaster = Path(self.env["FINOPS_HOME"]) / "pgdata" / "postmaster.pid"
        if postmaster.exists():
            server = psutil.Process(int(postmaster.read_text().split()[0]))
            pids |= {server.pid} | {child.pid for child in server.children(recursive=True)}
        return pids


@contextmanager
def finops_up(env: dict[str, str], cwd: Path) -> Iterator[Running]:
    stderr_path = cwd / f"up-{time.monotonic_ns()}.err"
    with stderr_path.open("w") as stderr:
        process = subprocess.Popen([FINOPS, "up"], env=env, cwd=cwd, stdout=stderr, stderr=stderr, text=True)
    running = Running(process, stderr_path, env)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while "Press Ctrl-C" not in running.stderr:
            assert process.poll() is None, f"finops up exited early:\n{running.stderr}"
            assert time.monotonic() < deadline, f"finops up not ready in {STARTUP_SECONDS}s:\n{running.stderr}"
            time.sleep(0.5)
        yield running
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def stop(running: Running, signum: signal.Signals, times: int = 1) -> None:
    started = running.everything_it_started()
    assert started, "finops up started no process"
    for _ in range(times):
        running.process.send_signal(signum)
        time.sleep(0.3)
    assert running.process.wait(timeout=60) == 0, running.stderr
    deadline = time.monotonic() + 10
    while (left := [pid for pid in started if _alive(pid)]) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert left == [], f"processes left behind: {[psutil.Process(pid).cmdline() for pid in left]}"


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def dsn_in_use(env: dict[str, str], cwd: Path) -> str:
    result = run_finops(["db", "url", "--show-password"], env, cwd)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_up_serves_everything_stops_cleanly_and_keeps_its_data(finops_env: dict[str, str], tmp_path: Path) -> None:
    with finops_up(finops_env, tmp_path) as running:
        assert "schema version" in running.stderr and f"{LATEST} migration(s) applied now" in running.stderr
        health = httpx.get(f"{running.url('api')}/api/health", timeout=10)
        assert health.status_code == 200
        assert health.json()["data"]["database"]["schema_version"] == LATEST
        assert health.json()["data"]["prefect"]["ok"] is True
        assert httpx.get(f"{running.url('prefect')}/api/health", timeout=10).json() is True
        assert httpx.get(running.url("prefect"), timeout=10).status_code == 200
        assert "<title>finops-flows</title>" in httpx.get(running.url("api"), timeout=10).text
        assert httpx.get(f"{running.url('api')}/schema", timeout=10).json()["paths"]
        with psycopg.connect(dsn_in_use(finops_env, tmp_path)) as conn:
            conn.execute(
                "INSERT INTO source_files (uri, etag, kind, status) VALUES ('file:///r.csv', 'e', 'oci-cost', 'loaded')"
            )
        stop(running, signal.SIGINT)

    with finops_up(finops_env, tmp_path) as running:
        assert "0 migration(s) applied now" in running.stderr
        with psycopg.connect(dsn_in_use(finops_env, tmp_path)) as conn:
            assert conn.execute("SELECT uri FROM source_files").fetchall() == [("file:///r.csv",)]
        stop(running, signal.SIGTERM)

    with finops_up(finops_env, tmp_path) as running:
        # Ctrl-C in a terminal reaches both `uv run` and finops, and uv forwards it: two SIGINTs.
        stop(running, signal.SIGINT, times=3)


def test_up_uses_database_url_and_prefect_api_url_instead_of_starting_its_own(
    finops_env: dict[str, str], tmp_path: Path, database_dsn: str, prefect_api_url: str
) -> None:
    env = {**finops_env, "DATABASE_URL": database_dsn, "PREFECT_API_URL": prefect_api_url}
    with finops_up(env, tmp_path) as running:
        health = httpx.get(f"{running.url('api')}/api/health", timeout=10).json()["data"]
        assert health["database"]["schema_version"] == LATEST
        assert health["prefect"]["ok"] is True
        started = [" ".join(psutil.Process(pid).cmdline()) for pid in running.everything_it_started()]
        assert not any("postgres" in command or "server start" in command for command in started), started
        assert not (Path(env["FINOPS_HOME"]) / "pgdata").exists()
        stop(running, signal.SIGTERM)


@contextmanager
def listening_on(port: int) -> Iterator[None]:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", port))
        holder.listen()
        yield


@pytest.mark.parametrize("setting", ["FINOPS_API_PORT", "FINOPS_PREFECT_PORT"])
def test_an_occupied_port_is_one_clear_sentence(finops_env: dict[str, str], tmp_path: Path, setting: str) -> None:
    port = int(finops_env[setting])
    with listening_on(port):
        result = run_finops(["up"], finops_env, tmp_path, timeout=60)
    assert result.returncode != 0
    assert meaningful_lines(result.stderr) == [
        f"error: port {port} on 127.0.0.1 is already in use: stop what holds it or set {setting} to a free port"
    ]
    assert not Path(finops_env["FINOPS_HOME"]).exists(), "nothing should start before the ports are known free"


def test_a_wrong_database_url_is_one_clear_sentence_without_the_password(
    finops_env: dict[str, str], tmp_path: Path
) -> None:
    env = {**finops_env, "DATABASE_URL": f"postgresql://finops:hunter2@127.0.0.1:{free_port()}/finops"}
    result = run_finops(["up"], env, tmp_path, timeout=60)
    assert result.returncode != 0
    lines = meaningful_lines(result.stderr)
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: cannot connect to PostgreSQL at postgresql://finops:***@127.0.0.1:")
    assert "hunter2" not in result.stderr + result.stdout


def damage_missing_version(home: Path) -> None:
    (home / "pgdata").mkdir(parents=True)
    (home / "pgdata" / "base").mkdir()


def damage_empty_cluster(home: Path) -> None:
    (home / "pgdata").mkdir(parents=True)
    (home / "pgdata" / "PG_VERSION").write_text("16\n")


def damage_foreign_version(home: Path) -> None:
    (home / "pgdata").mkdir(parents=True)
    (home / "pgdata" / "PG_VERSION").write_text("13\n")


def damage_home_is_a_file(home: Path) -> None:
    home.write_text("not a folder")


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        pytest.param(
            damage_missing_version, "is not a PostgreSQL data folder (PG_VERSION is missing)", id="no-pg-version"
        ),
        pytest.param(damage_empty_cluster, "embedded PostgreSQL could not start from", id="broken-cluster"),
        pytest.param(damage_foreign_version, "holds PostgreSQL 13 data", id="other-major-version"),
        pytest.param(damage_home_is_a_file, "is a file, not a folder", id="home-is-a-file"),
    ],
)
def test_a_damaged_finops_home_is_one_clear_sentence(
    finops_env: dict[str, str], tmp_path: Path, damage: object, expected: str
) -> None:
    home = Path(finops_env["FINOPS_HOME"])
    damage(home)  # type: ignore[operator]
    result = run_finops(["up"], finops_env, tmp_path, timeout=90)
    assert result.returncode != 0
    lines = meaningful_lines(result.stderr)
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]


def test_a_finops_home_that_cannot_be_created_is_one_clear_sentence(finops_env: dict[str, str], tmp_path: Path) -> None:
    env = {**finops_env, "FINOPS_HOME": str(tmp_path / "missing" / "home")}
    result = run_finops(["up"], env, tmp_path, timeout=60)
    assert result.returncode != 0
    assert meaningful_lines(result.stderr) == [
        f"error: FINOPS_HOME {tmp_path / 'missing' / 'home'} cannot be created: "
        f"its parent folder {tmp_path / 'missing'} does not exist"
    ]
