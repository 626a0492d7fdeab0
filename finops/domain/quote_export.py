"""A priced quote as CSV text for a spreadsheet, written with finops.domain.csv_cells.

The BOM matters here: the French catalog titles have accents. Quote, group and item names are text
cells, so that none runs as a formula. Amounts are never negative (discounts have their own
columns), so they are written as they are, in plain notation: the lines exactly as calculated, the
totals as `QuoteCalculation.displayed` shows them.
"""

from __future__ import annotations

from collections.abc import Sequence

from finops.domain.csv_cells import amount_cell, csv_document, text_cell
from finops.domain.quote_calculation import QuoteCalculation
from finops.domain.quote_pricing import QuoteTerms

COLUMNS = (
    "Group",
    "Item",
    "Kind",
    "Description",
    "Category",
    "Quantity",
    "Billing unit",
    "Unit price",
    "Billed units",
    "List price",
    "Commitment discount %",
    "Commitment discount",
    "Net",
)
NO_GROUP = "(no group)"


def quote_csv(name: str, terms: QuoteTerms, region: str, calculation: QuoteCalculation) -> str:
    shown = calculation.displayed()
    group_names = {group.group_id: group.name if group.group_id is not None else NO_GROUP for group in shown.groups}
    header: list[Sequence[str]] = [
        ["Quote", text_cell(name)],
        ["Region", text_cell(region)],
        ["Currency", text_cell(calculation.currency)],
        ["Duration", text_cell(_duration(terms))],
        ["Commitment", text_cell(terms.commitment_period or "none")],
        ["Global discount %", amount_cell(terms.global_discount_percent)],
        [],
        COLUMNS,
    ]
    lines = [
        [
            text_cell(group_names[line.group_id]),
            text_cell(line.name),
            text_cell(line.kind),
            text_cell(line.description),
            text_cell(line.category),
            amount_cell(line.quantity),
            text_cell(line.billing_unit),
            amount_cell(line.unit_price),
            amount_cell(line.billed_units),
            amount_cell(line.list_price),
            amount_cell(line.commitment_discount_percent),
            amount_cell(line.commitment_discount),
            amount_cell(line.net),
        ]
        for line in calculation.lines
    ]
    group_subtotals = [
        ["Group subtotal", text_cell(group_names[group.group_id]), amount_cell(group.subtotal)]
        for group in shown.groups
    ]
    totals = [
        ["Subtotal", "", amount_cell(shown.subtotal)],
        ["Global discount", "", amount_cell(shown.global_discount)],
        ["Total", "", amount_cell(shown.total)],
        ["Per hour", "", amount_cell(shown.hourly_run_rate)],
        ["Per month", "", amount_cell(shown.monthly_run_rate)],
        ["Per year", "", amount_cell(shown.yearly_run_rate)],
    ]
    return csv_document([*header, *lines, [], *group_subtotals, *totals])


def _duration(terms: QuoteTerms) -> str:
    unit = terms.duration_unit.removesuffix("s") if terms.duration == 1 else terms.duration_unit
    return f"{amount_cell(terms.duration)} {unit}"
