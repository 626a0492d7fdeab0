"""The API's connection pool, opened in the app's lifespan and closed with it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from litestar import Litestar
from psycopg_pool import AsyncConnectionPool


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
