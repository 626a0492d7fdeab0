"""Between the wire, the `quotes` tables and the pure quote pricing: one conversion each way."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from api.schemas.quotes import (
    CalculatedLine,
    CatalogItemInput,
    ExactTotals,
    GroupSubtotal,
    ItemInput,
    QuoteCalculationView,
    QuoteGroupView,
    QuoteItemView,
    QuoteSummary,
    QuoteView,
    RunRate,
    VmItemInput,
)
from finops.db.quotes import GroupRow, ItemFields, ItemRow, QuoteRow, QuoteTermsRow
from finops.domain.outscale_catalog import REGION_CURRENCIES, CatalogKey, PriceList
from finops.domain.quote_calculation import QuoteCalculation
from finops.domain.quote_pricing import QuoteGroup, QuoteItem, QuoteTerms, VmSpec, VolumeSpec


def money(value: Decimal) -> str:
    return format(value, "f")


def pricing_terms(terms: QuoteTermsRow) -> QuoteTerms:
    return QuoteTerms(terms.duration, terms.duration_unit, terms.commitment_period, terms.global_discount_percent)


def item_fields(data: ItemInput, prices: PriceList) -> ItemFields:
    """What to store for an item sent by a client: keys, quantity and parameters, never a price."""
    if isinstance(data, CatalogItemInput):
        entry = prices.get(data.service, data.type, data.operation)
        name = data.name or (entry.title if entry and entry.title else f"{data.service}/{data.type}")
        return ItemFields(data.group_id, name, "catalog", data.service, data.type, data.operation, {}, data.quantity)
    if isinstance(data, VmItemInput):
        parameters: dict[str, Any] = {
            "generation": data.generation,
            "performance": data.performance,
            "vcores": data.vcores,
            "ram_gib": money(data.ram_gib),
            "licences": list(data.licences),
        }
        default = f"VM v{data.generation} {data.vcores} vCores {money(data.ram_gib)} GiB ({data.performance})"
        return ItemFields(data.group_id, data.name or default, "vm", None, None, None, parameters, data.quantity)
    parameters = {"volume_type": data.volume_type, "size_gib": money(data.size_gib), "iops": money(data.iops)}
    default = f"Volume {data.volume_type} {money(data.size_gib)} GiB"
    if data.volume_type == "io1":
        default += f" {money(data.iops)} IOPS"
    return ItemFields(data.group_id, data.name or default, "volume", None, None, None, parameters, data.quantity)


def pricing_item(item: ItemFields | ItemRow, item_id: int = 0) -> QuoteItem:
    parameters = item.parameters
    if item.kind == "vm":
        vm = VmSpec(
            generation=int(parameters["generation"]),
            performance=str(parameters["performance"]),
            vcores=int(parameters["vcores"]),
            ram_gib=Decimal(str(parameters["ram_gib"])),
            licences=tuple(str(code) for code in parameters.get("licences") or ()),
        )
        return QuoteItem(item_id, item.group_id, item.name, item.quantity, "vm", vm=vm)
    if item.kind == "volume":
        volume = VolumeSpec(
            str(parameters["volume_type"]), Decimal(str(parameters["size_gib"])), Decimal(str(parameters["iops"]))
        )
        return QuoteItem(item_id, item.group_id, item.name, item.quantity, "volume", volume=volume)
    key = CatalogKey(str(item.service), str(item.type), str(item.operation))
    return QuoteItem(item_id, item.group_id, item.name, item.quantity, "catalog", key=key)


def pricing_items(quote: QuoteRow) -> list[QuoteItem]:
    return [pricing_item(item, item.id) for item in quote.items]


def pricing_groups(groups: list[GroupRow]) -> list[QuoteGroup]:
    return [QuoteGroup(group.id, group.name, group.position) for group in groups]


def quote_view(quote: QuoteRow) -> QuoteView:
    terms = quote.terms
    return QuoteView(
        id=quote.id,
        name=terms.name,
        status=quote.status,  # type: ignore[arg-type]
        region=terms.region,
        currency=REGION_CURRENCIES[terms.region],
        duration=money(terms.duration),
        duration_unit=terms.duration_unit,
        commitment_period=terms.commitment_period,
        global_discount_percent=money(terms.global_discount_percent),
        groups=[QuoteGroupView(group.id, group.name, group.position) for group in quote.groups],
        items=[
            QuoteItemView(
                id=item.id,
                group_id=item.group_id,
                position=item.position,
                name=item.name,
                kind=item.kind,  # type: ignore[arg-type]
                key=f"{item.service}/{item.type}/{item.operation}" if item.kind == "catalog" else None,
                quantity=money(item.quantity),
                parameters=item.parameters,
            )
            for item in quote.items
        ],
        created_at=quote.created_at,
        updated_at=quote.updated_at,
    )


def quote_summary(quote: QuoteRow, total: Decimal | None) -> QuoteSummary:
    return QuoteSummary(
        id=quote.id,
        name=quote.terms.name,
        status=quote.status,  # type: ignore[arg-type]
        region=quote.terms.region,
        currency=REGION_CURRENCIES[quote.terms.region],
        item_count=len(quote.items),
        total=None if total is None else money(total),
        created_at=quote.created_at,
        updated_at=quote.updated_at,
    )


def calculation_view(quote_id: int, calculation: QuoteCalculation) -> QuoteCalculationView:
    shown = calculation.displayed()
    return QuoteCalculationView(
        quote_id=quote_id,
        currency=calculation.currency,
        hours=money(calculation.hours),
        lines=[
            CalculatedLine(
                item_id=line.item_id,
                group_id=line.group_id,
                name=line.name,
                kind=line.kind,
                description=line.description,
                category=line.category,
                quantity=money(line.quantity),
                billing_unit=line.billing_unit,
                unit_price=money(line.unit_price),
                billed_units=money(line.billed_units),
                list_price=money(line.list_price),
                commitment_discount_percent=money(line.commitment_discount_percent),
                commitment_discount=money(line.commitment_discount),
                net=money(line.net),
            )
            for line in calculation.lines
        ],
        groups=[GroupSubtotal(g.group_id, g.name, g.position, money(g.subtotal)) for g in shown.groups],
        subtotal=money(shown.subtotal),
        global_discount_percent=money(calculation.global_discount_percent),
        global_discount=money(shown.global_discount),
        total=money(shown.total),
        run_rate=RunRate(money(shown.hourly_run_rate), money(shown.monthly_run_rate), money(shown.yearly_run_rate)),
        exact=ExactTotals(money(calculation.subtotal), money(calculation.global_discount), money(calculation.total)),
    )
