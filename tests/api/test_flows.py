"""GET /api/flows and POST /api/flows/{deployment}/runs against a real Prefect server."""

from __future__ import annotations

import httpx
import psycopg
from litestar.testing import AsyncTestClient

from finops.db.users import add_local_user
from finops.passwords import hash_password
from tests.api.conftest import ClientFactory

PASSWORD = "a long enough password"


def register_deployment(prefect_api_url: str, name: str, cron: str) -> str:
    """A deployment as `finops up` serves it, made through Prefect's REST API."""
    with httpx.Client(base_url=prefect_api_url, timeout=30) as prefect:
        flow = prefect.post("/flows/", json={"name": name}).raise_for_status().json()
        deployment = prefect.post(
            "/deployments/",
            json={
                "name": name,
                "flow_id": flow["id"],
                "schedules": [{"schedule": {"cron": cron, "timezone": "UTC"}, "active": True}],
            },
        ).raise_for_status()
    return str(deployment.json()["id"])


async def signed_in_locally(client: AsyncTestClient, dsn: str) -> None:  # type: ignore[type-arg]
    with psycopg.connect(dsn) as conn:
        add_local_user(conn, "operator", hash_password(PASSWORD))
    answer = await client.post("/api/auth/login/local", json={"username": "operator", "password": PASSWORD})
    client.headers["X-CSRF-Token"] = answer.json()["data"]["csrf_token"]


async def test_deployments_show_their_schedule_and_a_manual_run_appears_in_their_last_runs(
    api_client_for: ClientFactory, migrated_dsn: str, prefect_api_url: str
) -> None:
    deployment_id = register_deployment(prefect_api_url, "refresh-catalog-api-test", "17 4 * * *")
    async with api_client_for(migrated_dsn, prefect_api_url) as client:
        anonymous = await client.get("/api/flows")
        await signed_in_locally(client, migrated_dsn)
        started = await client.post("/api/flows/refresh-catalog-api-test/runs")
        listed = await client.get("/api/flows")
        unknown = await client.post("/api/flows/no-such-deployment/runs")
    assert anonymous.status_code == 401
    assert started.status_code == 201, started.text
    run = started.json()["data"]
    assert run["url"].endswith(f"/runs/flow-run/{run['id']}")
    shown = next(item for item in listed.json()["data"] if item["name"] == "refresh-catalog-api-test")
    assert shown["schedules"] == [{"active": True, "cron": "17 4 * * *", "interval_seconds": None, "timezone": "UTC"}]
    assert shown["url"].endswith(deployment_id)
    assert [r["id"] for r in shown["last_runs"]] == [run["id"]]
    assert unknown.status_code == 404


async def test_without_prefect_the_flows_view_says_so(api_client_for: ClientFactory, migrated_dsn: str) -> None:
    async with api_client_for(migrated_dsn, "http://127.0.0.1:9/api") as client:
        await signed_in_locally(client, migrated_dsn)
        response = await client.get("/api/flows")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "prefect_unavailable"
