"""The database secret's JSON becomes a connection URL; a wrong secret is named, never echoed."""

from __future__ import annotations

import json

import pytest
from psycopg.conninfo import conninfo_to_dict

from finops.domain.database_secret import dsn_from_secret
from finops.domain.errors import ConfigError

SECRET = {"host": "db.example", "port": 6432, "dbname": "costs", "username": "loader", "password": "p@ss:w/rd?#%"}


def test_every_part_reaches_the_driver_intact_even_characters_urls_reserve() -> None:
    parts = conninfo_to_dict(dsn_from_secret(json.dumps(SECRET)))
    assert parts == {
        "host": "db.example",
        "port": "6432",
        "dbname": "costs",
        "user": "loader",
        "password": "p@ss:w/rd?#%",
    }


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"port": "5433"}, {"port": "5433"}),
        ({"port": None}, {}),
        ({"host": "/run/postgresql"}, {"host": "/run/postgresql"}),
        ({"host": "2001:db8::5"}, {"host": "2001:db8::5"}),
    ],
    ids=["port-as-text", "default-port", "unix-socket", "ipv6"],
)
def test_the_shapes_a_secret_is_written_in(changes: dict[str, object], expected: dict[str, str]) -> None:
    secret = {key: value for key, value in {**SECRET, **changes}.items() if value is not None}
    parts = conninfo_to_dict(dsn_from_secret(json.dumps(secret)))
    assert parts["port"] == expected.get("port", "5432" if "port" not in secret else str(secret["port"]))
    assert parts["host"] == expected.get("host", SECRET["host"])


@pytest.mark.parametrize(
    ("content", "names"),
    [
        ("host=db password=p@ss:w/rd?#%", "not JSON"),
        (json.dumps([SECRET]), "JSON object"),
        (json.dumps({**SECRET, "username": ""}), "username"),
        (json.dumps({key: value for key, value in SECRET.items() if key != "dbname"}), "dbname"),
        (json.dumps({**SECRET, "port": "fifty"}), "port"),
        (json.dumps({**SECRET, "port": 70000}), "port"),
    ],
    ids=["not-json", "not-an-object", "empty-username", "no-dbname", "port-not-a-number", "port-too-big"],
)
def test_a_wrong_secret_says_what_is_wrong_without_the_password(content: str, names: str) -> None:
    with pytest.raises(ConfigError) as raised:
        dsn_from_secret(content)
    assert names in raised.value.message
    assert "p@ss" not in raised.value.message
