"""GET /api/catalog: the Outscale prices in force for a region, open to anyone (they are public)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromQuery, Parameter

from api.catalog_source import CatalogSource, CatalogView
from api.schemas.auth import OutscaleRegion
from api.schemas.catalog import CatalogEntry
from api.schemas.envelope import Envelope, ErrorEnvelope
from finops.domain.outscale_catalog import REGION_CURRENCIES, CatalogPrice


class CatalogController(Controller):
    path = "/api/catalog"
    tags = ["catalog"]

    @get(
        "/",
        operation_id="listCatalog",
        summary="Catalog prices in force for a region, by category and search",
        description="From refresh-catalog's history; when it has none for the region, a live ReadPublicCatalog"
        " cached 24 h. `metadata.cache` says which, and how old.",
        responses={503: ResponseSpec(data_container=ErrorEnvelope, description="Outscale's catalog cannot be read")},
    )
    async def list_catalog(
        self,
        request: Request[Any, Any, State],
        catalog: NamedDependency[CatalogSource],
        region: FromQuery[OutscaleRegion] = "eu-west-2",
        category: Annotated[str | None, Parameter(max_length=40)] = None,
        q: Annotated[str | None, Parameter(max_length=200, description="Words found in the title or key")] = None,
    ) -> Envelope[list[CatalogEntry]]:
        async with request.app.state.pool.connection() as conn:
            view = await catalog.prices(conn, region)
        currency = REGION_CURRENCIES[region]
        words = (q or "").lower().split()
        entries = [
            _entry(price, currency)
            for price in view.prices
            if (category is None or price.category.lower() == category.lower())
            and all(word in f"{price.title} {price.key}".lower() for word in words)
        ]
        return Envelope(
            data=entries,
            metadata={"region": region, "currency": currency, "count": len(entries), "cache": cache_state(view)},
        )


def cache_state(view: CatalogView) -> dict[str, Any]:
    age = int((datetime.now(UTC) - view.as_of).total_seconds()) if view.as_of else None
    return {"source": view.source, "as_of": view.as_of.isoformat() if view.as_of else None, "age_seconds": age}


def _entry(price: CatalogPrice, currency: str) -> CatalogEntry:
    return CatalogEntry(
        key=str(price.key),
        service=price.key.service,
        type=price.key.type,
        operation=price.key.operation,
        title=price.title,
        category=price.category,
        unit_price=format(price.unit_price, "f"),
        currency=currency,
        billing_unit="month" if price.per_month else "hour",
    )
