"""A priced quote (finops.domain.quote_pricing makes it) and its totals as they are shown.

Nothing is rounded until shown (`QuoteCalculation.displayed`): each figure is rounded half up to
the currency's minor unit (per hour: two more digits) from its exact value, except the total,
shown as the shown subtotal minus the shown global discount so that the three always add up.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

CURRENCY_MINOR_UNITS = {"EUR": 2, "USD": 2, "JPY": 0}

BillingUnit = Literal["hour", "month"]


@dataclass(frozen=True)
class QuoteLine:
    item_id: int
    group_id: int | None
    name: str
    kind: str
    description: str
    category: str
    quantity: Decimal
    billing_unit: BillingUnit
    unit_price: Decimal  # per billing unit, for a quantity of 1
    billed_units: Decimal  # hours, or months
    list_price: Decimal
    # The percent of the line's category: a VM's licences take the licence one, which its description names.
    commitment_discount_percent: Decimal
    commitment_discount: Decimal
    net: Decimal


@dataclass(frozen=True)
class GroupTotal:
    group_id: int | None  # None: the items in no group, placed last
    name: str
    position: int
    subtotal: Decimal


@dataclass(frozen=True)
class DisplayedTotals:
    groups: tuple[GroupTotal, ...]
    subtotal: Decimal
    global_discount: Decimal
    total: Decimal
    hourly_run_rate: Decimal
    monthly_run_rate: Decimal
    yearly_run_rate: Decimal


@dataclass(frozen=True)
class QuoteCalculation:
    lines: tuple[QuoteLine, ...]  # in group order, then in the order the items came
    groups: tuple[GroupTotal, ...]
    subtotal: Decimal
    global_discount_percent: Decimal
    global_discount: Decimal
    total: Decimal
    currency: str
    hours: Decimal
    hourly_run_rate: Decimal
    monthly_run_rate: Decimal
    yearly_run_rate: Decimal

    def displayed(self) -> DisplayedTotals:
        digits = CURRENCY_MINOR_UNITS.get(self.currency, 2)
        subtotal = _round(self.subtotal, digits)
        global_discount = _round(self.global_discount, digits)
        return DisplayedTotals(
            groups=tuple(replace(group, subtotal=_round(group.subtotal, digits)) for group in self.groups),
            subtotal=subtotal,
            global_discount=global_discount,
            total=subtotal - global_discount,
            hourly_run_rate=_round(self.hourly_run_rate, digits + 2),
            monthly_run_rate=_round(self.monthly_run_rate, digits),
            yearly_run_rate=_round(self.yearly_run_rate, digits),
        )


def _round(amount: Decimal, digits: int) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
