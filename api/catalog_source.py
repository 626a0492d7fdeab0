"""Where the API's catalog prices come from: the history refresh-catalog keeps, else a live read cached 24 h.

A region refresh-catalog has never read is still priced (a fresh install, a new region); a live read
that fails is an error the caller sees, never an empty catalog.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import anyio
import psycopg

from finops.clouds.outscale.api import read_public_catalog
from finops.db.catalog_prices import current_prices
from finops.domain.outscale_catalog import CatalogPrice, PriceList, parse_catalog

LIVE_CACHE_TTL = timedelta(hours=24)


@dataclass(frozen=True)
class CatalogView:
    prices: list[CatalogPrice]
    source: str  # "database" (refresh-catalog's history) or "live" (ReadPublicCatalog, cached)
    as_of: datetime | None  # when those prices were read

    @property
    def price_list(self) -> PriceList:
        return PriceList(self.prices)


class CatalogSource:
    def __init__(self, endpoint_template: str) -> None:
        self._endpoint_template = endpoint_template
        self._live: dict[str, CatalogView] = {}
        self._locks: dict[str, anyio.Lock] = {}

    async def prices(self, conn: psycopg.AsyncConnection, region: str) -> CatalogView:
        prices, refreshed_at = await current_prices(conn, region)
        if prices:
            return CatalogView(prices, "database", refreshed_at)
        lock = self._locks.setdefault(region, anyio.Lock())
        async with lock:  # one live read per region at a time, however many requests wait for it
            cached = self._live.get(region)
            if cached is None or cached.as_of is None or datetime.now(UTC) - cached.as_of > LIVE_CACHE_TTL:
                document = await anyio.to_thread.run_sync(read_public_catalog, region, self._endpoint_template)
                cached = CatalogView(parse_catalog(document), "live", datetime.now(UTC))
                self._live[region] = cached
        return cached
