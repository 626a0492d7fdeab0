from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from pydantic import SecretStr

from api.app import create_app
from finops.config import Settings

ClientFactory = Callable[..., AbstractAsyncContextManager[AsyncTestClient]]  # type: ignore[type-arg]


@pytest.fixture
def api_client_for() -> ClientFactory:
    """Builds a client for an app wired to the given database and Prefect API."""

    @asynccontextmanager
    async def factory(
        database_url: str, prefect_api_url: str | None, **overrides: Any
    ) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
        settings = Settings(database_url=SecretStr(database_url), prefect_api_url=prefect_api_url, **overrides)
        async with AsyncTestClient(app=create_app(settings)) as client:
            yield client

    return factory


async def sign_in(client: AsyncTestClient, access_key: str, secret_key: str, region: str = "eu-west-2") -> str:  # type: ignore[type-arg]
    """Signs the client in with Outscale keys; returns the CSRF token the state-changing calls need."""
    response = await client.post(
        "/api/auth/login", json={"access_key": access_key, "secret_key": secret_key, "region": region}
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["data"]["csrf_token"]
    return token
