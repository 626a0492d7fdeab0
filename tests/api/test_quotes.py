"""Quotes through the API: the active-quote lifecycle, exact pricing from the real catalog, CSV, and validation."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from litestar.testing import AsyncTestClient

from finops.db.catalog_prices import record_catalog
from finops.domain.outscale_catalog import parse_catalog
from tests.api.conftest import ClientFactory, sign_in
from tests.emulators.outscale import OutscaleEmulator

Client = AsyncTestClient  # type: ignore[type-arg]


@pytest.fixture
def with_catalog(migrated_dsn: str, outscale: OutscaleEmulator) -> str:
    """The real eu-west-2 catalog recorded as refresh-catalog would, so prices come from the database."""
    with psycopg.connect(migrated_dsn) as conn:
        record_catalog(conn, "eu-west-2", "EUR", parse_catalog(outscale.catalog("eu-west-2")), datetime.now(UTC))
    return migrated_dsn


@asynccontextmanager
async def signed_in(
    api_client_for: ClientFactory, dsn: str, outscale: OutscaleEmulator, access_key: str, secret_key: str
) -> AsyncIterator[Client]:
    async with api_client_for(dsn, None, outscale_endpoint=outscale.endpoint) as client:
        client.headers["X-CSRF-Token"] = await sign_in(client, access_key, secret_key)
        yield client


async def created(client: Client, **body: Any) -> dict[str, Any]:
    response = await client.post("/api/quotes", json=body)
    assert response.status_code == 201, response.text
    quote: dict[str, Any] = response.json()["data"]
    return quote


async def statuses(client: Client) -> dict[int, str]:
    listed = (await client.get("/api/quotes")).json()["data"]
    return {quote["id"]: quote["status"] for quote in listed}


async def test_the_active_quote_lifecycle(
    api_client_for: ClientFactory, with_catalog: str, outscale: OutscaleEmulator
) -> None:
    async with signed_in(api_client_for, with_catalog, outscale, outscale.access_key, outscale.secret_key) as client:
        first = await created(client, name="Datacenter exit")
        assert first["status"] == "active"
        second = await created(client, name="Disaster recovery")
        assert await statuses(client) == {second["id"]: "active", first["id"]: "saved"}

        loaded = await client.get(f"/api/quotes/{first['id']}")  # loading a saved quote makes it active
        assert loaded.json()["data"]["status"] == "active"
        assert await statuses(client) == {first["id"]: "active", second["id"]: "saved"}

        third = await created(client, name="Spare")
        await client.get(f"/api/quotes/{first['id']}")
        # Deleting the active quote activates the saved one changed most recently: "Spare" was saved last.
        deleted = (await client.delete(f"/api/quotes/{first['id']}")).json()["data"]
        assert deleted["deleted_id"] == first["id"]
        assert (deleted["replacement_quote"]["id"], deleted["replacement_quote"]["status"]) == (third["id"], "active")

        saved_deleted = (await client.delete(f"/api/quotes/{second['id']}")).json()["data"]
        assert saved_deleted["replacement_quote"] is None  # a saved quote leaves the active one alone
        last = (await client.delete(f"/api/quotes/{third['id']}")).json()["data"]
        fresh = last["replacement_quote"]
        assert (fresh["name"], fresh["status"], fresh["items"]) == ("New quote", "active", [])
        assert await statuses(client) == {fresh["id"]: "active"}

        renamed = await client.put(f"/api/quotes/{fresh['id']}", json={"name": "Renamed", "status": "saved"})
        assert (renamed.json()["data"]["name"], renamed.json()["data"]["status"]) == ("Renamed", "saved")
        other = await created(client, name="Other")
        reactivated = await client.put(f"/api/quotes/{fresh['id']}", json={"status": "active"})
        assert reactivated.json()["data"]["status"] == "active"
        assert await statuses(client) == {fresh["id"]: "active", other["id"]: "saved"}

        # Loading activates, so it is a change: a link followed from another site (no CSRF token) does nothing.
        forged = await client.get(f"/api/quotes/{other['id']}", headers={"X-CSRF-Token": ""})
        assert forged.status_code == 403
        assert await statuses(client) == {fresh["id"]: "active", other["id"]: "saved"}


async def test_concurrent_creates_leave_exactly_one_active_quote(
    api_client_for: ClientFactory, with_catalog: str, outscale: OutscaleEmulator
) -> None:
    async with signed_in(api_client_for, with_catalog, outscale, outscale.access_key, outscale.secret_key) as client:
        answers = await asyncio.gather(*(client.post("/api/quotes", json={"name": f"q{n}"}) for n in range(12)))
    assert [answer.status_code for answer in answers] == [201] * 12
    with psycopg.connect(with_catalog) as conn:
        counts = conn.execute("SELECT status, count(*) FROM quotes GROUP BY 1 ORDER BY 1").fetchall()
    assert counts == [("active", 1), ("saved", 11)]


async def build_priced_quote(client: Client) -> dict[str, Any]:
    quote = await created(client, name="Migration", duration=3, duration_unit="months", commitment_period="1year")
    quote_id = quote["id"]
    compute = (await client.post(f"/api/quotes/{quote_id}/groups", json={"name": "Compute"})).json()["data"]
    compute_id = compute["groups"][0]["id"]
    storage = (await client.post(f"/api/quotes/{quote_id}/groups", json={"name": "Storage"})).json()["data"]
    storage_id = storage["groups"][1]["id"]
    items: list[dict[str, Any]] = [
        {"kind": "vm", "generation": 6, "performance": "high", "vcores": 4, "ram_gib": 16, "licences": ["0002"],
         "quantity": 2, "group_id": compute_id, "name": "=cmd|' /C calc'!A0"},
        {"kind": "catalog", "service": "TinaOS-LBU", "type": "LBU:Usage", "operation": "CreateLoadBalancer",
         "group_id": compute_id},
        {"kind": "volume", "volume_type": "gp2", "size_gib": 100, "group_id": storage_id},
        {"kind": "volume", "volume_type": "io1", "size_gib": 50, "iops": 1000, "quantity": 2, "group_id": storage_id},
        {"kind": "catalog", "service": "TinaOS-OOS", "type": "enterprise", "operation": "OOSStorage",
         "quantity": "500"},
    ]  # fmt: skip
    for item in items:
        response = await client.post(f"/api/quotes/{quote_id}/items", json=item)
        assert response.status_code == 201, response.text
    updated = await client.put(f"/api/quotes/{quote_id}", json={"global_discount_percent": 10})
    assert updated.status_code == 200
    return updated.json()["data"]  # type: ignore[no-any-return]


async def test_a_quote_is_priced_from_the_catalog_exactly_as_computed_by_hand(
    api_client_for: ClientFactory, with_catalog: str, outscale: OutscaleEmulator
) -> None:
    async with signed_in(api_client_for, with_catalog, outscale, outscale.access_key, outscale.secret_key) as client:
        quote = await build_priced_quote(client)
        calculation = (await client.get(f"/api/quotes/{quote['id']}/calculate")).json()["data"]
        longer = await client.put(f"/api/quotes/{quote['id']}", json={"commitment_period": "3years"})
        assert longer.status_code == 200
        three_years = (await client.get(f"/api/quotes/{quote['id']}/calculate")).json()["data"]
        listed = (await client.get("/api/quotes")).json()["data"]

    # 3 months = 2,190 h. VM: 4 x 0.035 + 16 x 0.005 = 0.22 compute + 2 x 0.121 Windows = 0.462 /h, x 2 VMs.
    vm = calculation["lines"][0]
    assert (vm["unit_price"], vm["billed_units"]) == ("0.462", "2190")
    assert Decimal(vm["list_price"]) == Decimal("2023.56")  # 2 x 0.462 x 2190, exact
    assert Decimal(vm["commitment_discount"]) == Decimal("385.44")  # 40 % of the compute part only
    assert [group["subtotal"] for group in calculation["groups"]] == [
        "1703.82",  # VMs 1638.12 + load balancer 0.03 x 2190 = 65.70
        "132.00",  # gp2 100 x 0.11 x 3 = 33 + io1 2 x (50 x 0.13 + 1000 x 0.01) x 3 = 99
        "37.50",  # OOS 500 GiB x 0.025 x 3, in no group
    ]
    assert calculation["groups"][2]["group_id"] is None
    assert (calculation["subtotal"], calculation["global_discount"], calculation["total"]) == (
        "1873.32",
        "187.33",  # 10 % of 1873.32 = 187.332
        "1685.99",
    )
    assert calculation["run_rate"] == {"hourly": "0.7699", "monthly": "562.00", "yearly": "6743.95"}
    assert calculation["currency"] == "EUR"
    # Three years: 50 % off the compute part: VMs 2023.56 - 481.80 = 1541.76
    assert (three_years["subtotal"], three_years["global_discount"], three_years["total"]) == (
        "1776.96",
        "177.70",
        "1599.26",
    )
    assert {q["id"]: (q["item_count"], q["total"]) for q in listed} == {quote["id"]: (5, "1599.26")}


async def test_the_csv_export_has_the_calculations_lines_and_totals_and_disarms_formulas(
    api_client_for: ClientFactory, with_catalog: str, outscale: OutscaleEmulator
) -> None:
    async with signed_in(api_client_for, with_catalog, outscale, outscale.access_key, outscale.secret_key) as client:
        quote = await build_priced_quote(client)
        calculation = (await client.get(f"/api/quotes/{quote['id']}/calculate")).json()["data"]
        export = await client.get(f"/api/quotes/{quote['id']}/export/csv")
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    assert "attachment" in export.headers["content-disposition"]
    assert export.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    cells = {cell for row in rows for cell in row}
    assert "'=cmd|' /C calc'!A0" in cells and "=cmd|' /C calc'!A0" not in cells
    for line in calculation["lines"]:
        assert line["net"] in cells
    for total in ("subtotal", "global_discount", "total"):
        assert calculation[total] in cells


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("items", {"kind": "catalog", "service": "TinaOS-FCU", "type": "NoSuchThing", "operation": "X"}, "key"),
        ("items", {"kind": "volume", "volume_type": "gp2", "size_gib": 10, "quantity": -1}, "quantity"),
        ("items", {"kind": "volume", "volume_type": "io1", "size_gib": 10}, "iops"),
        ("items", {"kind": "vm", "generation": 6, "performance": "turbo", "vcores": 2, "ram_gib": 4}, "performance"),
        ("items", {"kind": "vm", "generation": 9, "performance": "high", "vcores": 2, "ram_gib": 4}, "generation"),
        ("items", {"kind": "catalog", "service": "TinaOS-LBU", "type": "LBU:Usage",
                   "operation": "CreateLoadBalancer", "unit_price": 0}, "unit_price"),
        ("items", {"kind": "volume", "volume_type": "gp2", "size_gib": 10, "group_id": 999999}, "group_id"),
        ("", {"duration_unit": "fortnights"}, "duration_unit"),
        ("", {"commitment_period": "2years"}, "commitment_period"),
        ("", {"global_discount_percent": 101}, "global_discount_percent"),
        ("", {"duration": 0}, "duration"),
        ("", {"name": "nul\x00byte"}, "name"),
        ("items", {"kind": "volume", "volume_type": "gp2", "size_gib": "1E+100000"}, "size_gib"),
    ],
    ids=["unknown-key", "negative-quantity", "io1-without-iops", "unknown-performance", "no-core-price",
         "client-price", "foreign-group", "duration-unit", "commitment", "discount-over-100", "zero-duration",
         "nul-in-name", "absurd-size"],
)  # fmt: skip
async def test_bad_input_is_a_422_naming_the_field(
    api_client_for: ClientFactory,
    with_catalog: str,
    outscale: OutscaleEmulator,
    path: str,
    body: dict[str, Any],
    field: str,
) -> None:
    async with signed_in(api_client_for, with_catalog, outscale, outscale.access_key, outscale.secret_key) as client:
        quote = await created(client)
        if path:
            response = await client.post(f"/api/quotes/{quote['id']}/{path}", json=body)
        else:
            response = await client.put(f"/api/quotes/{quote['id']}", json=body)
        after = (await client.get(f"/api/quotes/{quote['id']}")).json()["data"]
    assert response.status_code == 422, response.text
    assert field in [detail["field"] for detail in response.json()["error"]["details"]], response.text
    assert after["items"] == [] and after["duration_unit"] == "months"  # nothing was half-applied


async def test_another_users_ids_are_404_for_every_verb_and_changes_need_the_csrf_token(
    api_client_for: ClientFactory, with_catalog: str, outscale: OutscaleEmulator
) -> None:
    outscale.add_account("AKIAOTHERUSER0000001", "other-secret-000000000000000000000001", "999999999999")
    async with signed_in(api_client_for, with_catalog, outscale, outscale.access_key, outscale.secret_key) as owner:
        quote = await build_priced_quote(owner)
        quote_id, item_id, group_id = quote["id"], quote["items"][0]["id"], quote["groups"][0]["id"]
        without_token = await owner.post("/api/quotes", json={}, headers={"X-CSRF-Token": ""})
    assert without_token.status_code == 403

    async with signed_in(
        api_client_for, with_catalog, outscale, "AKIAOTHERUSER0000001", "other-secret-000000000000000000000001"
    ) as intruder:
        base = f"/api/quotes/{quote_id}"
        volume = {"kind": "volume", "volume_type": "gp2", "size_gib": 1}
        attempts = [
            ("GET", base, None),
            ("PUT", base, {"name": "mine now"}),
            ("GET", f"{base}/calculate", None),
            ("GET", f"{base}/export/csv", None),
            ("POST", f"{base}/items", volume),
            ("PUT", f"{base}/items/{item_id}", volume),
            ("DELETE", f"{base}/items/{item_id}", None),
            ("POST", f"{base}/groups", {"name": "x"}),
            ("PUT", f"{base}/groups/{group_id}", {"name": "x"}),
            ("DELETE", f"{base}/groups/{group_id}", None),
            ("DELETE", base, None),
        ]
        answers = [(await intruder.request(method, url, json=body)).status_code for method, url, body in attempts]
        their_list = (await intruder.get("/api/quotes")).json()["data"]
    assert answers == [404] * len(attempts)
    assert their_list == []
    with psycopg.connect(with_catalog) as conn:
        row = conn.execute("SELECT name, (SELECT count(*) FROM quote_items) FROM quotes").fetchone()
    assert row == ("Migration", 5)


async def test_a_new_catalog_or_a_changed_item_reprices_a_quote_calculated_before(
    api_client_for: ClientFactory, with_catalog: str, outscale: OutscaleEmulator
) -> None:
    load_balancer = {"kind": "catalog", "service": "TinaOS-LBU", "type": "LBU:Usage", "operation": "CreateLoadBalancer"}
    async with signed_in(api_client_for, with_catalog, outscale, outscale.access_key, outscale.secret_key) as client:
        quote = await created(client, name="Repriced", duration=1, duration_unit="months")
        added = await client.post(f"/api/quotes/{quote['id']}/items", json=load_balancer)
        item_id = added.json()["data"]["items"][0]["id"]
        before = (await client.get(f"/api/quotes/{quote['id']}/calculate")).json()["data"]["total"]

        catalog = outscale.catalog("eu-west-2")
        dearer = [
            {**entry, "UnitPrice": 0.04} if entry["Type"] == "LBU:Usage" else entry
            for entry in catalog["Catalog"]["Entries"]
        ]
        with psycopg.connect(with_catalog) as conn:
            record_catalog(conn, "eu-west-2", "EUR", parse_catalog({"Catalog": {"Entries": dearer}}), datetime.now(UTC))
        after_new_price = (await client.get(f"/api/quotes/{quote['id']}/calculate")).json()["data"]["total"]

        await client.put(f"/api/quotes/{quote['id']}/items/{item_id}", json={**load_balancer, "quantity": 2})
        after_new_quantity = (await client.get(f"/api/quotes/{quote['id']}/calculate")).json()["data"]["total"]
    assert (before, after_new_price, after_new_quantity) == ("21.90", "29.20", "58.40")  # 730 h x 0.03, 0.04, x 2


async def test_moving_a_quote_to_a_region_that_cannot_price_its_items_is_refused(
    api_client_for: ClientFactory, with_catalog: str, outscale: OutscaleEmulator
) -> None:
    entries = outscale.catalog("eu-west-2")["Catalog"]["Entries"]
    without_load_balancers = [entry for entry in entries if entry["Type"] != "LBU:Usage"]
    with psycopg.connect(with_catalog) as conn:
        record_catalog(conn, "us-east-2", "USD", parse_catalog({"Catalog": {"Entries": without_load_balancers}}),
                       datetime.now(UTC))  # fmt: skip
    async with signed_in(api_client_for, with_catalog, outscale, outscale.access_key, outscale.secret_key) as client:
        quote = await created(client, name="Moving")
        await client.post(
            f"/api/quotes/{quote['id']}/items",
            json={"kind": "catalog", "service": "TinaOS-LBU", "type": "LBU:Usage", "operation": "CreateLoadBalancer"},
        )
        moved = await client.put(f"/api/quotes/{quote['id']}", json={"region": "us-east-2"})
        after = (await client.get(f"/api/quotes/{quote['id']}")).json()["data"]
    assert moved.status_code == 422
    assert moved.json()["error"]["details"][0]["field"] == "region"
    assert after["region"] == "eu-west-2"
