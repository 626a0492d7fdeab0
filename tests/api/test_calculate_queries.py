"""GET /api/quotes/{id}/calculate sends a fixed number of SQL statements whatever the item count (no N+1)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest
from litestar.testing import AsyncTestClient

from finops.db.catalog_prices import record_catalog
from finops.db.users import add_local_user
from finops.domain.outscale_catalog import parse_catalog
from finops.passwords import hash_password
from tests.api.conftest import ClientFactory
from tests.emulators.outscale import CATALOG_SAMPLE

Client = AsyncTestClient  # type: ignore[type-arg]
USERNAME, PASSWORD = "estimator", "a long enough password"
# One month (730 h), no commitment, no discount. Per item: VM v6 high 2 vCores 4 GiB
# (2 x 0.035 + 4 x 0.005) x 730 = 65.70; gp2 100 GiB x 0.11 = 11.00; load balancer 0.03 x 730 = 21.90.
ITEM_CYCLE: list[dict[str, Any]] = [
    {"kind": "vm", "generation": 6, "performance": "high", "vcores": 2, "ram_gib": 4},
    {"kind": "volume", "volume_type": "gp2", "size_gib": 100},
    {"kind": "catalog", "service": "TinaOS-LBU", "type": "LBU:Usage", "operation": "CreateLoadBalancer"},
]


@pytest.fixture
def with_catalog_and_user(migrated_dsn: str) -> str:
    """The real eu-west-2 catalog recorded as refresh-catalog would, and a local user to sign in as."""
    with psycopg.connect(migrated_dsn) as conn:
        prices = parse_catalog(json.loads(CATALOG_SAMPLE.read_text()))
        record_catalog(conn, "eu-west-2", "EUR", prices, datetime.now(UTC))
        add_local_user(conn, USERNAME, hash_password(PASSWORD))
    return migrated_dsn


@asynccontextmanager
async def signed_in(api_client_for: ClientFactory, dsn: str) -> AsyncIterator[Client]:
    async with api_client_for(dsn, None, quote_calculation_cache_size=0) as client:
        answer = await client.post("/api/auth/login/local", json={"username": USERNAME, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        client.headers["X-CSRF-Token"] = answer.json()["data"]["csrf_token"]
        yield client


async def quote_with_items(client: Client, count: int) -> int:
    answer = await client.post("/api/quotes", json={"name": f"{count} items", "duration": 1, "duration_unit": "months"})
    assert answer.status_code == 201, answer.text
    quote_id = int(answer.json()["data"]["id"])
    for name in ("Compute", "Storage"):
        answer = await client.post(f"/api/quotes/{quote_id}/groups", json={"name": name})
        assert answer.status_code == 201, answer.text
    group_ids = [group["id"] for group in answer.json()["data"]["groups"]]
    for number in range(count):
        item = {**ITEM_CYCLE[number % len(ITEM_CYCLE)], "group_id": group_ids[number % len(group_ids)]}
        answer = await client.post(f"/api/quotes/{quote_id}/items", json=item)
        assert answer.status_code == 201, answer.text
    return quote_id


@contextmanager
def statements_sent(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Records every statement run through an async cursor (AsyncConnection.execute goes through one)."""
    sent: list[str] = []
    execute, executemany = psycopg.AsyncCursor.execute, psycopg.AsyncCursor.executemany

    async def counted_execute(cursor: psycopg.AsyncCursor[Any], query: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(" ".join(str(query).split())[:120])
        return await execute(cursor, query, *args, **kwargs)

    async def counted_executemany(cursor: psycopg.AsyncCursor[Any], query: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append("executemany: " + " ".join(str(query).split())[:120])
        return await executemany(cursor, query, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(psycopg.AsyncCursor, "execute", counted_execute)
        patch.setattr(psycopg.AsyncCursor, "executemany", counted_executemany)
        yield sent


async def calculated(
    client: Client, quote_id: int, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, Any], list[str]]:
    """The calculation and the statements its one request sent, after a first request that warms the catalog
    up (the app runs without its calculation cache: every request prices the items)."""
    path = f"/api/quotes/{quote_id}/calculate"
    assert (await client.get(path)).status_code == 200
    with statements_sent(monkeypatch) as sent:
        answer = await client.get(path)
    assert answer.status_code == 200, answer.text
    calculation: dict[str, Any] = answer.json()["data"]
    return calculation, sent


async def test_the_calculation_sends_as_many_statements_for_60_items_as_for_2(
    api_client_for: ClientFactory, with_catalog_and_user: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with signed_in(api_client_for, with_catalog_and_user) as client:
        small, small_sent = await calculated(client, await quote_with_items(client, 2), monkeypatch)
        large, large_sent = await calculated(client, await quote_with_items(client, 60), monkeypatch)

    assert (len(small["lines"]), small["total"]) == (2, "76.70")  # 65.70 + 11.00
    assert (len(large["lines"]), large["total"]) == (60, "1972.00")  # 20 x (65.70 + 11.00 + 21.90)
    assert len(small_sent) == len(large_sent), f"2 items: {small_sent}\n60 items: {large_sent}"
    # the session, the quote's version, the quote with its items: the catalog's prices are kept per refresh
    assert len(large_sent) == 3, large_sent
