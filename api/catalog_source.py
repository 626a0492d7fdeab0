"""Where the API's catalog prices come from: the history refresh-catalog keeps, else a live read cached 24 h.

A region refresh-catalog has never read is still priced (a fresh install, a new region); a live read
that fails is an error the caller sees, never an empty catalog.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property

import anyio
import psycopg

from finops.clouds.outscale.api import read_public_catalog
from finops.db.catalog_prices import catalog_refreshed_at, current_prices
from finops.domain.outscale_catalog import CatalogPrice, PriceList, parse_catalog

LIVE_CACHE_TTL = timedelta(hours=24)


@dataclass(frozen=True)
class CatalogView:
    prices: list[CatalogPrice]
    source: str  # "database" (refresh-catalog's history) or "live" (ReadPublicCatalog, cached)
    as_of: datetime | None  # when those prices were read

    @cached_property
    def price_list(self) -> PriceList:
        return PriceList(self.prices)


class CatalogSource:
    def __init__(self, endpoint_template: str) -> None:
        self._endpoint_template = endpoint_template
        self._live: dict[str, CatalogView] = {}
        self._recorded: dict[str, CatalogView] = {}  # the history's prices, as of a refresh, per region
        self._locks: dict[str, anyio.Lock] = {}

    async def prices(self, conn: psycopg.AsyncConnection, region: str) -> CatalogView:
        return await self.prices_as_of(conn, region, await catalog_refreshed_at(conn, region))

    async def prices_as_of(
        self, conn: psycopg.AsyncConnection, region: str, refreshed_at: datetime | None
    ) -> CatalogView:
        """``refreshed_at``: when refresh-catalog last read the region, as the caller just read it. Prices
        change only then, so the ones read for that refresh are reused without a query."""
        recorded = self._recorded.get(region)
        if refreshed_at is not None and recorded is not None and recorded.as_of == refreshed_at:
            return recorded
        prices, recorded_at = await current_prices(conn, region)
        if prices:
            view = CatalogView(prices, "database", recorded_at)
            if recorded_at is not None:
                self._recorded[region] = view
            return view
        lock = self._locks.setdefault(region, anyio.Lock())
        async with lock:  # one live read per region at a time, however many requests wait for it
            cached = self._live.get(region)
            if cached is None or cached.as_of is None or datetime.now(UTC) - cached.as_of > LIVE_CACHE_TTL:
                document = await anyio.to_thread.run_sync(read_public_catalog, region, self._endpoint_template)
                cached = CatalogView(parse_catalog(document), "live", datetime.now(UTC))
                self._live[region] = cached
        return cached
