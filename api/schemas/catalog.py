"""Wire types of the catalog."""

from __future__ import annotations

from typing import Literal

import msgspec


class CatalogEntry(msgspec.Struct):
    key: str  # "service/type/operation", what quote items refer to
    service: str
    type: str
    operation: str
    title: str
    category: str
    unit_price: str  # a decimal, as text: money never goes through a float
    currency: str
    billing_unit: Literal["hour", "month"]
