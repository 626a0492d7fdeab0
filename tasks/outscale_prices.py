"""The Outscale prices of a moment, starting the region's price history from the live catalog if it has none."""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg

from finops.clouds.outscale.api import read_public_catalog
from finops.config import Settings
from finops.db.catalog_prices import prices_at, record_catalog
from finops.domain.outscale_catalog import REGION_CURRENCIES, PriceList, parse_catalog


def prices_in_force(conn: psycopg.Connection, region: str, moment: datetime, settings: Settings) -> PriceList:
    prices = prices_at(conn, region, moment)
    if len(prices):
        return prices
    catalog = parse_catalog(read_public_catalog(region, settings.outscale_endpoint))
    record_catalog(conn, region, REGION_CURRENCIES[region], catalog, datetime.now(UTC))
    return prices_at(conn, region, moment)
