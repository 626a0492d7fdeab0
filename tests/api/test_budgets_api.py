"""/api/budgets, /api/alerts and /api/drift: owner-scoped, validated, webhook URLs never shown."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import psycopg
import pytest

from tests.api.conftest import ClientFactory, sign_in
from tests.api.cost_seeds import (
    OTHER,
    OTHER_KEYS,
    OWNER,
    TENANCY,
    add_cost_line,
    add_daily_cost,
    add_other_user,
    register_accounts,
    roll_up_daily_costs,
    signed_in,
)
from tests.emulators.outscale import OutscaleEmulator

HOOK = "https://hooks.example.com/services/T000/B000/s3cr3t-t0ken"


def budget(**fields: Any) -> dict[str, Any]:
    return {
        "name": "prod",
        "amount": "1000",
        "currency": "EUR",
        "period": "monthly",
        "rules": [{"basis": "ACTUAL", "threshold": "80"}, {"basis": "FORECAST", "threshold": "100"}],
        "emails": ["finops@tenant.example"],
        **fields,
    }


@pytest.fixture
def seeded(migrated_dsn: str) -> str:
    """November 2026: the user's Outscale account spent 10 EUR a day from the 1st to the 10th; the other user 999."""
    with psycopg.connect(migrated_dsn) as conn:
        register_accounts(conn)
        for day in range(1, 11):
            add_daily_cost(conn, "outscale", OWNER, "TinaOS-FCU", date(2026, 11, day), "10")
        add_daily_cost(conn, "outscale", OTHER, "TinaOS-FCU", date(2026, 11, 5), "999")
    return migrated_dsn


async def test_a_budget_is_created_read_replaced_and_deleted_by_its_owner(
    api_client_for: ClientFactory, seeded: str, outscale: OutscaleEmulator
) -> None:
    async with api_client_for(seeded, None, outscale_endpoint=outscale.endpoint) as client:
        csrf = await sign_in(client, outscale.access_key, outscale.secret_key)
        headers = {"x-csrf-token": csrf}
        created = await client.post("/api/budgets", json=budget(webhooks=[HOOK]), headers=headers)
        assert created.status_code == 201, created.text
        view = created.json()["data"]
        assert view["webhooks"] == ["https://hooks.example.com"], "a webhook URL is shown as scheme and host only"
        assert "s3cr3t" not in created.text
        assert [(r["basis"], r["threshold"], r["threshold_type"]) for r in view["rules"]] == [
            ("ACTUAL", "80", "PERCENT"),
            ("FORECAST", "100", "PERCENT"),
        ]
        with psycopg.connect(seeded) as conn:
            stored = conn.execute("SELECT webhooks_sealed FROM budgets").fetchone()
        assert stored and b"s3cr3t" not in bytes(stored[0][0]), "stored encrypted"

        listed = (await client.get("/api/budgets")).json()
        assert [b["name"] for b in listed["data"]] == ["prod"] and listed["metadata"]["count"] == 1

        kept_rule = view["rules"][1]["id"]
        renamed = await client.put(
            f"/api/budgets/{view['id']}",
            json=budget(name="prod-eu", rules=[{"basis": "FORECAST", "threshold": "100"}]),
            headers=headers,
        )
        assert renamed.status_code == 200, renamed.text
        data = renamed.json()["data"]
        assert data["name"] == "prod-eu"
        assert [r["id"] for r in data["rules"]] == [kept_rule], "an unchanged rule keeps its id and what it fired"
        assert data["webhooks"] == ["https://hooks.example.com"], "left out, the webhooks stay"

        resized = await client.put(
            f"/api/budgets/{view['id']}",
            json=budget(name="prod-eu", amount="1500", rules=[{"basis": "FORECAST", "threshold": "100"}]),
            headers=headers,
        )
        data = resized.json()["data"]
        assert data["amount"] == "1500"
        assert [r["id"] for r in data["rules"]] != [kept_rule], "a new amount makes a new rule, which may fire again"

        deleted = await client.delete(f"/api/budgets/{view['id']}", headers=headers)
        assert deleted.status_code == 200
        assert (await client.get(f"/api/budgets/{view['id']}")).status_code == 404


