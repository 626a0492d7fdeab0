"""Priced Outscale consumption (`osc_consumption`) summed per period and service, for the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

import psycopg

Granularity = Literal["day", "week", "month"]


@dataclass(frozen=True)
class ConsumptionTotal:
    period: date  # the first day of the day, ISO week (a Monday) or month
    service: str
    currency: str | None
    price: Decimal  # the priced lines only: an unpriced line adds nothing
    value: Decimal
    lines: int
    unpriced_lines: int


async def consumption_totals(
    conn: psycopg.AsyncConnection, accounts: list[str], first: date, end: date, granularity: Granularity
) -> list[ConsumptionTotal]:
    """Lines of ``accounts`` on days in [first, end), summed per period, service and currency."""
    cursor = await conn.execute(
        """
        SELECT date_trunc(%(granularity)s, c.day::timestamp)::date AS period, c.service, c.currency,
               coalesce(sum(c.price), 0), sum(c.value), count(*),
               count(*) FILTER (WHERE c.price_source = 'unpriced')
          FROM osc_consumption c
         WHERE c.account_id = ANY(%(accounts)s) AND c.day >= %(first)s AND c.day < %(end)s
         GROUP BY 1, 2, 3
         ORDER BY 1, 2, 3
        """,
        # day::timestamp, not timestamptz: a week or month must not depend on the session's time zone.
        {"granularity": granularity, "accounts": accounts, "first": first, "end": end},
    )
    return [
        ConsumptionTotal(period, str(service), currency, Decimal(price), Decimal(value), int(lines), int(unpriced))
        for period, service, currency, price, value, lines, unpriced in await cursor.fetchall()
    ]
