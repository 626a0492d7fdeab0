"""Quotes: the lifecycle of the active quote, items and groups, the calculation and the CSV export.

Prices always come from the region's catalog on the server. Every query names the signed-in owner,
so another user's quote, item or group is a 404 whatever the verb.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

import msgspec
import psycopg
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody, Parameter

from api.calculation_cache import CalculationCache
from api.catalog_source import CatalogSource
from api.controllers.catalog import cache_state
from api.errors import ApiError
from api.quote_calculations import calculated_quote, calculation_or_none, unpriced
from api.quote_views import (
    item_fields,
    pricing_item,
    pricing_items,
    pricing_terms,
    quote_summary,
    quote_view,
)
from api.schemas.envelope import Envelope, ErrorEnvelope
from api.schemas.quotes import (
    DeletedQuote,
    GroupInput,
    ItemInput,
    QuoteCalculationView,
    QuoteCreate,
    QuoteSummary,
    QuoteUpdate,
    QuoteView,
)
from api.sessions import CHANGING_SESSION_DEPENDENCY, SESSION_DEPENDENCY
from finops.config import Settings
from finops.db import quotes as store
from finops.db.quotes import ItemFields, QuoteRow, QuoteTermsRow
from finops.db.sessions import Session
from finops.domain.outscale_catalog import REGION_CURRENCIES
from finops.domain.quote_export import quote_csv
from finops.domain.quote_validation import item_problems, terms_problems

Id = Annotated[int, Parameter(ge=1, le=2**63 - 1)]
NOT_FOUND = {404: ResponseSpec(data_container=ErrorEnvelope, description="No such quote (or not yours)")}
INVALID = {422: ResponseSpec(data_container=ErrorEnvelope, description="A field is not valid; details name it")}


class QuotesController(Controller):
    path = "/api/quotes"
    tags = ["quotes"]
    dependencies = SESSION_DEPENDENCY

    @post("/", operation_id="createQuote", summary="A new quote, which becomes the active one", responses=INVALID)
    async def create_quote(
        self, request: Request[Any, Any, State], session: NamedDependency[Session], data: JSONBody[QuoteCreate]
    ) -> Envelope[QuoteView]:
        terms = QuoteTermsRow(
            data.name,
            data.region or _session_region(session),
            data.duration,
            data.duration_unit,
            data.commitment_period,
            data.global_discount_percent,
        )
        _check_terms(terms)
        async with request.app.state.pool.connection() as conn:
            quote = await store.create_quote(conn, session.user.id, terms)
        return Envelope(data=quote_view(quote))

    @get("/", operation_id="listQuotes", summary="The signed-in user's quotes with their totals")
    async def list_quotes(
        self,
        request: Request[Any, Any, State],
        session: NamedDependency[Session],
        catalog: NamedDependency[CatalogSource],
        calculations: NamedDependency[CalculationCache],
        settings: NamedDependency[Settings],
    ) -> Envelope[list[QuoteSummary]]:
        async with request.app.state.pool.connection() as conn:
            quotes = await store.list_quotes(conn, session.user.id)
            views = {region: await catalog.prices(conn, region) for region in {q.terms.region for q in quotes}}
        summaries = []
        for quote in quotes:
            view = views[quote.terms.region]
            calculation = calculation_or_none(quote, view, calculations, settings.quote_commitment_discounts)
            summaries.append(quote_summary(quote, calculation.displayed().total if calculation else None))
        return Envelope(data=summaries, metadata={"count": len(summaries)})

    @get(
        "/{quote_id:int}",
        operation_id="openQuote",
        summary="Load a quote: it becomes the active one (a change: send the CSRF token)",
        responses=NOT_FOUND,
        dependencies=CHANGING_SESSION_DEPENDENCY,
    )
    async def open_quote(
        self, request: Request[Any, Any, State], session: NamedDependency[Session], quote_id: Id
    ) -> Envelope[QuoteView]:
        async with request.app.state.pool.connection() as conn:
            quote = await store.open_quote(conn, session.user.id, quote_id)
        return Envelope(data=quote_view(_found(quote)))

    @put(
        "/{quote_id:int}",
        operation_id="updateQuote",
        summary="Change a quote's terms",
        responses={**NOT_FOUND, **INVALID},
    )
    async def update_quote(
        self,
        request: Request[Any, Any, State],
        session: NamedDependency[Session],
        catalog: NamedDependency[CatalogSource],
        quote_id: Id,
        data: JSONBody[QuoteUpdate],
    ) -> Envelope[QuoteView]:
        async def changed(current: QuoteRow) -> tuple[QuoteTermsRow, str]:
            old = current.terms
            terms = QuoteTermsRow(
                _given(data.name, old.name),
                _given(data.region, old.region),
                _given(data.duration, old.duration),
                _given(data.duration_unit, old.duration_unit),
                _given(data.commitment_period, old.commitment_period),
                _given(data.global_discount_percent, old.global_discount_percent),
            )
            _check_terms(terms)
            if terms.region != old.region:
                view = await catalog.prices(conn, terms.region)
                if problems := unpriced(pricing_items(current), view.price_list):
                    message = f"{len(problems)} item(s) have no price in {terms.region}: {problems[0]['message']}"
                    raise ApiError(422, "validation_error", message, [{"field": "region", "message": message,
                                                                       "source": "body"}])  # fmt: skip
            return terms, _given(data.status, current.status)

        async with request.app.state.pool.connection() as conn:
            quote = await store.update_quote(conn, session.user.id, quote_id, changed)
        return Envelope(data=quote_view(_found(quote)))

    @delete(
        "/{quote_id:int}",
        operation_id="deleteQuote",
        summary="Delete a quote; deleting the active one activates the latest saved one (or a new empty one)",
        status_code=200,
        responses=NOT_FOUND,
    )
    async def delete_quote(
        self, request: Request[Any, Any, State], session: NamedDependency[Session], quote_id: Id
    ) -> Envelope[DeletedQuote]:
        empty = QuoteTermsRow("New quote", _session_region(session), Decimal(1), "months", None, Decimal(0))
        async with request.app.state.pool.connection() as conn:
            found, replacement = await store.delete_quote(conn, session.user.id, quote_id, empty)
        if not found:
            raise _not_found()
        return Envelope(data=DeletedQuote(quote_id, quote_view(replacement) if replacement else None))

    @post(
        "/{quote_id:int}/items",
        operation_id="addQuoteItem",
        summary="Add a catalog entry, a VM or a volume; its price comes from the catalog",
        responses={**NOT_FOUND, **INVALID},
    )
    async def add_item(
        self,
        request: Request[Any, Any, State],
        session: NamedDependency[Session],
        catalog: NamedDependency[CatalogSource],
        quote_id: Id,
        data: JSONBody[ItemInput],
    ) -> Envelope[QuoteView]:
        async with request.app.state.pool.connection() as conn:
            fields = await _checked_fields(conn, session.user.id, quote_id, catalog, data)
            async with _group_checked():
                await store.add_item(conn, session.user.id, quote_id, fields)
            return await _as_it_is_now(conn, session.user.id, quote_id)

    @put(
        "/{quote_id:int}/items/{item_id:int}",
        operation_id="updateQuoteItem",
        summary="Replace an item (its kind, parameters, quantity, group or position)",
        responses={**NOT_FOUND, **INVALID},
    )
    async def update_item(
        self,
        request: Request[Any, Any, State],
        session: NamedDependency[Session],
        catalog: NamedDependency[CatalogSource],
        quote_id: Id,
        item_id: Id,
        data: JSONBody[ItemInput],
    ) -> Envelope[QuoteView]:
        async with request.app.state.pool.connection() as conn:
            fields = await _checked_fields(conn, session.user.id, quote_id, catalog, data)
            async with _group_checked():
                changed = await store.update_item(conn, session.user.id, quote_id, item_id, fields, data.position)
            if not changed:
                raise _not_found("item")
            return await _as_it_is_now(conn, session.user.id, quote_id)

    @delete(
        "/{quote_id:int}/items/{item_id:int}",
        operation_id="deleteQuoteItem",
        summary="Remove an item",
        status_code=200,
        responses=NOT_FOUND,
    )
    async def delete_item(
        self, request: Request[Any, Any, State], session: NamedDependency[Session], quote_id: Id, item_id: Id
    ) -> Envelope[QuoteView]:
        async with request.app.state.pool.connection() as conn:
            if not await store.delete_item(conn, session.user.id, quote_id, item_id):
                raise _not_found("item")
            return await _as_it_is_now(conn, session.user.id, quote_id)

    @post(
        "/{quote_id:int}/groups",
        operation_id="addQuoteGroup",
        summary="Add a named group",
        responses={**NOT_FOUND, **INVALID},
    )
    async def add_group(
        self,
        request: Request[Any, Any, State],
        session: NamedDependency[Session],
        quote_id: Id,
        data: JSONBody[GroupInput],
    ) -> Envelope[QuoteView]:
        async with request.app.state.pool.connection() as conn:
            if await store.add_group(conn, session.user.id, quote_id, data.name, data.position) is None:
                raise _not_found()
            return await _as_it_is_now(conn, session.user.id, quote_id)

    @put(
        "/{quote_id:int}/groups/{group_id:int}",
        operation_id="updateQuoteGroup",
        summary="Rename or move a group",
        responses={**NOT_FOUND, **INVALID},
    )
    async def update_group(
        self,
        request: Request[Any, Any, State],
        session: NamedDependency[Session],
        quote_id: Id,
        group_id: Id,
        data: JSONBody[GroupInput],
    ) -> Envelope[QuoteView]:
        async with request.app.state.pool.connection() as conn:
            if not await store.update_group(conn, session.user.id, quote_id, group_id, data.name, data.position):
                raise _not_found("group")
            return await _as_it_is_now(conn, session.user.id, quote_id)

    @delete(
        "/{quote_id:int}/groups/{group_id:int}",
        operation_id="deleteQuoteGroup",
        summary="Delete a group; its items stay, ungrouped",
        status_code=200,
        responses=NOT_FOUND,
    )
    async def delete_group(
        self, request: Request[Any, Any, State], session: NamedDependency[Session], quote_id: Id, group_id: Id
    ) -> Envelope[QuoteView]:
        async with request.app.state.pool.connection() as conn:
            if not await store.delete_group(conn, session.user.id, quote_id, group_id):
                raise _not_found("group")
            return await _as_it_is_now(conn, session.user.id, quote_id)

    @get(
        "/{quote_id:int}/calculate",
        operation_id="calculateQuote",
        summary="Every line, group subtotals, discounts, total and run rate, from the catalog's prices",
        responses=NOT_FOUND,
    )
    async def calculate_quote(
        self,
        request: Request[Any, Any, State],
        session: NamedDependency[Session],
        catalog: NamedDependency[CatalogSource],
        calculations: NamedDependency[CalculationCache],
        settings: NamedDependency[Settings],
        quote_id: Id,
    ) -> Envelope[QuoteCalculationView]:
        async with request.app.state.pool.connection() as conn:
            calculated, view = await calculated_quote(
                conn, session.user.id, quote_id, catalog, calculations, settings.quote_commitment_discounts
            )
        return Envelope(data=calculated.view, metadata={"cache": cache_state(view)})

    @get(
        "/{quote_id:int}/export/csv",
        operation_id="exportQuoteCsv",
        summary="The calculation as CSV (RFC 4180, UTF-8 with BOM)",
        media_type="text/csv; charset=utf-8",
        responses=NOT_FOUND,
    )
    async def export_csv(
        self,
        request: Request[Any, Any, State],
        session: NamedDependency[Session],
        catalog: NamedDependency[CatalogSource],
        calculations: NamedDependency[CalculationCache],
        settings: NamedDependency[Settings],
        quote_id: Id,
    ) -> Response[str]:
        async with request.app.state.pool.connection() as conn:
            calculated, _ = await calculated_quote(
                conn, session.user.id, quote_id, catalog, calculations, settings.quote_commitment_discounts
            )
        quote = calculated.quote
        text = quote_csv(quote.terms.name, pricing_terms(quote.terms), quote.terms.region, calculated.calculation)
        filename = f"quote-{quote.id}.csv"
        return Response(
            text,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )


def _check_terms(terms: QuoteTermsRow) -> None:
    problems = terms_problems(pricing_terms(terms))
    if problems:
        raise _invalid(problems)


async def _checked_fields(
    conn: psycopg.AsyncConnection, owner_id: int, quote_id: int, catalog: CatalogSource, data: ItemInput
) -> ItemFields:
    """What to store for an item, checked against the catalog of the quote's region (404, or 422 per field)."""
    quote = _found(await store.fetch_quote(conn, owner_id, quote_id))
    view = await catalog.prices(conn, quote.terms.region)
    fields = item_fields(data, view.price_list)
    if problems := item_problems(pricing_item(fields), view.price_list):
        raise _invalid(problems)
    return fields


