"""Wire type of priced Outscale consumption per period and service. Amounts travel as decimal text."""

from __future__ import annotations

from datetime import date

import msgspec


class ConsumptionPeriod(msgspec.Struct):
    period: date  # the first day of the day, ISO week (Monday) or month
    service: str
    currency: str | None
    price: str  # the priced lines' sum; an unpriced line adds nothing (see unpriced_lines)
    value: str  # the consumed quantity, in each entry's own unit (hours, GiB-months...)
    lines: int
    unpriced_lines: int
