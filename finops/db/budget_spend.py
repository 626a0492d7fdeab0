"""What a budget's scope spent in a period, and how far its data reaches.

A scope of provider, accounts, services and regions reads the `daily_costs` rollup. Tags and OCI
compartments live only on the ledger lines, so such a scope reads `effective_cost_lines` (the lines
an OCI correction replaced left out, as in the rollup) within the period's `charge_period_start`
range, which keeps PostgreSQL to the month partitions of the period.

`data_through` is the latest day any of the scope's accounts (of its provider) has data for in
the period, whatever the service, region or tag: it says how fresh the reports are, which is
what a forecast divides by.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import psycopg

from finops.db.budgets import BudgetScope


@dataclass(frozen=True)
class ScopeSpend:
    actual: Decimal
    data_through: date | None


def scope_accounts(scope: BudgetScope, owned: list[str]) -> list[str]:
    return [account for account in owned if not scope.account_ids or account in scope.account_ids]


_FRESHNESS = """
    SELECT max(day) FROM daily_costs
     WHERE day >= %(start)s AND day < %(end)s AND account_id = ANY(%(accounts)s)
       AND (%(provider)s::text IS NULL OR provider = %(provider)s)
"""

_ROLLUP_SPEND = """
    SELECT coalesce(sum(billed_cost), 0) FROM daily_costs
     WHERE day >= %(start)s AND day < %(end)s AND account_id = ANY(%(accounts)s)
       AND (%(provider)s::text IS NULL OR provider = %(provider)s)
       AND currency = %(currency)s
       AND (cardinality(%(services)s::text[]) = 0 OR service_name = ANY(%(services)s))
       AND (cardinality(%(regions)s::text[]) = 0 OR region_id = ANY(%(regions)s))
"""

# OCI writes the compartment as product/compartmentId|Name (cost reports) or oci_Compartment* (FOCUS).
_LEDGER_SPEND = """
    SELECT coalesce(sum(l.billed_cost), 0) FROM effective_cost_lines l
     WHERE l.charge_period_start >= %(start_at)s AND l.charge_period_start < %(end_at)s
       AND coalesce(l.sub_account_id, '') = ANY(%(accounts)s)
       AND (%(provider)s::text IS NULL OR l.provider = %(provider)s)
       AND l.billing_currency = %(currency)s
       AND (cardinality(%(services)s::text[]) = 0 OR coalesce(l.service_name, '') = ANY(%(services)s))
       AND (cardinality(%(regions)s::text[]) = 0 OR coalesce(l.region_id, '') = ANY(%(regions)s))
       AND (%(tag_key)s::text IS NULL OR l.tags ->> %(tag_key)s = %(tag_value)s)
       AND (cardinality(%(compartments)s::text[]) = 0
            OR l.x ->> 'product/compartmentId' = ANY(%(compartments)s)
            OR l.x ->> 'product/compartmentName' = ANY(%(compartments)s)
            OR l.x ->> 'oci_CompartmentId' = ANY(%(compartments)s)
            OR l.x ->> 'oci_CompartmentName' = ANY(%(compartments)s))
"""

_CURRENCIES = """
    SELECT DISTINCT currency FROM daily_costs
     WHERE currency <> '' AND account_id = ANY(%(accounts)s) AND (%(provider)s::text IS NULL OR provider = %(provider)s)
       AND (cardinality(%(services)s::text[]) = 0 OR service_name = ANY(%(services)s))
       AND (cardinality(%(regions)s::text[]) = 0 OR region_id = ANY(%(regions)s))
     ORDER BY 1
"""


def scope_spend(
    conn: psycopg.Connection, scope: BudgetScope, accounts: list[str], currency: str, start: date, end: date
) -> ScopeSpend:
    """Billed cost in ``currency`` over the days [start, end) of ``accounts``; other currencies never count."""
    params = _parameters(scope, accounts) | {
        "start": start,
        "end": end,
        "start_at": datetime.combine(start, time(), UTC),
        "end_at": datetime.combine(end, time(), UTC),
        "currency": currency,
    }
    freshness = conn.execute(_FRESHNESS, params).fetchone()
    spent = conn.execute(_LEDGER_SPEND if scope.needs_ledger else _ROLLUP_SPEND, params).fetchone()
    return ScopeSpend(
        actual=Decimal(spent[0]) if spent else Decimal(0),
        data_through=freshness[0] if freshness else None,
    )


def scope_currencies(conn: psycopg.Connection, scope: BudgetScope, accounts: list[str]) -> list[str]:
    """The currencies the scope's data is billed in (none before any data); a cost without one has no budget."""
    return [str(row[0]) for row in conn.execute(_CURRENCIES, _parameters(scope, accounts)).fetchall()]


def _parameters(scope: BudgetScope, accounts: list[str]) -> dict[str, Any]:
    return {
        "accounts": accounts,
        "provider": scope.provider,
        "services": list(scope.services),
        "regions": list(scope.regions),
        "compartments": list(scope.compartments),
        "tag_key": scope.tag[0] if scope.tag else None,
        "tag_value": scope.tag[1] if scope.tag else None,
    }
