"""The `finops` command: the composition root that starts processes and runs flows."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Annotated

import typer

from finops.config import Settings
from finops.domain.errors import ConfigError, FinopsError, UsageError
from finops.domain.redaction import mask_url_password, redact

app = typer.Typer(
    help="finops-flows: FinOps for Oracle Cloud (OCI) and 3DS Outscale, run by Prefect flows.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    # Rich tracebacks print local variables, which may hold credentials.
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Inspect the PostgreSQL database in use.", no_args_is_help=True)
app.add_typer(db_app, name="db")


def _say(message: str) -> None:
    print(redact(message), file=sys.stderr, flush=True)


def _settings() -> Settings:
    try:
        return Settings()
    except Exception as error:
        raise ConfigError(f"invalid configuration: {error}") from None


def _guarded(command: Callable[[], int | None]) -> None:
    try:
        code = command() or 0
    except UsageError as error:
        _say(f"error: {error}")
        code = 2
    except FinopsError as error:
        _say(f"error: {error}")
        code = 1
    raise typer.Exit(code)


@app.command()
def up() -> None:
    """Start PostgreSQL, the Prefect server, the deployments and the API + web UI; Ctrl-C stops them."""
    from finops.cli.up import Shutdown, run_up

    def command() -> int:
        try:
            run_up(_settings(), _say)
        except (KeyboardInterrupt, Shutdown):
            _say("stopped")
        return 0

    _guarded(command)


@app.command()
def migrate() -> None:
    """Apply pending schema migrations (safe to run concurrently)."""
    from finops.cli.database import apply_migrations, database_in_use

    def command() -> int:
        with database_in_use(_settings()) as database:
            report = apply_migrations(database.dsn)
        for migration in report.applied:
            _say(f"applied {migration.label}")
        _say(f"schema version {report.schema_version} ({len(report.applied)} migration(s) applied now)")
        return 0

    _guarded(command)


@db_app.command("url")
def db_url(
    show_password: Annotated[bool, typer.Option("--show-password", help="Print the password in clear.")] = False,
) -> None:
    """Print the DSN in use (DATABASE_URL, or the embedded server's); the password is masked."""
    from finops.cli.database import database_in_use

    def command() -> int:
        with database_in_use(_settings()) as database:
            print(database.dsn if show_password else mask_url_password(database.dsn))
        return 0

    _guarded(command)


@app.command()
def run(
    deployment: Annotated[str, typer.Argument(help="A deployment name from prefect.yaml.")],
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="key=value (value parsed as JSON when it can be).")
    ] = None,
) -> None:
    """Run a deployment's flow now, in this process, and print its JSON summary."""
    from finops.cli.run_flow import run_deployment

    _guarded(lambda: run_deployment(_settings(), deployment, param or [], _say))


def main() -> None:
    app()
