"""Wire types of quotes, their groups and items, and their calculation. Money and quantities travel as
decimal text (``"12.50"``), never through a float."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec

from api.schemas.auth import OutscaleRegion
from api.schemas.text import NO_NUL

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=NO_NUL)]
DurationUnit = Literal["hours", "days", "weeks", "months", "years"]
CommitmentPeriod = Literal["1month", "1year", "3years"]
Performance = Literal["medium", "high", "highest"]
VolumeType = Literal["standard", "gp2", "io1"]
Position = Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]
GroupId = Annotated[int, msgspec.Meta(ge=1)]


class QuoteCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name = "New quote"
    region: OutscaleRegion | None = None  # the session's region, else eu-west-2
    duration: Decimal = Decimal(1)
    duration_unit: DurationUnit = "months"
    commitment_period: CommitmentPeriod | None = None
    global_discount_percent: Decimal = Decimal(0)


class QuoteUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields sent change; ``commitment_period: null`` removes the commitment."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    status: Literal["active", "saved"] | msgspec.UnsetType = msgspec.UNSET
    region: OutscaleRegion | msgspec.UnsetType = msgspec.UNSET
    duration: Decimal | msgspec.UnsetType = msgspec.UNSET
    duration_unit: DurationUnit | msgspec.UnsetType = msgspec.UNSET
    commitment_period: CommitmentPeriod | msgspec.UnsetType | None = msgspec.UNSET
    global_discount_percent: Decimal | msgspec.UnsetType = msgspec.UNSET


class GroupInput(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    position: Position | None = None  # default: after the last group


class CatalogItemInput(msgspec.Struct, forbid_unknown_fields=True, tag="catalog", tag_field="kind"):
    """Any catalog entry; ``quantity`` counts its unit (IPs, GiB of storage, load balancers...)."""

    service: Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=NO_NUL)]
    type: Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=NO_NUL)]
    operation: Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=NO_NUL)]
    quantity: Decimal = Decimal(1)
    name: Name | None = None  # default: the catalog title
    group_id: GroupId | None = None
    position: Position | None = None


class VmItemInput(msgspec.Struct, forbid_unknown_fields=True, tag="vm", tag_field="kind"):
    """``quantity`` VMs of one shape, priced from CustomCore, CustomRam and the licences' entries."""

    generation: Annotated[int, msgspec.Meta(ge=1, le=99)]
    performance: Performance
    vcores: Annotated[int, msgspec.Meta(ge=1, le=1024)]
    ram_gib: Decimal
    licences: Annotated[
        list[Annotated[str, msgspec.Meta(max_length=40, pattern=NO_NUL)]], msgspec.Meta(max_length=10)
    ] = []
    quantity: Decimal = Decimal(1)
    name: Name | None = None
    group_id: GroupId | None = None
    position: Position | None = None


class VolumeItemInput(msgspec.Struct, forbid_unknown_fields=True, tag="volume", tag_field="kind"):
    """``quantity`` volumes of ``size_gib``; io1 volumes also pay their provisioned IOPS."""

    volume_type: VolumeType
    size_gib: Decimal
    iops: Decimal = Decimal(0)
    quantity: Decimal = Decimal(1)
    name: Name | None = None
    group_id: GroupId | None = None
    position: Position | None = None


ItemInput = CatalogItemInput | VmItemInput | VolumeItemInput


class QuoteGroupView(msgspec.Struct):
    id: int
    name: str
    position: int


class QuoteItemView(msgspec.Struct):
    id: int
    group_id: int | None
    position: int
    name: str
    kind: Literal["catalog", "vm", "volume"]
    key: str | None  # "service/type/operation" of a catalog item
    quantity: str
    parameters: dict[str, Any]


class QuoteSummary(msgspec.Struct):
    id: int
    name: str
    status: Literal["active", "saved"]
    region: str
    currency: str
    item_count: int
    total: str | None  # None when an item has no price in the region's catalog any more
    created_at: datetime
    updated_at: datetime


class QuoteView(msgspec.Struct):
    id: int
    name: str
    status: Literal["active", "saved"]
    region: str
    currency: str
    duration: str
    duration_unit: str
    commitment_period: str | None
    global_discount_percent: str
    groups: list[QuoteGroupView]
    items: list[QuoteItemView]
    created_at: datetime
    updated_at: datetime


class DeletedQuote(msgspec.Struct):
    deleted_id: int
    replacement_quote: QuoteView | None  # the quote that became active, when the active one was deleted


class CalculatedLine(msgspec.Struct):
    item_id: int
    group_id: int | None
    name: str
    kind: str
    description: str
    category: str
    quantity: str
    billing_unit: Literal["hour", "month"]
    unit_price: str
    billed_units: str
    list_price: str
    commitment_discount_percent: str
    commitment_discount: str
    net: str


class GroupSubtotal(msgspec.Struct):
    group_id: int | None  # None: the items in no group
    name: str
    position: int
    subtotal: str


class RunRate(msgspec.Struct):
    hourly: str
    monthly: str
    yearly: str


class ExactTotals(msgspec.Struct):
    subtotal: str
    global_discount: str
    total: str


class QuoteCalculationView(msgspec.Struct):
    """Lines are exact; subtotals and totals are rounded to the currency's minor unit, and
    subtotal - global_discount = total exactly as shown."""

    quote_id: int
    currency: str
    hours: str
    lines: list[CalculatedLine]
    groups: list[GroupSubtotal]
    subtotal: str
    global_discount_percent: str
    global_discount: str
    total: str
    run_rate: RunRate
    exact: ExactTotals
