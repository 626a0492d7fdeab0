"""A priced quote as CSV text for a spreadsheet: RFC 4180 (comma, CRLF), UTF-8 behind a BOM.

The BOM is what makes Excel read the file as UTF-8 rather than the local code page: the French
catalog titles have accents. A text cell starting with = + - @, a tab or a carriage return gets a
leading apostrophe, so that no spreadsheet runs a quote or item name as a formula (CSV injection).
Amounts are never negative (discounts have their own columns), so they are written as they are,
in plain notation: the lines exactly as calculated, the totals as `QuoteCalculation.displayed`
shows them.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from finops.domain.quote_pricing import QuoteCalculation, QuoteTerms

BOM = "\ufeff"
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
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def quote_csv(name: str, terms: QuoteTerms, region: str, calculation: QuoteCalculation) -> str:
    shown = calculation.displayed()
    group_names = {group.group_id: group.name if group.group_id is not None else NO_GROUP for group in shown.groups}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(
        [
            ["Quote", _text(name)],
            ["Region", _text(region)],
            ["Currency", _text(calculation.currency)],
            ["Duration", _text(_duration(terms))],
            ["Commitment", _text(terms.commitment_period or "none")],
            ["Global discount %", _amount(terms.global_discount_percent)],
            [],
            COLUMNS,
        ]
    )
    writer.writerows(
        [
            _text(group_names[line.group_id]),
            _text(line.name),
            _text(line.kind),
            _text(line.description),
            _text(line.category),
            _amount(line.quantity),
            _text(line.billing_unit),
            _amount(line.unit_price),
            _amount(line.billed_units),
            _amount(line.list_price),
            _amount(line.commitment_discount_percent),
            _amount(line.commitment_discount),
            _amount(line.net),
        ]
        for line in calculation.lines
    )
    writer.writerow([])
    writer.writerows(
        ["Group subtotal", _text(group_names[group.group_id]), _amount(group.subtotal)] for group in shown.groups
    )
    writer.writerows(
        [
            ["Subtotal", "", _amount(shown.subtotal)],
            ["Global discount", "", _amount(shown.global_discount)],
            ["Total", "", _amount(shown.total)],
            ["Per hour", "", _amount(shown.hourly_run_rate)],
            ["Per month", "", _amount(shown.monthly_run_rate)],
            ["Per year", "", _amount(shown.yearly_run_rate)],
        ]
    )
    return BOM + out.getvalue()


def _duration(terms: QuoteTerms) -> str:
    unit = terms.duration_unit.removesuffix("s") if terms.duration == 1 else terms.duration_unit
    return f"{_amount(terms.duration)} {unit}"


def _text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _amount(value: Decimal) -> str:
    return format(value, "f")
