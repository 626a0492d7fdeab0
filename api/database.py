"""The API's connection pool: opened in the app's lifespan, one connection per request."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from litestar import Litestar
from litestar.datastructures import State
from psycopg import AsyncConnection
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


async def provide_connection(state: State) -> AsyncGenerator[AsyncConnection, None]:
    pool: AsyncConnectionPool = state.pool
    async with pool.connection() as conn:
        yield conn
