"""GET /api/costs: showback per service, account, region (the rollup) and tag (the ledger), adding up the same."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import psycopg
import pytest

from tests.api.conftest import ClientFactory
from tests.api.cost_seeds import (
    OTHER,
    OWNER,
    TENANCY,
    add_cost_line,
    decimals,
    register_accounts,
    roll_up_daily_costs,
    signed_in,
)
from tests.emulators.outscale import OutscaleEmulator

MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


def line(provider: str, account: str, at: str, service: str, region: str, billed: str, **more: Any) -> dict[str, Any]:
    return {
        "provider": provider,
        "sub_account_id": account,
        "charge_period_start": datetime.fromisoformat(at).replace(tzinfo=UTC),
        "service_name": service,
        "region_id": region,
        "billed_cost": Decimal(billed),
        "effective_cost": Decimal(more.pop("effective", billed)),
        "billing_currency": more.pop("currency", "EUR"),
        **more,
    }


@pytest.fixture
def ledger(migrated_dsn: str) -> str:
    """March 2026 of the first user, in EUR: OCI 10 (8 effective) + 5 + 2.50 + a corrected 4 -> 3, Outscale 7.25;
    and 3 USD. Lines just outside March, and the second user's, must not count."""
    lines = [
        line("oci", TENANCY, "2026-03-01T00:00", "Compute", "eu-paris-1", "10.00", effective="8.00",
             tags={"team": "data"}),
        line("oci", TENANCY, "2026-03-15T12:00", "Object Storage", "eu-paris-1", "5.00", tags={"team": "web"}),
        line("oci", TENANCY, "2026-03-31T23:00", "Compute", "eu-paris-1", "2.50"),  # the last day, untagged
        line("oci", TENANCY, "2026-03-20T00:00", "Object Storage", "eu-paris-1", "4.00", tags={"team": "web"},
             reference_no="r-1"),
        line("oci", TENANCY, "2026-03-20T00:00", "Object Storage", "eu-paris-1", "3.00", tags={"team": "web"},
             is_correction=True, back_reference_no="r-1"),  # replaces r-1
        line("outscale", OWNER, "2026-03-10T00:00", "TinaOS-FCU", "eu-west-2", "7.25", tags={"env": "prod"}),
        line("outscale", OWNER, "2026-03-20T00:00", "TinaOS-OOS", "us-east-2", "3.00", currency="USD",
             tags={"team": "data"}),
        line("oci", TENANCY, "2026-02-28T23:59", "Compute", "eu-paris-1", "100.00", tags={"team": "data"}),
        line("oci", TENANCY, "2026-04-01T00:00", "Compute", "eu-paris-1", "200.00", tags={"team": "data"}),
        line("outscale", OTHER, "2026-03-10T00:00", "TinaOS-FCU", "eu-west-2", "50.00", tags={"team": "data"}),
    ]  # fmt: skip
    with psycopg.connect(migrated_dsn) as conn:
        register_accounts(conn)
        for cost_line in lines:
            add_cost_line(conn, cost_line)
        roll_up_daily_costs(conn)
    return migrated_dsn


async def costs(client: Any, **params: str) -> dict[str, Any]:
    response = await client.get("/api/costs", params={**MARCH, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_costs_per_service_account_and_region_from_the_rollup(
    api_client_for: ClientFactory, ledger: str, outscale: OutscaleEmulator
) -> None:
    async with signed_in(api_client_for, ledger, outscale) as client:
        by_service = await costs(client, group_by="service")
        by_account = await costs(client, group_by="account")
        by_region = await costs(client, group_by="region", provider="oci")
    assert decimals(by_service["data"], "billed_cost", "key", "currency") == {
        ("Compute", "EUR"): Decimal("12.50"),  # 10 + 2.50 on the last day
        ("Object Storage", "EUR"): Decimal("8.00"),  # 5 + the correction's 3 (not the 4 it replaced)
        ("TinaOS-FCU", "EUR"): Decimal("7.25"),
        ("TinaOS-OOS", "USD"): Decimal("3.00"),
    }
    assert decimals(by_service["data"], "effective_cost", "key", "currency")[("Compute", "EUR")] == Decimal("10.50")
    assert by_service["metadata"]["totals"] == {
        "EUR": {"billed_cost": "27.75", "effective_cost": "25.75"},
        "USD": {"billed_cost": "3.00", "effective_cost": "3.00"},
    }
    assert decimals(by_account["data"], "billed_cost", "key", "currency") == {
        (TENANCY, "EUR"): Decimal("20.50"),
        (OWNER, "EUR"): Decimal("7.25"),
        (OWNER, "USD"): Decimal("3.00"),
    }
    assert decimals(by_region["data"], "billed_cost", "key", "currency") == {("eu-paris-1", "EUR"): Decimal("20.50")}


async def test_costs_by_tag_have_an_untagged_bucket_and_add_up_to_the_same_total_as_by_service(
    api_client_for: ClientFactory, ledger: str, outscale: OutscaleEmulator
) -> None:
    async with signed_in(api_client_for, ledger, outscale) as client:
        by_tag = await costs(client, group_by="tag:team")
        by_service = await costs(client, group_by="service")
        oci_by_tag = await costs(client, group_by="tag:team", provider="oci")
        oci_by_service = await costs(client, group_by="service", provider="oci")
    assert {(g["key"], g["label"], g["currency"]): Decimal(g["billed_cost"]) for g in by_tag["data"]} == {
        ("data", "data", "EUR"): Decimal("10.00"),
        ("web", "web", "EUR"): Decimal("8.00"),
        (None, "(untagged)", "EUR"): Decimal("9.75"),  # 2.50 untagged + 7.25 tagged env only
        ("data", "data", "USD"): Decimal("3.00"),
    }
    assert by_tag["metadata"]["source"] == "cost_lines"
    for tagged, serviced in ((by_tag, by_service), (oci_by_tag, oci_by_service)):
        for currency in ("EUR", "USD"):
            for kind in ("billed_cost", "effective_cost"):
                parts = sum(Decimal(g[kind]) for g in tagged["data"] if g["currency"] == currency)
                whole = sum(Decimal(g[kind]) for g in serviced["data"] if g["currency"] == currency)
                assert parts == whole, (currency, kind)
    assert Decimal(oci_by_tag["metadata"]["totals"]["EUR"]["billed_cost"]) == Decimal("20.50")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-03-31", "to": "2026-03-01"}, "from"),
        ({"from": "2024-01-01", "to": "2026-01-01"}, "from"),
        ({"from": "2026-13-01"}, "from"),
        ({"to": "31/03/2026"}, "to"),
        ({"group_by": "team"}, "group_by"),
        ({"provider": "aws"}, "provider"),
    ],
    ids=["from-after-to", "over-731-days", "bad-month", "not-iso", "group-by", "provider"],
)
async def test_bad_parameters_are_a_422_naming_the_field(
    api_client_for: ClientFactory, migrated_dsn: str, outscale: OutscaleEmulator, params: dict[str, str], field: str
) -> None:
    async with signed_in(api_client_for, migrated_dsn, outscale) as client:
        response = await client.get("/api/costs", params=params)
    assert response.status_code == 422, response.text
    assert [detail["field"] for detail in response.json()["error"]["details"]] == [field]
