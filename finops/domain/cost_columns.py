"""Maps the columns of an OCI billing report, found by its header, onto the FOCUS 1.2 ledger.

Headers are matched case-insensitively. What a report has that the ledger has no column for is
kept: `tags/...` columns and FOCUS `Tags` go to `tags`, everything else (OCI vendor columns
`oci_*` / `x_oci_*`, overage columns, compartments, unknown scheduled-report columns) to `x`.

Legacy OCI cost and usage reports (`reports/cost-csv`, `reports/usage-csv`) map as follows:

| OCI column                                   | ledger (FOCUS)                            |
|----------------------------------------------|-------------------------------------------|
| lineItem/intervalUsageStart / End            | charge_period_start / charge_period_end   |
| lineItem/referenceNo, backreferenceNo        | reference_no, back_reference_no           |
| lineItem/isCorrection                        | is_correction (charge_class 'Correction') |
| lineItem/tenantId                            | sub_account_id                            |
| product/service                              | service_name                              |
| product/region                               | region_id and region_name                 |
| product/availabilityDomain                   | availability_zone                         |
| product/resourceId                           | resource_id                               |
| product/Description                          | charge_description                        |
| usage/billedQuantity                         | pricing_quantity                          |
| usage/consumedQuantity, consumedQuantityUnits | consumed_quantity, consumed_unit         |
| cost/subscriptionId (kept as text)           | billing_account_id                        |
| cost/productSku                              | sku_id                                    |
| cost/unitPrice                               | contracted_unit_price                     |
| cost/myCost                                  | billed_cost and effective_cost            |
| cost/currencyCode                            | billing_currency                          |
| cost/skuUnitDescription (or billingUnitReadable) | pricing_unit                          |

Usage reports carry no cost: their lines have billed and effective cost 0 and no currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from finops.domain.errors import ParseError

ReportKind = Literal["oci-cost", "oci-usage", "oci-focus", "oci-scheduled"]
ColumnType = Literal["text", "numeric", "timestamptz", "boolean"]

LEDGER_TYPES: dict[str, ColumnType] = {
    "billing_account_id": "text",
    "billing_account_name": "text",
    "billing_currency": "text",
    "billing_period_start": "timestamptz",
    "billing_period_end": "timestamptz",
    "charge_period_start": "timestamptz",
    "charge_period_end": "timestamptz",
    "charge_category": "text",
    "charge_class": "text",
    "charge_description": "text",
    "charge_frequency": "text",
    "billed_cost": "numeric",
    "effective_cost": "numeric",
    "list_cost": "numeric",
    "contracted_cost": "numeric",
    "list_unit_price": "numeric",
    "contracted_unit_price": "numeric",
    "pricing_quantity": "numeric",
    "pricing_unit": "text",
    "pricing_category": "text",
    "consumed_quantity": "numeric",
    "consumed_unit": "text",
    "service_name": "text",
    "service_category": "text",
    "region_id": "text",
    "region_name": "text",
    "availability_zone": "text",
    "resource_id": "text",
    "resource_name": "text",
    "resource_type": "text",
    "sub_account_id": "text",
    "sub_account_name": "text",
    "sku_id": "text",
    "sku_price_id": "text",
    "commitment_discount_id": "text",
    "commitment_discount_name": "text",
    "commitment_discount_category": "text",
    "commitment_discount_type": "text",
    "commitment_discount_status": "text",
    "invoice_id": "text",
    "invoice_issuer_name": "text",
    "provider_name": "text",
    "publisher_name": "text",
    "reference_no": "text",
    "back_reference_no": "text",
    "is_correction": "boolean",
}

# ledger column -> header names that feed it (lower case), per kind of report
_LEGACY: dict[str, tuple[str, ...]] = {
    "charge_period_start": ("lineitem/intervalusagestart",),
    "charge_period_end": ("lineitem/intervalusageend",),
    "reference_no": ("lineitem/referenceno",),
    "back_reference_no": ("lineitem/backreferenceno", "lineitem/backreference"),
    "is_correction": ("lineitem/iscorrection",),
    "sub_account_id": ("lineitem/tenantid",),
    "service_name": ("product/service",),
    "region_id": ("product/region",),
    "region_name": ("product/region",),
    "availability_zone": ("product/availabilitydomain",),
    "resource_id": ("product/resourceid",),
    "charge_description": ("product/description",),
    "pricing_quantity": ("usage/billedquantity",),
    "consumed_quantity": ("usage/consumedquantity",),
    "consumed_unit": ("usage/consumedquantityunits",),
    "billing_account_id": ("cost/subscriptionid",),
    "sku_id": ("cost/productsku",),
    "contracted_unit_price": ("cost/unitprice",),
    "billed_cost": ("cost/mycost",),
    "effective_cost": ("cost/mycost",),
    "billing_currency": ("cost/currencycode",),
    "pricing_unit": ("cost/skuunitdescription", "cost/billingunitreadable"),
}

_SCHEDULED: dict[str, tuple[str, ...]] = {
    "charge_period_start": ("timeusagestarted", "startdate", "date"),
    "charge_period_end": ("timeusageended", "enddate"),
    "billed_cost": ("computedamount", "cost", "attributedcost"),
    "effective_cost": ("computedamount", "cost", "attributedcost"),
    "billing_currency": ("currency", "currencycode"),
    "service_name": ("service",),
    "region_id": ("region",),
    "region_name": ("region",),
    "availability_zone": ("ad",),
    "resource_id": ("resourceid",),
    "resource_name": ("resourcename",),
    "sub_account_id": ("tenantid",),
    "sub_account_name": ("tenantname",),
    "billing_account_id": ("subscriptionid",),
    "sku_id": ("skupartnumber",),
    "charge_description": ("skuname",),
    "pricing_unit": ("unit",),
    "contracted_unit_price": ("unitprice",),
    "pricing_quantity": ("computedquantity",),
}

_FOCUS_ALIASES: dict[str, tuple[str, ...]] = {
    "region_id": ("regionid", "region"),
    "reference_no": ("oci_referencenumber", "x_oci_referencenumber"),
    "back_reference_no": ("oci_backreferencenumber", "x_oci_backreferencenumber"),
}

_CONSTANTS: dict[ReportKind, dict[str, str]] = {
    "oci-cost": {
        "charge_category": "Usage",
        "provider_name": "Oracle",
        "publisher_name": "Oracle",
        "invoice_issuer_name": "Oracle",
    },
    "oci-usage": {
        "charge_category": "Usage",
        "provider_name": "Oracle",
        "publisher_name": "Oracle",
        "invoice_issuer_name": "Oracle",
    },
    "oci-scheduled": {"provider_name": "Oracle", "publisher_name": "Oracle", "invoice_issuer_name": "Oracle"},
    "oci-focus": {},
}

_REQUIRED: dict[ReportKind, tuple[str, ...]] = {
    "oci-cost": ("charge_period_start", "billed_cost"),
    "oci-usage": ("charge_period_start",),
    "oci-focus": ("charge_period_start", "billed_cost"),
    "oci-scheduled": ("charge_period_start", "billed_cost"),
}


@dataclass(frozen=True)
class ColumnPlan:
    """Where each ledger column comes from: header positions, constants, tags and the rest."""

    kind: ReportKind
    header: tuple[str, ...]
    columns: tuple[tuple[str, int], ...]
    constants: tuple[tuple[str, str], ...]
    tag_columns: tuple[tuple[str, int], ...]
    tags_json: int | None
    extra_columns: tuple[tuple[str, int], ...]

    @property
    def width(self) -> int:
        return len(self.header)

    def source_of(self, ledger_column: str) -> int | None:
        return next((index for name, index in self.columns if name == ledger_column), None)


def detect_kind(header: list[str]) -> ReportKind:
    """The layout a header is written in; a header short of a required column keeps its layout, so that
    the column it lacks is the one named."""
    names = {name.strip().lower() for name in header}
    if names & {"billedcost", "chargeperiodstart"}:
        return "oci-focus"
    if any(name.startswith("cost/") for name in names):
        return "oci-cost"
    if any(name.startswith(("lineitem/", "usage/", "product/")) for name in names):
        return "oci-usage"
    return "oci-scheduled"


def plan_columns(header: list[str]) -> ColumnPlan:
    cleaned = [name.strip().lstrip("\ufeff") for name in header]
    # No PostgreSQL text can hold a NUL: such a name could be neither a JSONB key nor quoted in the reason.
    if (held := next((index for index, name in enumerate(cleaned) if "\x00" in name), None)) is not None:
        raise ParseError(f"column {held + 1} of the header holds a NUL byte")
    lowered = [name.lower() for name in cleaned]
    if not any(cleaned) or len(set(lowered)) != len(lowered):
        repeated = sorted({name for name in lowered if lowered.count(name) > 1})
        raise ParseError(f"the header is empty or repeats columns: {', '.join(repeated) or '(empty)'}")
    kind = detect_kind(cleaned)
    sources = _sources(kind)
    columns: list[tuple[str, int]] = []
    used: set[int] = set()
    for ledger_column, candidates in sources.items():
        for candidate in candidates:
            if candidate in lowered:
                columns.append((ledger_column, lowered.index(candidate)))
                used.add(lowered.index(candidate))
                break
    missing = [column for column in _REQUIRED[kind] if not any(name == column for name, _ in columns)]
    if missing:
        wanted = " or ".join(sources[missing[0]])
        raise ParseError(f"{kind} report is missing the required column {wanted}")
    tag_columns = tuple(
        (name[len("tags/") :], index) for index, name in enumerate(cleaned) if lowered[index].startswith("tags/")
    )
    tags_json = lowered.index("tags") if kind == "oci-focus" and "tags" in lowered else None
    taken = used | {index for _, index in tag_columns} | ({tags_json} if tags_json is not None else set())
    extras = tuple((_extra_key(name), index) for index, name in enumerate(cleaned) if index not in taken)
    return ColumnPlan(
        kind=kind,
        header=tuple(cleaned),
        columns=tuple(columns),
        constants=tuple(_CONSTANTS[kind].items()),
        tag_columns=tag_columns,
        tags_json=tags_json,
        extra_columns=extras,
    )


def _sources(kind: ReportKind) -> dict[str, tuple[str, ...]]:
    if kind in ("oci-cost", "oci-usage"):
        return _LEGACY
    if kind == "oci-scheduled":
        return _SCHEDULED
    focus: dict[str, tuple[str, ...]] = {
        column: (column.replace("_", ""),) for column in LEDGER_TYPES if column not in _FOCUS_ALIASES
    }
    focus.update(_FOCUS_ALIASES)
    focus.pop("is_correction", None)
    return focus


def _extra_key(name: str) -> str:
    """OCI writes vendor columns as oci_X, some tools as x_oci_X: one key either way."""
    return name[2:] if name.lower().startswith("x_oci_") else name
