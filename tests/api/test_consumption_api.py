"""GET /api/consumption: priced Outscale consumption per day, ISO week and month, last day included."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import psycopg
import pytest

from tests.api.conftest import ClientFactory
from tests.api.cost_seeds import OTHER, OWNER, add_consumption, decimals, register_accounts, signed_in
from tests.emulators.outscale import OutscaleEmulator

MARCH = {"from_date": "2026-03-01", "to_date": "2026-03-31"}  # 2026-03-01 is a Sunday, 03-02 a Monday


@pytest.fixture
def consumption(migrated_dsn: str) -> str:
    with psycopg.connect(migrated_dsn) as conn:
        register_accounts(conn)
        add_consumption(conn, OWNER, date(2026, 2, 28), "TinaOS-FCU", "1.00")  # before the range
        add_consumption(conn, OWNER, date(2026, 3, 1), "TinaOS-FCU", "2.00", value="20")
        add_consumption(conn, OWNER, date(2026, 3, 2), "TinaOS-FCU", "3.00", value="30")
        add_consumption(conn, OWNER, date(2026, 3, 2), "TinaOS-FCU", "0.25", value="2", type_="CustomRam")
        add_consumption(conn, OWNER, date(2026, 3, 8), "TinaOS-FCU", "4.00", value="40")
        add_consumption(conn, OWNER, date(2026, 3, 8), "TinaOS-OOS", "0.50", value="5", type_="Storage")
        add_consumption(conn, OWNER, date(2026, 3, 9), "TinaOS-FCU", None, value="5")  # no price found
        add_consumption(conn, OWNER, date(2026, 3, 31), "TinaOS-FCU", "7.00", value="70")  # the last day
        add_consumption(conn, OWNER, date(2026, 4, 1), "TinaOS-FCU", "100.00")  # after the range
        add_consumption(conn, OTHER, date(2026, 3, 10), "TinaOS-FCU", "50.00")  # another user's
    return migrated_dsn


async def test_consumption_by_day_includes_the_last_day_and_counts_unpriced_lines(
    api_client_for: ClientFactory, consumption: str, outscale: OutscaleEmulator
) -> None:
    async with signed_in(api_client_for, consumption, outscale) as client:
        response = await client.get("/api/consumption", params={**MARCH, "granularity": "day"})
    assert response.status_code == 200, response.text
    rows = response.json()["data"]
    assert decimals(rows, "price", "period", "service") == {
        ("2026-03-01", "TinaOS-FCU"): Decimal("2.00"),
        ("2026-03-02", "TinaOS-FCU"): Decimal("3.25"),  # two entries of the same day and service
        ("2026-03-08", "TinaOS-FCU"): Decimal("4.00"),
        ("2026-03-08", "TinaOS-OOS"): Decimal("0.50"),
        ("2026-03-09", "TinaOS-FCU"): Decimal(0),
        ("2026-03-31", "TinaOS-FCU"): Decimal("7.00"),
    }
    assert {row["currency"] for row in rows} == {"EUR"}
    assert [row["unpriced_lines"] for row in rows if row["period"] == "2026-03-09"] == [1]
    metadata = response.json()["metadata"]
    assert (metadata["from_date"], metadata["to_date"], metadata["granularity"]) == ("2026-03-01", "2026-03-31", "day")
    assert Decimal(metadata["totals"]["EUR"]) == Decimal("16.75")  # 2 + 3.25 + 4 + 0.50 + 7
    assert (metadata["lines"], metadata["unpriced_lines"]) == (7, 1)


async def test_weeks_start_on_monday_and_months_on_the_first(
    api_client_for: ClientFactory, consumption: str, outscale: OutscaleEmulator
) -> None:
    async with signed_in(api_client_for, consumption, outscale) as client:
        weeks = (await client.get("/api/consumption", params={**MARCH, "granularity": "week"})).json()["data"]
        months = (await client.get("/api/consumption", params={**MARCH, "granularity": "month"})).json()["data"]
    assert decimals(weeks, "price", "period", "service") == {
        ("2026-02-23", "TinaOS-FCU"): Decimal("2.00"),  # Sunday 1 March belongs to the week of Monday 23 Feb
        ("2026-03-02", "TinaOS-FCU"): Decimal("7.25"),  # Monday 2 to Sunday 8
        ("2026-03-02", "TinaOS-OOS"): Decimal("0.50"),
        ("2026-03-09", "TinaOS-FCU"): Decimal(0),
        ("2026-03-30", "TinaOS-FCU"): Decimal("7.00"),
    }
    assert decimals(months, "price", "period", "service") == {
        ("2026-03-01", "TinaOS-FCU"): Decimal("16.25"),
        ("2026-03-01", "TinaOS-OOS"): Decimal("0.50"),
    }
    assert decimals(months, "value", "period", "service")[("2026-03-01", "TinaOS-FCU")] == Decimal(167)
    assert [row["lines"] for row in months if row["service"] == "TinaOS-FCU"] == [6]


async def test_by_default_the_last_30_days_up_to_yesterday(
    api_client_for: ClientFactory, migrated_dsn: str, outscale: OutscaleEmulator
) -> None:
    today = datetime.now(UTC).date()
    with psycopg.connect(migrated_dsn) as conn:
        add_consumption(conn, OWNER, today - timedelta(days=1), "TinaOS-FCU", "1.50")  # the last day
        add_consumption(conn, OWNER, today - timedelta(days=30), "TinaOS-FCU", "2.00")  # the first day
        add_consumption(conn, OWNER, today - timedelta(days=31), "TinaOS-FCU", "9.00")  # a day too far back
        add_consumption(conn, OWNER, today, "TinaOS-FCU", "5.00")  # today is not over
    async with signed_in(api_client_for, migrated_dsn, outscale) as client:
        response = await client.get("/api/consumption")
    body = response.json()
    assert (body["metadata"]["from_date"], body["metadata"]["to_date"]) == (
        (today - timedelta(days=30)).isoformat(),
        (today - timedelta(days=1)).isoformat(),
    )
    assert Decimal(body["metadata"]["totals"]["EUR"]) == Decimal("3.50")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from_date": "2026-03-02", "to_date": "2026-03-01"}, "from_date"),
        ({"from_date": "2024-01-01", "to_date": "2026-01-01"}, "from_date"),  # 732 days
        ({"from_date": "2026-03-01", "to_date": "2026-02-30"}, "to_date"),
        ({"to_date": "0001-01-01"}, "to_date"),
        ({"granularity": "hour"}, "granularity"),
        ({"account_id": "x' OR '1'='1"}, "account_id"),
    ],
    ids=["from-after-to", "over-731-days", "not-a-date", "year-one", "granularity", "account-id"],
)
async def test_bad_parameters_are_a_422_naming_the_field(
    api_client_for: ClientFactory, migrated_dsn: str, outscale: OutscaleEmulator, params: dict[str, str], field: str
) -> None:
    async with signed_in(api_client_for, migrated_dsn, outscale) as client:
        response = await client.get("/api/consumption", params=params)
    assert response.status_code == 422, response.text
    assert [detail["field"] for detail in response.json()["error"]["details"]] == [field]


async def test_two_full_years_with_a_leap_day_are_allowed(
    api_client_for: ClientFactory, consumption: str, outscale: OutscaleEmulator
) -> None:
    async with signed_in(api_client_for, consumption, outscale) as client:
        response = await client.get("/api/consumption", params={"from_date": "2024-04-01", "to_date": "2026-03-31"})
    assert response.status_code == 200, response.text  # 731 days: 2024-04-01 to 2026-03-31 included
    assert Decimal(response.json()["metadata"]["totals"]["EUR"]) == Decimal("17.75")  # 28 Feb's 1.00 too