async def test_status_tells_spent_forecast_percent_and_the_rules_crossed(
    api_client_for: ClientFactory, seeded: str, outscale: OutscaleEmulator
) -> None:
    async with signed_in(api_client_for, seeded, outscale) as client:
        csrf = (await client.get("/api/auth/session")).json()["data"]["csrf_token"]
        created = await client.post(
            "/api/budgets",
            json=budget(amount="250", rules=[{"basis": "ACTUAL", "threshold": "50"}, {"basis": "FORECAST",
                                                                                      "threshold": "100"}]),
            headers={"x-csrf-token": csrf},
        )  # fmt: skip
        budget_id = created.json()["data"]["id"]
        far = await client.get(f"/api/budgets/{budget_id}/status", params={"day": "9999-12-31"})
        assert far.status_code == 422 and far.json()["error"]["details"][0]["field"] == "day"
        answer = await client.get(f"/api/budgets/{budget_id}/status", params={"day": "2026-11-12"})
    assert answer.status_code == 200, answer.text
    status = answer.json()["data"]
    # 100 spent over the 10 days with data: 40 %, forecast 10 x 30 = 300 (120 %); the other user's 999 never counts.
    assert (status["period_start"], status["period_end"]) == ("2026-11-01", "2026-12-01")
    assert (Decimal(status["actual"]), status["percent"]) == (Decimal(100), "40.00")
    assert (status["forecast"], status["forecast_percent"]) == ("300.00", "120.00")
    assert (status["data_through"], status["days_elapsed"], status["days_in_period"]) == ("2026-11-10", 10, 30)
    assert [(r["basis"], r["limit"], r["crossed"], r["fired_at"]) for r in status["rules"]] == [
        ("ACTUAL", "125.00", False, None),
        ("FORECAST", "250.00", True, None),
    ]


async def test_a_tag_scoped_budget_counts_the_tagged_ledger_lines(
    api_client_for: ClientFactory, migrated_dsn: str, outscale: OutscaleEmulator
) -> None:
    from datetime import UTC, datetime

    with psycopg.connect(migrated_dsn) as conn:
        register_accounts(conn)
        for cost, team in (("30", "data"), ("12", "web"), ("5", None)):
            add_cost_line(conn, {
                "provider": "oci", "sub_account_id": TENANCY, "charge_period_start": datetime(2026, 11, 3, tzinfo=UTC),
                "billed_cost": Decimal(cost), "effective_cost": Decimal(cost), "billing_currency": "EUR",
                "service_name": "COMPUTE", "tags": {"team": team} if team else {},
            })  # fmt: skip
        roll_up_daily_costs(conn)
    async with signed_in(api_client_for, migrated_dsn, outscale) as client:
        csrf = (await client.get("/api/auth/session")).json()["data"]["csrf_token"]
        created = await client.post(
            "/api/budgets",
            json=budget(scope={"provider": "oci", "tag_key": "team", "tag_value": "data"}),
            headers={"x-csrf-token": csrf},
        )
        assert created.status_code == 201, created.text
        status = (await client.get(f"/api/budgets/{created.json()['data']['id']}/status?day=2026-11-05")).json()
    assert Decimal(status["data"]["actual"]) == Decimal(30)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"amount": "0"}, "amount", id="amount-zero"),
        pytest.param({"amount": "-5"}, "amount", id="amount-negative"),
        pytest.param({"amount": "1E-24"}, "amount", id="amount-vanishing"),
        pytest.param({"rules": [{"basis": "ACTUAL", "threshold": "sNaN"}]}, "rules[0].threshold", id="threshold-nan"),
        pytest.param({"webhooks": ["http://hooks.example.com/x"]}, "webhooks[0]", id="webhook-not-https"),
        pytest.param({"webhooks": ["https://127.0.0.1:4200/api"]}, "webhooks[0]", id="webhook-to-this-machine"),
        pytest.param({"webhooks": ["https://10.0.0.8/hook"]}, "webhooks[0]", id="webhook-to-a-private-network"),
        pytest.param({"webhooks": ["https://[::1"]}, "webhooks[0]", id="webhook-not-a-url"),
        pytest.param({"webhooks": ["file:///etc/passwd"]}, "webhooks[0]", id="webhook-other-scheme"),
        pytest.param(
            {"scope": {"provider": "outscale", "compartments": ["finance"]}},
            "scope.compartments",
            id="compartments-of-outscale",
        ),
        pytest.param({"rules": [{"basis": "ACTUAL", "threshold": "0"}]}, "rules[0].threshold", id="threshold-zero"),
        pytest.param(
            {"rules": [{"basis": "ACTUAL", "threshold": "80"}, {"basis": "ACTUAL", "threshold": "80.0"}]},
            "rules[1].threshold",
            id="same-rule-twice",
        ),
        pytest.param({"currency": "USD"}, "currency", id="currency-not-of-the-data"),
        pytest.param({"scope": {"account_ids": [OTHER]}}, "scope.account_ids", id="someone-elses-account"),
        pytest.param({"scope": {"tag_key": "team"}}, "scope.tag_value", id="tag-without-value"),
        pytest.param(
            {"rules": [{"basis": "ACTUAL", "threshold": "80", "notify_recovery": True}]},
            "rules[0].notify_recovery",
            id="recovery-of-actual",
        ),
    ],
)
async def test_an_invalid_budget_is_a_422_naming_the_field(
    api_client_for: ClientFactory, seeded: str, outscale: OutscaleEmulator, fields: dict[str, Any], field: str
) -> None:
    async with signed_in(api_client_for, seeded, outscale) as client:
        csrf = (await client.get("/api/auth/session")).json()["data"]["csrf_token"]
        answer = await client.post("/api/budgets", json=budget(**fields), headers={"x-csrf-token": csrf})
    assert answer.status_code == 422, answer.text
    assert field in [detail["field"] for detail in answer.json()["error"]["details"]]


