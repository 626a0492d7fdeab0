"""`finops users add|list|remove|password`: local users, for teams that sign in without Outscale keys.

Passwords are read from a prompt (typed twice) or from stdin, never from the command line, where
they would land in the shell history and the process list.
"""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Callable

from finops.cli.database import apply_migrations, database_in_use
from finops.config import Settings
from finops.db.connect import connect
from finops.db.users import add_local_user, local_user_names, remove_local_user, set_local_password
from finops.domain.errors import UsageError
from finops.passwords import MIN_LENGTH, hash_password


def add(settings: Settings, say: Callable[[str], None], *, username: str, password_stdin: bool) -> int:
    password_hash = hash_password(_new_password(password_stdin))
    with database_in_use(settings) as database:
        apply_migrations(database.dsn)
        with connect(database.dsn) as conn:
            add_local_user(conn, username, password_hash)
    say(f"added local user {username}")
    return 0


def change_password(settings: Settings, say: Callable[[str], None], *, username: str, password_stdin: bool) -> int:
    password_hash = hash_password(_new_password(password_stdin))
    with database_in_use(settings) as database:
        apply_migrations(database.dsn)
        with connect(database.dsn) as conn:
            if not set_local_password(conn, username, password_hash):
                raise UsageError(f"no local user {username}")
    say(f"changed the password of {username}")
    return 0


def show(settings: Settings, *, output: str) -> int:
    if output not in ("table", "json"):
        raise UsageError("--format must be table or json")
    with database_in_use(settings) as database:
        apply_migrations(database.dsn)
        with connect(database.dsn) as conn:
            users = local_user_names(conn)
    if output == "json":
        print(json.dumps([{"username": name, "last_login_at": last} for name, last in users], indent=2))
        return 0
    for name, last in users:
        print(f"{name:<32} {last or 'never signed in'}")
    return 0


def remove(settings: Settings, say: Callable[[str], None], *, username: str) -> int:
    with database_in_use(settings) as database:
        apply_migrations(database.dsn)
        with connect(database.dsn) as conn:
            if not remove_local_user(conn, username):
                raise UsageError(f"no local user {username}")
    say(f"removed local user {username} (and their quotes, sessions and cloud accounts)")
    return 0


def _new_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            raise UsageError("the two passwords differ")
    if len(password) < MIN_LENGTH:
        raise UsageError(f"a password has at least {MIN_LENGTH} characters")
    return password
