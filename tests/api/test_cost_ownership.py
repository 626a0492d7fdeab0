"""Every cost read is the signed-in user's own: another user's data never shows, their accounts are 404,
no session is 401, and a database that fails is a 503, never a report of zeros."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from psycopg import sql

from finops.db.users import add_local_user
from finops.passwords import hash_password
from tests.api.conftest import ClientFactory
from tests.api.cost_seeds import (
    OTHER,
    OWNER,
    TENANCY,
    Client,
    add_consumption,
    add_cost_line,
    add_other_user,
    roll_up_daily_costs,
    signed_in,
)
from tests.db.snapshots import seed_snapshots
from tests.emulators.outscale import OutscaleEmulator

ENDPOINTS = {
    "/api/consumption": {"from_date": "2026-03-01", "to_date": "2026-03-31"},
    "/api/cost/current": {},
    "/api/costs": {"from": "2026-03-01", "to": "2026-03-31", "group_by": "account"},
    "/api/trends": {"months": "36"},
}


@pytest.fixture
def two_users_data(migrated_dsn: str) -> str:
    """The first user: resources (eu-west-2), consumption, ledger lines for its account and an OCI tenancy.
    The second user (999999999999): 50.00 of consumption and of ledger on 10 March 2026."""
    seed_snapshots(migrated_dsn)  # registers the first user's Outscale account
    with psycopg.connect(migrated_dsn) as conn:
        conn.execute(
            "INSERT INTO cloud_accounts (provider, account_id, name, regions, owner) VALUES ('oci', %s, 'oci', %s, %s)",
            [TENANCY, ["eu-paris-1"], OWNER],
        )
        add_consumption(conn, OWNER, date(2026, 3, 10), "TinaOS-FCU", "7.25")
        add_consumption(conn, OTHER, date(2026, 3, 10), "TinaOS-FCU", "50.00")
        for provider, account, billed in (
            ("outscale", OWNER, "7.25"),
            ("oci", TENANCY, "12"),
            ("outscale", OTHER, "50"),
        ):
            add_cost_line(
                conn,
                {
                    "provider": provider,
                    "sub_account_id": account,
                    "charge_period_start": datetime(2026, 3, 10, tzinfo=UTC),
                    "billed_cost": Decimal(billed),
                    "effective_cost": Decimal(billed),
                    "billing_currency": "EUR",
                },
            )
        roll_up_daily_costs(conn)
    return migrated_dsn


async def read_all(client: Client, **extra: str) -> dict[str, tuple[int, Any]]:
    answers = {}
    for path, params in ENDPOINTS.items():
        response = await client.get(path, params={**params, **extra})
        answers[path] = (response.status_code, response.json())
    return answers


async def test_another_user_sees_only_their_own_costs_and_the_first_users_accounts_are_404(
    api_client_for: ClientFactory, two_users_data: str, outscale: OutscaleEmulator
) -> None:
    async with signed_in(api_client_for, two_users_data, outscale) as owner:
        mine = await read_all(owner)
    async with signed_in(api_client_for, two_users_data, outscale, add_other_user(outscale)) as other:
        theirs = await read_all(other)
        foreign = [await read_all(other, account_id=account) for account in (OWNER, TENANCY)]

    assert {path: status for path, (status, _) in mine.items()} == dict.fromkeys(ENDPOINTS, 200)
    assert mine["/api/consumption"][1]["metadata"]["totals"] == {"EUR": "7.25"}  # not the other user's 50
    assert len(mine["/api/cost/current"][1]["data"]["groups"]) == 2
    assert {group["key"]: group["billed_cost"] for group in mine["/api/costs"][1]["data"]} == {
        TENANCY: "12",
        OWNER: "7.25",
    }
    assert {trend["provider"] for trend in mine["/api/trends"][1]["data"]} == {"oci", "outscale"}

    assert {path: status for path, (status, _) in theirs.items()} == dict.fromkeys(ENDPOINTS, 200)
    assert theirs["/api/consumption"][1]["metadata"]["totals"] == {"EUR": "50.00"}
    assert theirs["/api/cost/current"][1]["data"] == {"groups": [], "top_resources": []}
    assert [group["key"] for group in theirs["/api/costs"][1]["data"]] == [OTHER]
    assert [trend["provider"] for trend in theirs["/api/trends"][1]["data"]] == ["outscale"]
    assert theirs["/api/trends"][1]["metadata"]["account_ids"] == [OTHER]
    for answers in foreign:
        assert {path: (status, body["error"]["code"]) for path, (status, body) in answers.items()} == dict.fromkeys(
            ENDPOINTS, (404, "not_found")
        )


async def test_an_unknown_account_is_the_same_404_and_a_registered_account_can_be_chosen(
    api_client_for: ClientFactory, two_users_data: str, outscale: OutscaleEmulator
) -> None:
    async with signed_in(api_client_for, two_users_data, outscale) as owner:
        unknown = await read_all(owner, account_id="123456789012")
        other = await read_all(owner, account_id=OTHER)
        tenancy_only = await owner.get("/api/costs", params={**ENDPOINTS["/api/costs"], "account_id": TENANCY})
    assert {status for status, _ in unknown.values()} == {404}
    assert {status for status, _ in other.values()} == {404}
    assert [group["key"] for group in tenancy_only.json()["data"]] == [TENANCY]


async def test_a_local_user_reads_the_accounts_they_registered_only(
    api_client_for: ClientFactory, two_users_data: str
) -> None:
    with psycopg.connect(two_users_data) as conn:
        add_local_user(conn, "alice", hash_password("alice-password-1"))
        conn.execute("UPDATE cloud_accounts SET owner = 'alice' WHERE account_id = %s", [TENANCY])
    async with api_client_for(two_users_data, None) as client:
        login = await client.post("/api/auth/login/local", json={"username": "alice", "password": "alice-password-1"})
        assert login.status_code == 200, login.text
        costs = await client.get("/api/costs", params=ENDPOINTS["/api/costs"])
        not_hers = await client.get("/api/costs", params={**ENDPOINTS["/api/costs"], "account_id": OWNER})
    assert [(group["key"], group["billed_cost"]) for group in costs.json()["data"]] == [(TENANCY, "12")]
    assert not_hers.status_code == 404


async def test_without_a_session_every_cost_read_is_401(api_client_for: ClientFactory, two_users_data: str) -> None:
    async with api_client_for(two_users_data, None) as client:
        answers = await read_all(client)
    assert {path: (status, body["error"]["code"]) for path, (status, body) in answers.items()} == dict.fromkeys(
        ENDPOINTS, (401, "not_signed_in")
    )


async def test_a_database_that_goes_away_is_a_503_not_zeros(
    api_client_for: ClientFactory, two_users_data: str, outscale: OutscaleEmulator, postgres_dsn: str
) -> None:
    async with signed_in(api_client_for, two_users_data, outscale) as client:
        assert (await client.get("/api/costs")).status_code == 200
        dbname = psycopg.conninfo.conninfo_to_dict(two_users_data)["dbname"]
        with psycopg.connect(postgres_dsn, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(dbname)))
        answers = await read_all(client)
    assert {path: (status, body["error"]["code"]) for path, (status, body) in answers.items()} == dict.fromkeys(
        ENDPOINTS, (503, "database_unavailable")
    )
