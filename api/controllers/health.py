from __future__ import annotations

from typing import Any

import httpx
from litestar import Controller, Response, get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from psycopg_pool import AsyncConnectionPool

from api.errors import error_response
from api.schemas.envelope import Envelope, ErrorEnvelope
from api.schemas.health import DatabaseHealth, Health, PrefectHealth
from finops.config import Settings
from finops.db.schema_version import current_schema_version, latest_known_version
from finops.domain.redaction import mask_url_password, redact

CHECK_TIMEOUT_SECONDS = 3.0


class HealthController(Controller):
    path = "/api/health"
    tags = ["health"]

    @get(
        "/",
        operation_id="getHealth",
        summary="Database and Prefect reachability, with the schema version",
        description="200 when the database answers (Prefect may still be down: status `degraded`), 503 when not.",
        responses={503: ResponseSpec(data_container=ErrorEnvelope, description="The database does not answer")},
    )
    async def get_health(self, state: State, settings: NamedDependency[Settings]) -> Response[Any]:
        health = Health(
            status="ok",
            database=await _check_database(state.pool),
            prefect=await _check_prefect(settings.prefect_api_url),
        )
        if not health.database.ok:
            health.status = "down"
            return error_response(503, "database_unavailable", "the database does not answer", health)
        if not health.prefect.ok:
            health.status = "degraded"
        return Response(Envelope(data=health, metadata={"service": "finops-api"}))


async def _check_database(pool: AsyncConnectionPool) -> DatabaseHealth:
    latest = latest_known_version()
    try:
        async with pool.connection(timeout=CHECK_TIMEOUT_SECONDS) as conn:
            version = await current_schema_version(conn)
    except Exception as error:  # any failure here is the answer, not a crash
        return DatabaseHealth(ok=False, schema_version=None, latest_version=latest, error=redact(str(error)))
    return DatabaseHealth(ok=True, schema_version=version, latest_version=latest)


async def _check_prefect(api_url: str | None) -> PrefectHealth:
    if not api_url:
        return PrefectHealth(ok=False, api_url=None, error="PREFECT_API_URL is not set")
    shown = mask_url_password(api_url)
    try:
        async with httpx.AsyncClient(timeout=CHECK_TIMEOUT_SECONDS) as client:
            response = await client.get(f"{api_url.rstrip('/')}/health")
    except httpx.HTTPError as error:
        return PrefectHealth(ok=False, api_url=shown, error=f"unreachable: {type(error).__name__}")
    if response.status_code != 200 or response.text.strip() != "true":
        return PrefectHealth(ok=False, api_url=shown, error=f"answered HTTP {response.status_code}")
    return PrefectHealth(ok=True, api_url=shown)
