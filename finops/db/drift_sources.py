"""What the detectors compare: daily spend series, priced resource snapshots and priced consumption."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import psycopg

from finops.domain.drift import SnapshotPoint

SeriesKey = tuple[str, str, str, str]  # provider, account, service, currency


@dataclass(frozen=True)
class BilledEntry:
    service: str
    type: str
    operation: str
    currency: str
    price: Decimal
    unpriced_lines: int  # lines with no price (neither the API nor the catalog had one)


def daily_series(conn: psycopg.Connection, first: date, end: date) -> dict[SeriesKey, dict[date, Decimal]]:
    """Effective cost per provider, account, service and currency, per day in [first, end), regions summed."""
    rows = conn.execute(
        """
        SELECT provider, account_id, service_name, currency, day, sum(effective_cost)
          FROM daily_costs WHERE day >= %s AND day < %s
         GROUP BY 1, 2, 3, 4, 5
        """,
        [first, end],
    ).fetchall()
    series: dict[SeriesKey, dict[date, Decimal]] = defaultdict(dict)
    for provider, account, service, currency, day, cost in rows:
        series[(str(provider), str(account), str(service), str(currency))][day] = Decimal(cost)
    return dict(series)


def outscale_account_regions(conn: psycopg.Connection, first: date, end: date) -> list[tuple[str, str]]:
    """The Outscale (account, region) pairs with consumption in [first, end)."""
    rows = conn.execute(
        "SELECT DISTINCT account_id, region FROM osc_consumption WHERE day >= %s AND day < %s ORDER BY 1, 2",
        [first, end],
    ).fetchall()
    return [(str(account), str(region)) for account, region in rows]


def resource_points(
    conn: psycopg.Connection, account: str, region: str, start: datetime, end: datetime
) -> tuple[list[SnapshotPoint], str | None]:
    """The snapshots from the last one at or before ``start`` up to ``end``, totals per type; and their currency."""
    snapshots = conn.execute(
        """
        SELECT taken_at FROM resource_snapshots
         WHERE account_id = %(account)s AND region = %(region)s AND taken_at < %(end)s
           AND taken_at >= coalesce((SELECT max(taken_at) FROM resource_snapshots
                                      WHERE account_id = %(account)s AND region = %(region)s
                                        AND taken_at <= %(start)s), %(start)s)
         ORDER BY taken_at
        """,
        {"account": account, "region": region, "start": start, "end": end},
    ).fetchall()
    if not snapshots:
        return [], None
    rows = conn.execute(
        """
        SELECT snapshot_at, resource_type, sum(price_per_hour), min(currency) FROM resource_costs
         WHERE account_id = %s AND region = %s AND snapshot_at >= %s AND snapshot_at < %s
         GROUP BY 1, 2
        """,
        [account, region, snapshots[0][0], end],
    ).fetchall()
    hourly: dict[datetime, dict[str, Decimal]] = {taken_at: {} for (taken_at,) in snapshots}
    currency = None
    for taken_at, resource_type, per_hour, row_currency in rows:
        if taken_at in hourly:
            hourly[taken_at][str(resource_type)] = Decimal(per_hour)
            currency = currency or str(row_currency)
    return [SnapshotPoint(taken_at, prices) for taken_at, prices in hourly.items()], currency


def billed_entries(conn: psycopg.Connection, account: str, region: str, first: date, end: date) -> list[BilledEntry]:
    rows = conn.execute(
        """
        SELECT service, type, operation, coalesce(currency, ''), coalesce(sum(price), 0),
               count(*) FILTER (WHERE price IS NULL)
          FROM osc_consumption
         WHERE account_id = %s AND region = %s AND day >= %s AND day < %s
         GROUP BY 1, 2, 3, 4
        """,
        [account, region, first, end],
    ).fetchall()
    return [
        BilledEntry(str(service), str(type_), str(operation), str(currency), Decimal(price), int(unpriced))
        for service, type_, operation, currency, price, unpriced in rows
    ]
