"""`finops up`: PostgreSQL, the Prefect server, the deployments process and the API, until Ctrl-C."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import httpx

from finops.cli.database import DatabaseInUse, MigrationReport, apply_migrations, database_in_use
from finops.cli.home import prepare_home
from finops.cli.ports import ensure_port_free
from finops.cli.processes import Child, spawn, stop_all
from finops.config import PROJECT_ROOT, Settings
from finops.domain.errors import ConfigError
from finops.domain.redaction import mask_url_password

POLL_SECONDS = 0.5


class Shutdown(Exception):
    """Raised in the main thread by SIGTERM, so shutdown takes the same path as Ctrl-C."""


@dataclass(frozen=True)
class Endpoints:
    api: str
    prefect_api: str
    prefect_ui: str | None

    @property
    def api_health(self) -> str:
        return f"{self.api}/api/health"


def run_up(settings: Settings, say: Callable[[str], None]) -> None:
    signal.signal(signal.SIGTERM, _raise_shutdown)
    starts_prefect = settings.prefect_api_url is None
    ensure_port_free(settings.api_host, settings.api_port, "FINOPS_API_PORT")
    if starts_prefect:
        ensure_port_free(settings.prefect_host, settings.prefect_port, "FINOPS_PREFECT_PORT")
    endpoints = _endpoints(settings)
    home = prepare_home(settings.home)
    children: list[Child] = []
    with ExitStack() as stack:
        database = stack.enter_context(database_in_use(settings))
        say(_database_line(database, settings, apply_migrations(database.dsn)))
        stack.callback(_stop, children, say)
        # Runs first when unwinding: from here on, more Ctrl-C or SIGTERM (a terminal sends Ctrl-C to
        # both `uv run` and us, and uv forwards it) must not cut the shutdown short.
        stack.callback(_ignore_stop_signals)
        env = _child_env(home, database.dsn, endpoints.prefect_api)
        deadline = time.monotonic() + settings.startup_timeout_seconds
        if starts_prefect:
            children.append(
                spawn(
                    "prefect-server",
                    [
                        _venv_script("prefect"),
                        "server",
                        "start",
                        "--host",
                        settings.prefect_host,
                        "--port",
                        str(settings.prefect_port),
                    ],
                    env=env,
                    log_dir=home / "logs",
                    cwd=PROJECT_ROOT,
                )
            )
        children.append(spawn("api", [sys.executable, "-m", "api"], env=env, log_dir=home / "logs", cwd=PROJECT_ROOT))
        _wait_until(lambda: _prefect_healthy(endpoints.prefect_api), "the Prefect server", children, deadline)
        children.append(
            spawn(
                "deployments",
                [sys.executable, str(PROJECT_ROOT / "deployments" / "serve.py")],
                env=env,
                log_dir=home / "logs",
                cwd=PROJECT_ROOT,
            )
        )
        _wait_until(lambda: _answers_ok(endpoints.api_health), "the API", children, deadline)
        say(_banner(endpoints, home))
        while True:
            for child in children:
                child.check_alive()
            time.sleep(POLL_SECONDS)


def _raise_shutdown(signum: int, frame: FrameType | None) -> None:
    raise Shutdown(signal.Signals(signum).name)


def _ignore_stop_signals() -> None:
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)


def _stop(children: list[Child], say: Callable[[str], None]) -> None:
    if children:
        say("stopping " + ", ".join(child.name for child in reversed(children)) + " ...")
    stop_all(children)


def _endpoints(settings: Settings) -> Endpoints:
    api = f"http://{_url_host(settings.api_host)}:{settings.api_port}"
    if settings.prefect_api_url:
        return Endpoints(api=api, prefect_api=settings.prefect_api_url.rstrip("/"), prefect_ui=None)
    prefect = f"http://{_url_host(settings.prefect_host)}:{settings.prefect_port}"
    return Endpoints(api=api, prefect_api=f"{prefect}/api", prefect_ui=prefect)


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", "::"):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def _child_env(home: Path, dsn: str, prefect_api_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "FINOPS_HOME": str(home),
            "DATABASE_URL": dsn,
            "PREFECT_API_URL": prefect_api_url,
            "PREFECT_HOME": os.environ.get("PREFECT_HOME", str(home / "prefect")),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_SERVER_UI_SHOW_PROMOTIONAL_CONTENT": "false",
            "DO_NOT_TRACK": "1",
            "FINOPS_PROJECT_DIR": str(PROJECT_ROOT),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _venv_script(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def _wait_until(ready: Callable[[], bool], what: str, children: list[Child], deadline: float) -> None:
    while not ready():
        for child in children:
            child.check_alive()
        if time.monotonic() > deadline:
            raise ConfigError(
                f"{what} did not become ready in time; see the logs in {children[0].log_path.parent}"
                " (FINOPS_STARTUP_TIMEOUT_SECONDS raises the limit)"
            )
        time.sleep(POLL_SECONDS)


def _prefect_healthy(prefect_api: str) -> bool:
    try:
        response = httpx.get(f"{prefect_api}/health", timeout=2)
    except httpx.HTTPError:
        return False
    return response.status_code == 200 and response.text.strip() == "true"


def _answers_ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _database_line(database: DatabaseInUse, settings: Settings, report: MigrationReport) -> str:
    where = f"embedded, data in {settings.pgdata}" if database.embedded else "DATABASE_URL"
    applied = len(report.applied)
    return f"PostgreSQL ready ({where}); schema version {report.schema_version}, {applied} migration(s) applied now"


def _banner(endpoints: Endpoints, home: Path) -> str:
    lines = [
        "finops-flows is up:",
        f"  Web UI       {endpoints.api}/",
        f"  REST API     {endpoints.api}/api  (OpenAPI: {endpoints.api}/schema)",
        f"  Prefect UI   {endpoints.prefect_ui or mask_url_password(endpoints.prefect_api)}",
        f"  Logs         {home}/logs/",
        "Press Ctrl-C to stop everything.",
    ]
    return "\n".join(lines)
