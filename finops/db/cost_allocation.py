"""Showback across both clouds: billed and effective cost per service, account, region or tag value.

Service, account and region come from the `daily_costs` rollup. Tags live only on the ledger lines,
so a tag reads `effective_cost_lines` (the ledger less the lines an OCI correction replaced, as the
rollup counts them) within the range of `charge_period_start`, which lets PostgreSQL skip the
month partitions outside it. Both count the same lines, so the tag groups add up to the same total.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

import psycopg
from psycopg import sql

from finops.db.cost_ledger import ROLLED_UP

Dimension = Literal["service", "account", "region"]
_ROLLUP_COLUMNS: dict[Dimension, str] = {"service": "service_name", "account": "account_id", "region": "region_id"}


@dataclass(frozen=True)
class AllocationTotal:
    key: str | None  # None: lines with no value for the dimension (no service, region, or no such tag)
    currency: str
    billed_cost: Decimal
    effective_cost: Decimal
    lines: int


_BY_DIMENSION = """
    SELECT NULLIF(d.{column}, '') AS key, d.currency, sum(d.billed_cost), sum(d.effective_cost), sum(d.lines)
      FROM daily_costs d
     WHERE d.account_id = ANY(%(accounts)s) AND d.day >= %(first)s AND d.day < %(end)s
       AND (%(provider)s::text IS NULL OR d.provider = %(provider)s)
     GROUP BY 1, 2
     ORDER BY 3 DESC, 1 NULLS LAST, 2
"""

# As the rollup does: lines without a currency or an account are filed under ''.
BY_TAG = sql.SQL(
    """
    SELECT l.tags ->> %(tag)s AS key, coalesce(l.billing_currency, ''), sum(l.billed_cost), sum(l.effective_cost),
           count(*)
      FROM effective_cost_lines l
     WHERE l.charge_period_start >= %(start)s AND l.charge_period_start < %(end)s
       AND coalesce(l.sub_account_id, '') = ANY(%(accounts)s) AND {rolled_up}
       AND (%(provider)s::text IS NULL OR l.provider = %(provider)s)
     GROUP BY 1, 2
     ORDER BY 3 DESC, 1 NULLS LAST, 2
"""
).format(rolled_up=sql.SQL(ROLLED_UP))


async def totals_by_dimension(
    conn: psycopg.AsyncConnection,
    dimension: Dimension,
    accounts: list[str],
    first: date,
    end: date,
    provider: str | None,
) -> list[AllocationTotal]:
    """Days in [first, end) of ``accounts`` (and ``provider`` when given)."""
    query = sql.SQL(_BY_DIMENSION).format(column=sql.Identifier(_ROLLUP_COLUMNS[dimension]))
    cursor = await conn.execute(query, {"accounts": accounts, "first": first, "end": end, "provider": provider})
    return _totals(await cursor.fetchall())


async def totals_by_tag(
    conn: psycopg.AsyncConnection,
    tag: str,
    accounts: list[str],
    start: datetime,
    end: datetime,
    provider: str | None,
) -> list[AllocationTotal]:
    """Lines charged in [start, end) (aware UTC datetimes, so the bounds are days in UTC as in the rollup)."""
    cursor = await conn.execute(
        BY_TAG, {"tag": tag, "accounts": accounts, "start": start, "end": end, "provider": provider}
    )
    return _totals(await cursor.fetchall())


def _totals(rows: list[tuple[Any, ...]]) -> list[AllocationTotal]:
    return [
        AllocationTotal(key, str(currency), Decimal(billed), Decimal(effective), int(lines))
        for key, currency, billed, effective, lines in rows
    ]
