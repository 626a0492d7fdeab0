"""/api/health, the OpenAPI document, the UI's static files and the error envelope."""

from __future__ import annotations

import socket

import psycopg
import pytest
from psycopg import sql

from finops.db.migrations import discover
from tests.api.conftest import ClientFactory

LATEST = discover()[-1].version


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/api"


async def test_health_reports_the_schema_version_and_a_reachable_prefect(
    api_client_for: ClientFactory, migrated_dsn: str, prefect_api_url: str
) -> None:
    async with api_client_for(migrated_dsn, prefect_api_url) as client:
        response = await client.get("/api/health")
    assert response.status_code == 200
    body = response.json()
    assert body["data"]["status"] == "ok"
    assert body["data"]["database"] == {"ok": True, "schema_version": LATEST, "latest_version": LATEST, "error": None}
    assert body["data"]["prefect"]["ok"] is True
    assert "metadata" in body


async def test_health_is_degraded_but_200_when_prefect_is_down(
    api_client_for: ClientFactory, migrated_dsn: str
) -> None:
    async with api_client_for(migrated_dsn, closed_port_url()) as client:
        response = await client.get("/api/health")
    assert response.status_code == 200
    assert response.json()["data"]["status"] == "degraded"
    assert response.json()["data"]["prefect"]["ok"] is False
    assert "unreachable" in response.json()["data"]["prefect"]["error"]


async def test_health_shows_an_unmigrated_database_as_version_zero(
    api_client_for: ClientFactory, database_dsn: str
) -> None:
    async with api_client_for(database_dsn, closed_port_url()) as client:
        response = await client.get("/api/health")
    assert response.json()["data"]["database"]["schema_version"] == 0


async def test_health_is_503_with_the_error_envelope_when_the_database_goes_away(
    api_client_for: ClientFactory, migrated_dsn: str, postgres_dsn: str
) -> None:
    async with api_client_for(migrated_dsn, closed_port_url()) as client:
        assert (await client.get("/api/health")).status_code == 200
        dbname = psycopg.conninfo.conninfo_to_dict(migrated_dsn)["dbname"]
        with psycopg.connect(postgres_dsn, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(dbname)))
        response = await client.get("/api/health")
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "database_unavailable"
    assert error["details"]["database"]["ok"] is False
    assert error["details"]["status"] == "down"


async def test_openapi_is_served_at_schema_and_lists_the_health_route(
    api_client_for: ClientFactory, migrated_dsn: str
) -> None:
    async with api_client_for(migrated_dsn, None) as client:
        response = await client.get("/schema")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert document["paths"]["/api/health"]["get"]["operationId"] == "getHealth"


@pytest.mark.parametrize(("path", "fragment"), [("/", "<title>finops-flows</title>"), ("/js/status.js", "/api/health")])
async def test_the_ui_is_served_at_the_root(
    api_client_for: ClientFactory, migrated_dsn: str, path: str, fragment: str
) -> None:
    async with api_client_for(migrated_dsn, None) as client:
        response = await client.get(path)
    assert response.status_code == 200
    assert fragment in response.text


async def test_unknown_api_routes_answer_with_the_error_envelope(
    api_client_for: ClientFactory, migrated_dsn: str
) -> None:
    async with api_client_for(migrated_dsn, None) as client:
        response = await client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
