"""Wire type of cost allocation (showback) per service, account, region or tag value."""

from __future__ import annotations

import msgspec


class CostGroup(msgspec.Struct):
    key: str | None  # null: lines without a value for the grouping (no such tag, no service or region)
    label: str  # the key, or "(untagged)" / "(none)"
    currency: str
    billed_cost: str
    effective_cost: str
    lines: int
