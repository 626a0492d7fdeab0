"""schemathesis against /schema/openapi.json: whatever it sends, no 5xx and no answer outside the schema.

The app runs under uvicorn on a real socket, signed in as a local user (CSRF token included), with the
real catalog recorded, the Outscale emulator behind sign-in and a Prefect server behind /api/flows.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from litestar.serialization import encode_json
from psycopg import sql
from psycopg.conninfo import make_conninfo
from pydantic import SecretStr
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from api.app import create_app
from finops.config import Settings
from finops.db.catalog_prices import record_catalog
from finops.db.connect import connect
from finops.db.migrations import migrate
from finops.db.users import add_local_user
from finops.domain.outscale_catalog import parse_catalog
from finops.passwords import hash_password
from tests.emulators.outscale import OutscaleEmulator
from tests.served import served

PASSWORD = "schemathesis-password"


@dataclass(frozen=True)
class ServedApi:
    url: str
    session: requests.Session


@pytest.fixture(scope="module")
def contract_dsn(postgres_dsn: str) -> Iterator[str]:
    name = f"contract_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres_dsn, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    dsn = make_conninfo(postgres_dsn, dbname=name)
    with connect(dsn, autocommit=True) as conn:
        migrate(conn)
    yield dsn
    with psycopg.connect(postgres_dsn, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="module")
def served_api(contract_dsn: str, prefect_api_url: str) -> Iterator[ServedApi]:
    outscale = OutscaleEmulator().start()
    outscale.add_account("AKIASCHEMATHESIS0001", "schemathesis-secret-0000000000000001", "123412341234")
    with psycopg.connect(contract_dsn) as conn:
        record_catalog(conn, "eu-west-2", "EUR", parse_catalog(outscale.catalog("eu-west-2")), datetime.now(UTC))
        add_local_user(conn, "contract", hash_password(PASSWORD))
    app = create_app(
        Settings(
            database_url=SecretStr(contract_dsn), prefect_api_url=prefect_api_url, outscale_endpoint=outscale.endpoint
        )
    )
    with served(app) as url:
        session = requests.Session()
        signed_in = session.post(f"{url}/api/auth/login/local", json={"username": "contract", "password": PASSWORD})
        session.headers["X-CSRF-Token"] = signed_in.json()["data"]["csrf_token"]
        yield ServedApi(url, session)
    outscale.stop()


def published_schema() -> dict[str, Any]:
    """The document /schema/openapi.json serves (built by the same app factory; no database needed)."""
    app = create_app(Settings(database_url=SecretStr("postgresql://unused/unused")))
    document: dict[str, Any] = json.loads(encode_json(app.openapi_schema.to_schema()))
    return document


schema = schemathesis.openapi.from_dict(published_schema()).exclude(path="/api/auth/logout")


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_gets_a_5xx_or_an_answer_outside_the_schema(case: schemathesis.Case, served_api: ServedApi) -> None:
    case.call_and_validate(
        base_url=served_api.url,
        session=served_api.session,
        checks=[not_a_server_error, response_schema_conformance],
    )
