"""The API's database: the connection pool, opened in the app's lifespan and closed with it, and the DSN for
the blocking queries that run in worker threads."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from litestar import Litestar
from psycopg_pool import AsyncConnectionPool

from finops.config import Settings


def pool_lifespan(dsn: str) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        # open(wait=False): the API starts, and /api/health reports, even while PostgreSQL is down.
        pool = AsyncConnectionPool(
            conninfo=dsn, open=False, min_size=1, max_size=10, timeout=5, kwargs={"connect_timeout": 5}
        )
        await pool.open(wait=False)
        app.state.pool = pool
        try:
            yield
        finally:
            await pool.close()

    return lifespan


def database_dsn(settings: Settings) -> str:
    assert settings.database_url is not None  # create_app refuses to start without it
    return settings.database_url.get_secret_value()
