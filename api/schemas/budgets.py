"""Wire types of budgets, their rules and status. Money travels as decimal text (``"1200.00"``), never
through a float; webhook URLs go in and never come out."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from api.schemas.text import NO_NUL

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=NO_NUL)]
ScopeText = Annotated[str, msgspec.Meta(min_length=1, max_length=300, pattern=NO_NUL)]
Email = Annotated[str, msgspec.Meta(max_length=254, pattern=r"^[^@\s\x00]+@[^@\s\x00]+\.[^@\s\x00]+$")]
WebhookUrl = Annotated[str, msgspec.Meta(max_length=2000, pattern=r"^[A-Za-z][A-Za-z0-9+.-]*://[^\s\x00]+$")]
Currency = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$")]


class RuleInput(msgspec.Struct, forbid_unknown_fields=True):
    """``threshold`` is a percentage of the amount (PERCENT, 80 = 80 %) or an amount (ABSOLUTE)."""

    basis: Literal["ACTUAL", "FORECAST"]
    threshold: Decimal
    threshold_type: Literal["PERCENT", "ABSOLUTE"] = "PERCENT"
    notify_recovery: bool = False


class ScopeInput(msgspec.Struct, forbid_unknown_fields=True):
    """What the budget counts; an empty list means any. Accounts must be yours."""

    provider: Literal["oci", "outscale"] | None = None
    account_ids: Annotated[list[ScopeText], msgspec.Meta(max_length=100)] = []
    services: Annotated[list[ScopeText], msgspec.Meta(max_length=100)] = []
    regions: Annotated[list[ScopeText], msgspec.Meta(max_length=100)] = []
    compartments: Annotated[list[ScopeText], msgspec.Meta(max_length=100)] = []
    tag_key: ScopeText | None = None
    tag_value: Annotated[str, msgspec.Meta(max_length=300, pattern=NO_NUL)] | None = None


class BudgetInput(msgspec.Struct, forbid_unknown_fields=True):
    """A whole budget. On update, leaving ``webhooks`` out keeps the ones stored (they are never shown)."""

    name: Name
    amount: Decimal
    currency: Currency
    period: Literal["monthly", "quarterly", "yearly"] = "monthly"
    scope: ScopeInput = msgspec.field(default_factory=ScopeInput)
    rules: Annotated[list[RuleInput], msgspec.Meta(max_length=20)] = []
    emails: Annotated[list[Email], msgspec.Meta(max_length=20)] = []
    webhooks: Annotated[list[WebhookUrl], msgspec.Meta(max_length=10)] | msgspec.UnsetType = msgspec.UNSET


class RuleView(msgspec.Struct):
    id: int
    basis: str
    threshold_type: str
    threshold: Decimal
    notify_recovery: bool


class ScopeView(msgspec.Struct):
    provider: str | None
    account_ids: list[str]
    services: list[str]
    regions: list[str]
    compartments: list[str]
    tag_key: str | None
    tag_value: str | None


class BudgetView(msgspec.Struct):
    id: int
    name: str
    amount: Decimal
    currency: str
    period: str
    scope: ScopeView
    rules: list[RuleView]
    emails: list[str]
    webhooks: list[str]  # scheme and host only: the rest of a webhook URL is its secret
    created_at: datetime
    updated_at: datetime


class RuleStatus(msgspec.Struct):
    id: int
    basis: str
    threshold_type: str
    threshold: Decimal
    limit: str
    value: str | None  # the actual, or the forecast (null while there is none)
    crossed: bool
    fired_at: datetime | None  # when this rule's alert for the period was raised
    recovered_at: datetime | None


class BudgetStatusView(msgspec.Struct):
    budget_id: int
    period_start: date
    period_end: date  # excluded
    amount: Decimal
    currency: str
    actual: str
    percent: str
    forecast: str | None
    forecast_percent: str | None
    data_through: date | None
    days_elapsed: int | None
    days_in_period: int
    rules: list[RuleStatus]
