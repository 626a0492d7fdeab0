"""Wire types of what live Outscale resources cost now. Amounts travel as decimal text."""

from __future__ import annotations

import msgspec


class CurrentCostGroup(msgspec.Struct):
    key: str | None  # a resource type or a tag's value; null: the resources without that tag
    label: str  # the key, or "(untagged)"
    currency: str
    resources: int
    per_hour: str
    per_month: str  # 730 hours
    per_year: str  # 12 months


class CostlyResource(msgspec.Struct):
    account_id: str
    region: str
    resource_type: str
    resource_id: str
    per_hour: str
    per_month: str
    per_year: str
    currency: str
    tags: dict[str, str]


class CurrentCost(msgspec.Struct):
    groups: list[CurrentCostGroup]
    top_resources: list[CostlyResource]  # the 10 that cost the most per month