async def _as_it_is_now(conn: psycopg.AsyncConnection, owner_id: int, quote_id: int) -> Envelope[QuoteView]:
    return Envelope(data=quote_view(_found(await store.fetch_quote(conn, owner_id, quote_id))))


def _invalid(problems: dict[str, str]) -> ApiError:
    details = [{"field": field, "message": message, "source": "body"} for field, message in problems.items()]
    first = details[0]
    return ApiError(422, "validation_error", f"{first['field']}: {first['message']}", details)


class _group_checked:  # noqa: N801 - used as a context manager, reads as a phrase
    """A group id that is not one of this quote's groups is the client's mistake: 422 on group_id."""

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None, _: object) -> bool:
        if isinstance(error, psycopg.errors.ForeignKeyViolation):
            raise _invalid({"group_id": "no such group in this quote"}) from None
        return False


def _session_region(session: Session) -> str:
    return session.region if session.region in REGION_CURRENCIES else "eu-west-2"


def _given(value: Any, current: Any) -> Any:
    return current if value is msgspec.UNSET else value


def _found(quote: QuoteRow | None) -> QuoteRow:
    if quote is None:
        raise _not_found()
    return quote


def _not_found(what: str = "quote") -> ApiError:
    return ApiError(404, "not_found", f"no such {what}")
