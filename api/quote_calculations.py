"""A quote's calculation for the API: priced from its region's catalog, checked, and cached per revision."""

from __future__ import annotations

from typing import Any

import psycopg

from api.calculation_cache import Calculated, CalculationCache, CalculationKey
from api.catalog_source import CatalogSource, CatalogView
from api.errors import ApiError
from api.quote_views import pricing_groups, pricing_items, pricing_terms
from finops.db import quotes as store
from finops.db.quotes import QuoteRow
from finops.domain.outscale_catalog import REGION_CURRENCIES, PriceList
from finops.domain.quote_calculation import QuoteCalculation
from finops.domain.quote_pricing import QuoteItem, calculate
from finops.domain.quote_validation import item_problems

Discounts = dict[str, dict[str, Any]]


async def calculated_quote(
    conn: psycopg.AsyncConnection,
    owner_id: int,
    quote_id: int,
    catalog: CatalogSource,
    cache: CalculationCache,
    discounts: Discounts,
) -> tuple[Calculated, CatalogView]:
    """404 when not the owner's; 409 when an item has no price in the catalog any more."""
    version = await store.quote_version(conn, owner_id, quote_id)
    if version is None:
        raise ApiError(404, "not_found", "no such quote")
    view = await catalog.prices_as_of(conn, version.region, version.catalog_refreshed_at)
    key: CalculationKey = (quote_id, version.revision, version.region, view.source, view.as_of)
    hit = cache.get(key)
    if hit is not None:
        return hit, view
    quote = await store.fetch_quote(conn, owner_id, quote_id)
    if quote is None:
        raise ApiError(404, "not_found", "no such quote")
    items = pricing_items(quote)
    problems = unpriced(items, view.price_list)
    if problems:
        raise ApiError(409, "unpriced_items", "some items have no price in this region's catalog any more", problems)
    calculated = Calculated(quote, _calculate(quote, items, view.price_list, discounts))
    # Changed between the two reads: computed from the newer revision, so keyed by nothing older.
    if (quote.revision, quote.terms.region) == (version.revision, version.region):
        cache.put(key, calculated)
    return calculated, view


def calculation_or_none(
    quote: QuoteRow, view: CatalogView, cache: CalculationCache, discounts: Discounts
) -> QuoteCalculation | None:
    """For a list of quotes: None when an item cannot be priced, instead of failing the whole list."""
    key: CalculationKey = (quote.id, quote.revision, quote.terms.region, view.source, view.as_of)
    hit = cache.get(key)
    if hit is not None:
        return hit.calculation
    items = pricing_items(quote)
    if unpriced(items, view.price_list):
        return None
    calculation = _calculate(quote, items, view.price_list, discounts)
    cache.put(key, Calculated(quote, calculation))
    return calculation


def unpriced(items: list[QuoteItem], prices: PriceList) -> list[dict[str, str]]:
    """The items the catalog cannot price any more (each item was valid when it was stored; the catalog
    or the quote's region may have changed since). Checked once per distinct item, not per line."""
    found: dict[object, dict[str, str]] = {}
    problems: list[dict[str, str]] = []
    for item in items:
        spec = (item.kind, item.key, item.vm, item.volume)
        if spec not in found:
            found[spec] = item_problems(item, prices)
        problems.extend(
            {"field": f"items[{item.id}].{name}", "message": message, "source": "quote"}
            for name, message in found[spec].items()
        )
    return problems


def _calculate(quote: QuoteRow, items: list[QuoteItem], prices: PriceList, discounts: Discounts) -> QuoteCalculation:
    return calculate(
        pricing_terms(quote.terms),
        pricing_groups(quote.groups),
        items,
        prices,
        REGION_CURRENCIES[quote.terms.region],
        discounts,
    )
