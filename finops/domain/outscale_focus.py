"""An Outscale consumption line as a FOCUS 1.2 ledger line, so budgets and trends see both clouds.

| ConsumptionEntry (summed per day)       | ledger (FOCUS)                                        |
|-----------------------------------------|-------------------------------------------------------|
| the day (UTC), the next day             | charge_period_start, charge_period_end                |
| Price (or Value * catalog UnitPrice)     | billed_cost, effective_cost, list_cost                |
| UnitPrice                               | list_unit_price, contracted_unit_price                |
| Value                                   | pricing_quantity, consumed_quantity                   |
| Service                                 | service_name                                          |
| Category (compute, storage, ...)        | service_category (Compute, Storage, Networking, Other)|
| Service/Type/Operation                  | sku_id                                                |
| Title                                   | charge_description                                    |
| AccountId                               | sub_account_id                                        |
| PayingAccountId (else AccountId)        | billing_account_id                                    |
| the account's region                    | region_id, region_name                                |
| Currency (else the region's currency)   | billing_currency                                      |
| Type, Operation, how it was priced      | x                                                     |

charge_category is Usage, charge_frequency Usage-Based; provider, publisher and invoice issuer are
3DS Outscale. A line no price could be found for costs 0 and says so in x (`price_source`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from finops.domain.outscale_consumption import ConsumptionLine

SERVICE_CATEGORIES = {"compute": "Compute", "storage": "Storage", "network": "Networking", "licence": "Other"}
OUTSCALE = "3DS Outscale"


def focus_line(account_id: str, region: str, currency: str, day: date, line: ConsumptionLine) -> dict[str, object]:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    cost = line.price if line.price is not None else Decimal(0)
    return {
        "charge_period_start": start,
        "charge_period_end": start + timedelta(days=1),
        "billed_cost": cost,
        "effective_cost": cost,
        "list_cost": line.price,
        "list_unit_price": line.unit_price,
        "contracted_unit_price": line.unit_price,
        "pricing_quantity": line.value,
        "consumed_quantity": line.value,
        "service_name": line.service,
        "service_category": SERVICE_CATEGORIES.get(line.category.lower(), "Other"),
        "sku_id": line.key,
        "charge_description": line.title or None,
        "sub_account_id": account_id,
        "billing_account_id": line.paying_account_id or account_id,
        "region_id": region,
        "region_name": region,
        "billing_currency": currency,
        "charge_category": "Usage",
        "charge_frequency": "Usage-Based",
        "provider_name": OUTSCALE,
        "publisher_name": OUTSCALE,
        "invoice_issuer_name": OUTSCALE,
        "x": {"Type": line.type, "Operation": line.operation, "price_source": line.source},
    }
