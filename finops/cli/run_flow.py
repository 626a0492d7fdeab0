"""`finops run DEPLOYMENT`: runs that deployment's flow now, in this process, and prints its summary."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

import httpx

from finops.cli.database import apply_migrations, database_in_use
from finops.cli.home import prepare_home
from finops.cli.progress_bar import ProgressBar
from finops.config import Settings
from finops.domain.errors import UsageError
from finops.domain.parameters import parse_parameters
from finops.progress import listening

if TYPE_CHECKING:
    from prefect.client.schemas.objects import State


def run_deployment(settings: Settings, name: str, raw_parameters: list[str], say: Callable[[str], None]) -> int:
    _point_prefect_at_a_server(settings, say)
    # Prefect reads its settings on import, so it is imported only once they are in place.
    from prefect.exceptions import ParameterBindError, SignatureMismatchError

    from deployments.catalog import read_catalog

    catalog = read_catalog(settings.prefect_yaml)
    spec = catalog.get(name)
    parameters: dict[str, Any] = {**spec.parameters, **parse_parameters(raw_parameters)}
    with database_in_use(settings) as database:
        apply_migrations(database.dsn)
        os.environ["DATABASE_URL"] = database.dsn
        flow = catalog.load_flow(spec)
        try:
            bar = ProgressBar()
            with listening(bar), bar.below_the_logs():
                state = cast("State[Any]", flow(**parameters, return_state=True))
        except (ParameterBindError, SignatureMismatchError) as error:
            raise UsageError(f"deployment {name}: {error}") from None
        if not state.is_completed():
            say(f"deployment {name} ended {state.name}: {state.message or 'no message'}")
            return 1
        result = state.result()
    print(json.dumps(result, indent=2, default=str, ensure_ascii=False))
    return 0


def _point_prefect_at_a_server(settings: Settings, say: Callable[[str], None]) -> None:
    """Use the server of a running `finops up` when there is one, else Prefect's ephemeral server."""
    if "PREFECT_HOME" not in os.environ:
        prefect_home = prepare_home(settings.home) / "prefect"
        prefect_home.mkdir(exist_ok=True)
        os.environ["PREFECT_HOME"] = str(prefect_home)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    if settings.prefect_api_url:
        os.environ["PREFECT_API_URL"] = settings.prefect_api_url
        return
    local = f"http://{settings.prefect_host}:{settings.prefect_port}/api"
    try:
        running = httpx.get(f"{local}/health", timeout=1).text.strip() == "true"
    except httpx.HTTPError:
        running = False
    if running:
        os.environ["PREFECT_API_URL"] = local
        return
    say("no Prefect server is running (start one with `finops up`); using a temporary one for this run")
    os.environ["PREFECT_SERVER_EPHEMERAL_ENABLED"] = "true"
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
