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
accounts_app = typer.Typer(help="The cloud accounts the flows read (keys are stored encrypted).", no_args_is_help=True)
app.add_typer(accounts_app, name="accounts")
users_app = typer.Typer(help="Local users who sign in to the API with a password.", no_args_is_help=True)
app.add_typer(users_app, name="users")
cost_app = typer.Typer(help="What the clouds cost.", no_args_is_help=True)
app.add_typer(cost_app, name="cost")


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


@accounts_app.command("add")
def accounts_add(
    name: Annotated[str, typer.Option(help="A name people recognise.")],
    region: Annotated[list[str], typer.Option(help="A region of the account (repeat for several).")],
    provider: Annotated[str, typer.Option(help="outscale or oci.")] = "outscale",
    owner: Annotated[str | None, typer.Option(help="Who may read it (default: the account itself).")] = None,
    account_id: Annotated[str | None, typer.Option(help="OCI: the tenancy OCID.")] = None,
    credentials: Annotated[
        str | None,
        typer.Option(help='A secret reference (oci-vault:, file:, env:) holding JSON {"access_key", "secret_key"}.'),
    ] = None,
    access_key: Annotated[str | None, typer.Option(envvar="OSC_ACCESS_KEY", help="Outscale access key.")] = None,
    secret_key: Annotated[
        str | None,
        typer.Option(envvar="OSC_SECRET_KEY", help="Outscale secret key (better from OSC_SECRET_KEY than typed)."),
    ] = None,
) -> None:
    """Add a cloud account; Outscale keys are checked (ReadAccounts) in each region, then stored encrypted."""
    from finops.cli import accounts

    _guarded(
        lambda: accounts.add(
            _settings(),
            _say,
            provider=provider,
            name=name,
            regions=region,
            owner=owner,
            account_id=account_id,
            credentials=credentials,
            access_key=access_key,
            secret_key=secret_key,
        )
    )


@accounts_app.command("list")
def accounts_list(
    output: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    owner: Annotated[str | None, typer.Option(help="Only this owner's accounts.")] = None,
) -> None:
    """List the accounts (never their keys)."""
    from finops.cli import accounts

    _guarded(lambda: accounts.show(_settings(), output=output, owner=owner))


@accounts_app.command("remove")
def accounts_remove(
    identifier: Annotated[str, typer.Argument(help="Our id (#n) or the cloud's account id.")],
    owner: Annotated[str | None, typer.Option(help="Only if this owner's.")] = None,
) -> None:
    """Remove an account (its stored keys go with it)."""
    from finops.cli import accounts

    _guarded(lambda: accounts.remove(_settings(), _say, identifier=identifier.lstrip("#"), owner=owner))


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="The sign-in name (starts with a letter).")],
    password_stdin: Annotated[bool, typer.Option(help="Read the password from stdin instead of a prompt.")] = False,
) -> None:
    """Add a local user; the password is asked twice (or read from stdin) and stored as an argon2 hash."""
    from finops.cli import users

    _guarded(lambda: users.add(_settings(), _say, username=username, password_stdin=password_stdin))


@users_app.command("password")
def users_password(
    username: Annotated[str, typer.Argument(help="The sign-in name.")],
    password_stdin: Annotated[bool, typer.Option(help="Read the password from stdin instead of a prompt.")] = False,
) -> None:
    """Set a new password for a local user."""
    from finops.cli import users

    _guarded(lambda: users.change_password(_settings(), _say, username=username, password_stdin=password_stdin))


@users_app.command("list")
def users_list(output: Annotated[str, typer.Option("--format", help="table or json.")] = "table") -> None:
    """List the local users and when they last signed in."""
    from finops.cli import users

    _guarded(lambda: users.show(_settings(), output=output))


@users_app.command("remove")
def users_remove(username: Annotated[str, typer.Argument(help="The sign-in name.")]) -> None:
    """Remove a local user, with their quotes, sessions and cloud accounts."""
    from finops.cli import users

    _guarded(lambda: users.remove(_settings(), _say, username=username))


@cost_app.command("current")
def cost_current(
    account: Annotated[str | None, typer.Option(help="An account id or name (default: every account).")] = None,
    output: Annotated[str, typer.Option("--format", help="human, json, csv or markdown.")] = "human",
    tag: Annotated[str | None, typer.Option(help="Also total by the values of this tag key (showback).")] = None,
) -> None:
    """The latest priced snapshot of live Outscale resources (run the snapshot-resources deployment first)."""
    from finops.cli import cost_current as report

    _guarded(lambda: report.show(_settings(), _say, account=account, output=output, tag=tag))


def main() -> None:
    app()