async def test_budgets_are_private_to_their_owner(
    api_client_for: ClientFactory, seeded: str, outscale: OutscaleEmulator
) -> None:
    add_other_user(outscale)
    async with signed_in(api_client_for, seeded, outscale) as client:
        csrf = (await client.get("/api/auth/session")).json()["data"]["csrf_token"]
        budget_id = (await client.post("/api/budgets", json=budget(), headers={"x-csrf-token": csrf})).json()["data"][
            "id"
        ]
        duplicate = await client.post("/api/budgets", json=budget(), headers={"x-csrf-token": csrf})
        assert duplicate.status_code == 409
        assert [detail["field"] for detail in duplicate.json()["error"]["details"]] == ["name"]
    async with signed_in(api_client_for, seeded, outscale, keys=OTHER_KEYS) as other:
        csrf = (await other.get("/api/auth/session")).json()["data"]["csrf_token"]
        assert (await other.get("/api/budgets")).json()["data"] == []
        assert (await other.get(f"/api/budgets/{budget_id}")).status_code == 404
        assert (await other.get(f"/api/budgets/{budget_id}/status")).status_code == 404
        assert (
            await other.put(f"/api/budgets/{budget_id}", json=budget(), headers={"x-csrf-token": csrf})
        ).status_code == 404
        assert (await other.delete(f"/api/budgets/{budget_id}", headers={"x-csrf-token": csrf})).status_code == 404
        assert (await other.post("/api/budgets", json=budget(), headers={})).status_code == 403


async def test_alerts_and_findings_are_read_for_the_owner_only(
    api_client_for: ClientFactory, seeded: str, outscale: OutscaleEmulator
) -> None:
    with psycopg.connect(seeded) as conn:
        finding = conn.execute(
            """
            INSERT INTO drift_findings (fingerprint, method, provider, account_id, region_id, subject, period_start,
                                        period_end, currency, expected, actual, impact, variance_percent)
            VALUES ('drift:mine', 'estimate_vs_bill', 'outscale', %s, 'eu-west-2', 'Volume', '2026-11-10',
                    '2026-11-11', 'EUR', 12, 18, 6, 50),
                   ('drift:theirs', 'estimate_vs_bill', 'outscale', %s, 'eu-west-2', 'Vm', '2026-11-10',
                    '2026-11-11', 'EUR', 1, 9, 8, 800)
            RETURNING id
            """,
            [OWNER, OTHER],
        ).fetchall()
        for fingerprint, account, (finding_id,) in (
            ("drift:mine", OWNER, finding[0]),
            ("drift:theirs", OTHER, finding[1]),
        ):
            alert = conn.execute(
                "INSERT INTO alerts (fingerprint, kind, finding_id, account_id, period_start, title, facts)"
                " VALUES (%s, 'drift', %s, %s, '2026-11-10', %s, %s) RETURNING id",
                [fingerprint, finding_id, account, f"drift of {account}",
                 '{"headline": "Volume estimated at 12, billed 18", "data": {"gap": "-6"}}'],
            ).fetchone()  # fmt: skip
            assert alert
            conn.execute(
                "INSERT INTO alert_notifications (alert_id, channel, emails, status, attempts)"
                " VALUES (%s, 'email', '{ops@tenant.example}', 'sent', 1)",
                [alert[0]],
            )
    async with signed_in(api_client_for, seeded, outscale) as client:
        alerts = (await client.get("/api/alerts", params={"days": 3650})).json()["data"]
        findings = (await client.get("/api/drift", params={"days": 3650})).json()["data"]
        anomalies = (await client.get("/api/drift", params={"days": 3650, "method": "same_weekday_median"})).json()
    assert [(a["title"], a["headline"], a["data"]) for a in alerts] == [
        (f"drift of {OWNER}", "Volume estimated at 12, billed 18", {"gap": "-6"})
    ]
    assert [(n["channel"], n["to"], n["status"]) for n in alerts[0]["notifications"]] == [("email", "operator", "sent")]
    assert [(f["subject"], f["expected"], f["actual"], f["variance_percent"]) for f in findings] == [
        ("Volume", "12.00", "18.00", "50.00")
    ]
    assert anomalies["data"] == []
