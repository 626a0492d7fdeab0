"""GET /api/cost/current: the latest snapshot's resources by type or tag (with the untagged), as JSON or CSV."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from finops.db.connect import connect
from finops.db.resource_costs import record_snapshot
from tests.api.conftest import ClientFactory
from tests.api.cost_seeds import decimals, signed_in
from tests.db.snapshots import ACCOUNT, LATEST, priced, seed_snapshots
from tests.emulators.outscale import OutscaleEmulator


@pytest.fixture
def snapshots(migrated_dsn: str) -> str:
    """eu-west-2 (EUR): VMs i-1 0.09/h (team data), i-2 0.411/h (team web), volume vol-1 16.95/month untagged;
    us-east-2 (USD): VM i-us 0.5/h whose team tag is a formula. Older snapshots do not count."""
    seed_snapshots(migrated_dsn)
    with connect(migrated_dsn) as conn:
        record_snapshot(conn, ACCOUNT, "us-east-2", "USD", LATEST, [priced("Vm", "i-us", "0.5", {"team": "=1+2"})])
    return migrated_dsn


async def test_current_cost_by_type_per_hour_month_and_year_with_the_top_resources(
    api_client_for: ClientFactory, snapshots: str, outscale: OutscaleEmulator
) -> None:
    async with signed_in(api_client_for, snapshots, outscale) as client:
        response = await client.get("/api/cost/current")
    assert response.status_code == 200, response.text
    body = response.json()
    groups = body["data"]["groups"]
    assert {(g["key"], g["currency"]): g["resources"] for g in groups} == {
        ("Vm", "EUR"): 2,  # the older snapshot's i-old is gone
        ("Volume", "EUR"): 1,
        ("Vm", "USD"): 1,
    }
    assert decimals(groups, "per_hour", "key", "currency")[("Vm", "EUR")] == Decimal("0.501")
    assert decimals(groups, "per_month", "key", "currency") == {
        ("Vm", "EUR"): Decimal("365.73"),  # 0.501 x 730 h
        ("Volume", "EUR"): Decimal("16.95"),
        ("Vm", "USD"): Decimal("365"),
    }
    assert decimals(groups, "per_year", "key", "currency")[("Vm", "EUR")] == Decimal("4388.76")  # 12 months
    assert Decimal(body["metadata"]["totals"]["EUR"]["per_month"]) == Decimal("382.68")
    assert body["metadata"]["totals"]["EUR"]["resources"] == 3
    assert body["metadata"]["hours_per_month"] == 730
    top = body["data"]["top_resources"]
    assert [resource["resource_id"] for resource in top] == ["i-us", "i-2", "i-1", "vol-1"]
    assert top[1]["tags"] == {"team": "web"} and Decimal(top[1]["per_month"]) == Decimal("300.03")


async def test_by_tag_the_untagged_group_makes_the_parts_add_up_to_the_total(
    api_client_for: ClientFactory, snapshots: str, outscale: OutscaleEmulator
) -> None:
    async with signed_in(api_client_for, snapshots, outscale) as client:
        response = await client.get("/api/cost/current", params={"group_by": "tag:team"})
    assert response.status_code == 200, response.text
    groups = [group for group in response.json()["data"]["groups"] if group["currency"] == "EUR"]
    assert {(g["key"], g["label"]): (g["resources"], Decimal(g["per_month"])) for g in groups} == {
        ("web", "web"): (1, Decimal("300.03")),
        ("data", "data"): (1, Decimal("65.70")),
        (None, "(untagged)"): (1, Decimal("16.95")),
    }
    assert sum(Decimal(g["per_month"]) for g in groups) == Decimal(
        response.json()["metadata"]["totals"]["EUR"]["per_month"]
    )


async def test_the_csv_has_one_row_per_group_and_disarms_formulas(
    api_client_for: ClientFactory, snapshots: str, outscale: OutscaleEmulator
) -> None:
    async with signed_in(api_client_for, snapshots, outscale) as client:
        response = await client.get("/api/cost/current", params={"group_by": "tag:team", "format": "csv"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith("\ufeff".encode())
    assert b"\r\n" in response.content
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Tag team", "Currency", "Resources", "Per hour", "Per month", "Per year"]
    by_value = {row[0]: row for row in rows[1:]}
    assert set(by_value) == {"web", "data", "(untagged)", "'=1+2"}  # the formula is text, not a formula
    assert (by_value["(untagged)"][1], Decimal(by_value["(untagged)"][5])) == ("EUR", Decimal("203.40"))


async def test_a_bad_group_by_or_format_is_a_422(
    api_client_for: ClientFactory, snapshots: str, outscale: OutscaleEmulator
) -> None:
    async with signed_in(api_client_for, snapshots, outscale) as client:
        answers = [
            await client.get("/api/cost/current", params=params)
            for params in ({"group_by": "colour"}, {"group_by": "tag:"}, {"format": "xlsx"})
        ]
    assert [answer.status_code for answer in answers] == [422, 422, 422]
    assert [answer.json()["error"]["details"][0]["field"] for answer in answers] == ["group_by", "group_by", "format"]
