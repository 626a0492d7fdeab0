"""Failures the client cannot fix: a clear status, a request id to quote, and no internals in the answer."""

from __future__ import annotations

import logging

import psycopg
import pytest

from finops.db.users import add_local_user
from finops.passwords import hash_password
from tests.api.conftest import ClientFactory

PASSWORD = "hygiene password 1"


async def test_an_unreachable_database_is_a_503_never_an_empty_answer(api_client_for: ClientFactory) -> None:
    async with api_client_for("postgresql://finops:s3cret-pw@127.0.0.1:1/finops", None) as client:
        response = await client.get("/api/catalog")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "database_unavailable"
    assert response.headers["retry-after"] == "5"
    assert "s3cret-pw" not in response.text and "127.0.0.1" not in response.text


async def test_an_internal_error_shows_only_a_request_id_that_the_log_also_has(
    api_client_for: ClientFactory, migrated_dsn: str, caplog: pytest.LogCaptureFixture
) -> None:
    with psycopg.connect(migrated_dsn) as conn:
        add_local_user(conn, "hygiene", hash_password(PASSWORD))
    async with api_client_for(migrated_dsn, None) as client:
        signed_in = await client.post("/api/auth/login/local", json={"username": "hygiene", "password": PASSWORD})
        client.headers["X-CSRF-Token"] = signed_in.json()["data"]["csrf_token"]
        with psycopg.connect(migrated_dsn) as conn:
            conn.execute("DROP TABLE quote_items")  # a damaged schema: nothing the client did wrong
        with caplog.at_level(logging.ERROR, logger="finops.api"):
            response = await client.get("/api/quotes")
    assert response.status_code == 500
    body = response.json()["error"]
    request_id = body["details"]["request_id"]
    assert response.headers["x-request-id"] == request_id
    assert "quote_items" not in response.text and "Traceback" not in response.text
    assert request_id in caplog.text and "quote_items" in caplog.text


@pytest.mark.parametrize(
    ("configured", "origin", "allowed"),
    [([], "https://evil.example", False), (["https://finops.example"], "https://finops.example", True)],
    ids=["same-origin-by-default", "configured-origin"],
)
async def test_other_origins_get_no_cors_grant_unless_configured(
    api_client_for: ClientFactory, migrated_dsn: str, configured: list[str], origin: str, allowed: bool
) -> None:
    async with api_client_for(migrated_dsn, None, cors_origins=configured) as client:
        preflight = await client.options(
            "/api/quotes", headers={"Origin": origin, "Access-Control-Request-Method": "POST"}
        )
    granted = preflight.headers.get("access-control-allow-origin")
    assert (granted == origin) is allowed
    assert (preflight.headers.get("access-control-allow-credentials") == "true") is allowed
