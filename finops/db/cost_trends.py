"""Monthly cost per provider and service from the `daily_costs` rollup, for trends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

import psycopg
from psycopg import sql

Metric = Literal["billed_cost", "effective_cost"]


@dataclass(frozen=True)
class MonthlyCost:
    provider: str
    service: str | None  # None: lines with no service name
    currency: str
    month: date  # its first day
    cost: Decimal
    latest_day: date  # the latest day of the month with a line


_MONTHLY = """
    SELECT d.provider, NULLIF(d.service_name, ''), d.currency, date_trunc('month', d.day::timestamp)::date,
           sum(d.{metric}), max(d.day)
      FROM daily_costs d
     WHERE d.account_id = ANY(%(accounts)s) AND d.day >= %(first)s AND d.day < %(end)s
     GROUP BY 1, 2, 3, 4
     ORDER BY 1, 2 NULLS LAST, 3, 4
"""


async def monthly_costs(
    conn: psycopg.AsyncConnection, accounts: list[str], first: date, end: date, metric: Metric
) -> list[MonthlyCost]:
    """Days in [first, end) of ``accounts``, summed per provider, service, currency and month."""
    query = sql.SQL(_MONTHLY).format(metric=sql.Identifier(metric))
    cursor = await conn.execute(query, {"accounts": accounts, "first": first, "end": end})
    return [
        MonthlyCost(str(provider), service, str(currency), month, Decimal(cost), latest)
        for provider, service, currency, month, cost, latest in await cursor.fetchall()
    ]
