"""GET /api/trends: monthly cost per provider and service, month-over-month change and the month-end projection."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import psycopg
import pytest

from tests.api.conftest import ClientFactory
from tests.api.cost_seeds import OTHER, OWNER, TENANCY, add_daily_cost, register_accounts, signed_in
from tests.emulators.outscale import OutscaleEmulator

TODAY = date(2026, 3, 10)  # March has 31 days


@pytest.fixture
def rollup(migrated_dsn: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Outscale: Dec 50, Jan 100, Feb 150 FCU + 50 OOS, March so far (to the 8th) 30 FCU + 6 OOS.
    OCI: Feb 40 (30 effective), March 9 on the 2nd only."""
    monkeypatch.setattr("api.controllers.trends.today", lambda: TODAY)
    with psycopg.connect(migrated_dsn) as conn:
        register_accounts(conn)
        for day, service, billed in [
            (date(2025, 11, 30), "TinaOS-FCU", "999"),  # before the months asked for and the one before them
            (date(2025, 12, 15), "TinaOS-FCU", "50"),
            (date(2026, 1, 10), "TinaOS-FCU", "100"),
            (date(2026, 2, 5), "TinaOS-FCU", "150"),
            (date(2026, 2, 20), "TinaOS-OOS", "50"),
            (date(2026, 3, 1), "TinaOS-FCU", "20"),
            (date(2026, 3, 8), "TinaOS-FCU", "10"),
            (date(2026, 3, 2), "TinaOS-OOS", "6"),
        ]:
            add_daily_cost(conn, "outscale", OWNER, service, day, billed)
        add_daily_cost(conn, "oci", TENANCY, "Compute", date(2026, 2, 14), "40", effective="30")
        add_daily_cost(conn, "oci", TENANCY, "Compute", date(2026, 3, 2), "9")
        add_daily_cost(conn, "outscale", OTHER, "TinaOS-FCU", date(2026, 2, 5), "70")  # another user's
    return migrated_dsn


def months(points: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [
        (
            point["month"],
            Decimal(point["cost"]),
            Decimal(point["change"]),
            point["change_percent"],
            point["projection"],
        )
        for point in points
    ]


async def test_monthly_totals_with_month_over_month_change_and_projection(
    api_client_for: ClientFactory, rollup: str, outscale: OutscaleEmulator
) -> None:
    async with signed_in(api_client_for, rollup, outscale) as client:
        response = await client.get("/api/trends", params={"months": 3})
    assert response.status_code == 200, response.text
    body = response.json()
    trends = {(trend["provider"], trend["currency"]): trend for trend in body["data"]}
    assert set(trends) == {("oci", "EUR"), ("outscale", "EUR")}
    assert months(trends["outscale", "EUR"]["months"]) == [
        ("2026-01-01", Decimal(100), Decimal(50), "100.00", None),  # against December's 50
        ("2026-02-01", Decimal(200), Decimal(100), "100.00", None),
        # 36 over the 8 days with data, of 31: 36 / 8 x 31 = 139.50
        ("2026-03-01", Decimal(36), Decimal(-164), "-82.00", "139.50"),
    ]
    services = {service["service"]: service["months"] for service in trends["outscale", "EUR"]["services"]}
    assert months(services["TinaOS-OOS"]) == [
        ("2026-01-01", Decimal(0), Decimal(0), None, None),  # nothing before: no percent
        ("2026-02-01", Decimal(50), Decimal(50), None, None),
        ("2026-03-01", Decimal(6), Decimal(-44), "-88.00", "23.25"),  # 6 / 8 x 31
    ]
    assert months(services["TinaOS-FCU"])[2][4] == "116.25"  # 30 / 8 x 31; with OOS, the provider's 139.50
    # OCI's latest data is from the 2nd: 2 days are too few for a projection.
    assert months(trends["oci", "EUR"]["months"]) == [
        ("2026-01-01", Decimal(0), Decimal(0), None, None),
        ("2026-02-01", Decimal(40), Decimal(40), None, None),
        ("2026-03-01", Decimal(9), Decimal(-31), "-77.50", None),
    ]
    metadata = body["metadata"]
    assert (metadata["from_month"], metadata["to_month"], metadata["metric"]) == (
        "2026-01-01",
        "2026-03-01",
        "billed_cost",
    )
    assert metadata["latest_day"] == {"oci": "2026-03-02", "outscale": "2026-03-08"}


async def test_effective_cost_and_the_default_twelve_months(
    api_client_for: ClientFactory, rollup: str, outscale: OutscaleEmulator
) -> None:
    async with signed_in(api_client_for, rollup, outscale) as client:
        response = await client.get("/api/trends", params={"metric": "effective_cost"})
    body = response.json()
    oci = next(trend for trend in body["data"] if trend["provider"] == "oci")
    assert len(oci["months"]) == 12 and oci["months"][0]["month"] == "2025-04-01"
    assert (oci["months"][-2]["cost"], oci["months"][-1]["change_percent"]) == ("30", "-70.00")  # 9 against 30


@pytest.mark.parametrize("months_asked", ["0", "37", "twelve"])
async def test_months_out_of_1_to_36_is_a_422(
    api_client_for: ClientFactory, migrated_dsn: str, outscale: OutscaleEmulator, months_asked: str
) -> None:
    async with signed_in(api_client_for, migrated_dsn, outscale) as client:
        response = await client.get("/api/trends", params={"months": months_asked})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "months"
