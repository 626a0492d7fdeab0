"""The budgets page in Chromium, on seeded costs: a budget made, edited and deleted in the form shows
what GET /api/budgets/{id}/status answers, refusals land next to their field, alerts and findings are listed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import psycopg
import pytest
from cryptography.fernet import Fernet
from playwright.sync_api import Locator, Page, expect
from psycopg.types.json import Jsonb
from pydantic import SecretStr

from api.app import create_app
from finops.config import Settings
from finops.domain.budgets import fired_fingerprint
from tests.api.cost_seeds import add_consumption, add_daily_cost
from tests.db.snapshots import ACCOUNT
from tests.emulators.outscale import OutscaleEmulator
from tests.served import served
from tests.ui.conftest import shot, sign_in
from tests.ui.test_dashboards import CONTRAST

TODAY = datetime.now(UTC).date()
DAILY = Decimal("20.00")  # what the account spends each day of the 45 seeded
SEEDED_DAYS = 45
HOOK = "https://hooks.slack.com/services/T000/B000/s3cr3t"
UNLABELLED = """() => [...document.querySelectorAll('main input, main select')].filter((field) =>
    !field.getAttribute('aria-label') && !(field.id && document.querySelector(`label[for="${field.id}"]`))
).map((field) => field.outerHTML)"""


def seed(dsn: str) -> None:
    """The user's Outscale account spends 20 EUR a day up to today, and was found once to spend too much."""
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "INSERT INTO cloud_accounts (provider, account_id, name, regions, owner, credentials_reference)"
            " VALUES ('outscale', %s, 'prod', '{eu-west-2}', %s, 'env:OSC_KEYS')",
            [ACCOUNT, ACCOUNT],
        )
        for offset in range(SEEDED_DAYS):
            add_daily_cost(conn, "outscale", ACCOUNT, "TinaOS-FCU", TODAY - timedelta(days=offset), str(DAILY))
        for offset in range(1, 6):
            add_consumption(conn, ACCOUNT, TODAY - timedelta(days=offset), "TinaOS-FCU", "16.75")
            add_consumption(conn, ACCOUNT, TODAY - timedelta(days=offset), "TinaOS-OOS", "3.25", type_="enterprise")
        found = TODAY - timedelta(days=2)
        finding = conn.execute(
            """
            INSERT INTO drift_findings (fingerprint, method, provider, account_id, region_id, subject, period_start,
                                        period_end, currency, expected, actual, impact, variance_percent, score)
            VALUES ('anomaly:ui', 'same_weekday_median', 'outscale', %s, 'eu-west-2', 'TinaOS-FCU', %s, %s, 'EUR',
                    20, 65.50, 45.50, 227.5, 6.1)
            RETURNING id
            """,
            [ACCOUNT, found, found + timedelta(days=1)],
        ).fetchone()
        assert finding
        alert = conn.execute(
            "INSERT INTO alerts (fingerprint, kind, finding_id, account_id, period_start, title, facts, created_at)"
            " VALUES ('anomaly:ui', 'anomaly', %s, %s, %s, 'Spend anomaly: TinaOS-FCU', %s, now() - interval '1 day')"
            " RETURNING id",
            [finding[0], ACCOUNT, found, Jsonb({"headline": "TinaOS-FCU cost €65.50 against €20.00 expected"})],
        ).fetchone()
        assert alert
        conn.execute(
            "INSERT INTO alert_notifications (alert_id, channel, emails, status, attempts, sent_at)"
            " VALUES (%s, 'email', '{ops@tenant.example}', 'sent', 1, now() - interval '1 day')",
            [alert[0]],
        )


@pytest.fixture
def app_url(migrated_dsn: str, outscale: OutscaleEmulator) -> Iterator[str]:
    seed(migrated_dsn)
    settings = Settings(
        database_url=SecretStr(migrated_dsn),
        outscale_endpoint=outscale.endpoint,
        encryption_key=SecretStr(Fernet.generate_key().decode()),
    )
    with served(create_app(settings)) as url:
        yield url


def call(page: Page, app_url: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """The API as the signed-in page sees it: its cookie, and its CSRF token on a change."""
    cookies = {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}
    with httpx.Client(base_url=app_url, cookies=cookies) as client:
        csrf = client.get("/api/auth/session").raise_for_status().json()["data"]["csrf_token"]
        answer = client.request(method, path, json=body, headers={"x-csrf-token": csrf}).raise_for_status()
    return answer.json()["data"]


def create_budget(page: Page, app_url: str, **fields: Any) -> dict[str, Any]:
    body = {
        "name": "Platform", "amount": "1500", "currency": "EUR", "period": "monthly",
        "rules": [{"basis": "ACTUAL", "threshold": "80"}, {"basis": "FORECAST", "threshold": "100"}],
        "emails": ["finops@tenant.example"], "webhooks": [HOOK], **fields,
    }  # fmt: skip
    budget: dict[str, Any] = call(page, app_url, "POST", "/api/budgets", body)
    return budget


def raise_rule_alert(dsn: str, budget_id: int, rule_id: int, period_start: str) -> None:
    """What check-budgets writes when a rule fires: the alert, an email sent and a webhook that keeps failing."""
    with psycopg.connect(dsn) as conn:
        alert = conn.execute(
            "INSERT INTO alerts (fingerprint, kind, owner_id, budget_id, rule_id, period_start, title, facts)"
            " VALUES (%s, 'budget', (SELECT id FROM users WHERE login = %s), %s, %s, %s, 'Budget Production: actual"
            " over 50 %%', %s) RETURNING id",
            [fired_fingerprint(rule_id, date.fromisoformat(period_start)), ACCOUNT, budget_id, rule_id, period_start,
             Jsonb({"headline": "Production spent over half of its budget"})],
        ).fetchone()  # fmt: skip
        assert alert
        conn.execute(
            "INSERT INTO alert_notifications (alert_id, channel, emails, status, attempts, sent_at)"
            " VALUES (%s, 'email', '{finops@tenant.example}', 'sent', 1, now())",
            [alert[0]],
        )
        conn.execute(
            "INSERT INTO alert_notifications (alert_id, channel, webhook_sealed, webhook_label, status, attempts,"
            " last_error) VALUES (%s, 'webhook', '\\x00', 'https://hooks.slack.com', 'failed', 3, 'HTTP 500')",
            [alert[0]],
        )


def euros(amount: str) -> str:
    """An amount as en-GB Intl writes it: "€1,234.50"."""
    return f"€{Decimal(amount):,.2f}"


def percent(value: str) -> str:
    """A percentage as en-GB Intl writes it, to 2 decimals at most: "42.5%"."""
    text = f"{Decimal(value):,.2f}"
    return f"{text.rstrip('0').rstrip('.')}%"


def bar_share(card: Locator, bar: str) -> float:
    """How much of the track a bar covers, on the track's own scale (aria-valuemax percent)."""
    track = card.locator(".gauge-track")
    covered = card.locator(bar).bounding_box()
    whole = track.bounding_box()
    assert covered and whole
    return covered["width"] / whole["width"] * float(track.get_attribute("aria-valuemax") or 0)


def assert_shows_status(page: Page, app_url: str, budget_id: int) -> dict[str, Any]:
    status: dict[str, Any] = call(page, app_url, "GET", f"/api/budgets/{budget_id}/status")
    card = page.locator(f"article[data-budget='{budget_id}']")
    expect(card.locator(".actual")).to_have_text(euros(status["actual"]))
    expect(card.locator(".percent")).to_have_text(percent(status["percent"]))
    track = card.get_by_role("progressbar")
    expect(track).to_have_attribute("aria-valuenow", str(float(status["percent"])).removesuffix(".0"))
    label = track.get_attribute("aria-label") or ""
    assert euros(status["actual"]) in label and euros(status["amount"]) in label, label
    assert bar_share(card, ".gauge-actual") == pytest.approx(float(status["percent"]), abs=1)
    if status["forecast"] is None:
        expect(card.locator(".forecast")).to_have_text("No forecast before 3 days of data")
        assert "No forecast" in label
    else:
        expect(card.locator(".forecast")).to_have_text(euros(status["forecast"]))
        expect(card.locator(".forecast-percent")).to_have_text(percent(status["forecast_percent"]))
        assert euros(status["forecast"]) in label, label
        assert bar_share(card, ".gauge-forecast") == pytest.approx(float(status["forecast_percent"]), abs=1)
    expect(card.locator(".data-through")).to_contain_text(f"day {status['days_elapsed']} / {status['days_in_period']}")
    for rule in status["rules"]:
        row = card.locator(f"tr[data-rule='{rule['id']}']")
        expect(row).to_have_attribute("data-crossed", str(rule["crossed"]).lower())
        expect(row.locator("td").nth(1)).to_have_text(euros(rule["limit"]))
        state = (
            "Alert raised on" if rule["fired_at"]
            else "Crossed, not alerted yet" if rule["crossed"]
            else "Waiting for a forecast" if rule["value"] is None
            else "Not yet"
        )  # fmt: skip
        expect(row.locator(".rule-state")).to_contain_text(state)
    limits = {Decimal(rule["limit"]) for rule in status["rules"]} | {Decimal(status["amount"])}
    expect(card.locator(".gauge-tick")).to_have_count(len(limits))  # one per threshold, and one at the amount
    return status


def test_a_budget_made_in_the_form_shows_the_apis_status_and_follows_its_edits(
    page: Page, app_url: str, outscale: OutscaleEmulator, migrated_dsn: str, console_errors: list[str]
) -> None:
    sign_in(page, outscale)
    page.get_by_role("link", name="Budgets").click()
    expect(page.get_by_role("heading", name="Budgets and alerts", level=1)).to_be_visible()
    expect(page.get_by_text("No budget yet")).to_be_visible()

    form = page.get_by_role("form", name="New budget")
    form.get_by_label("Name", exact=True).fill("Production")
    form.get_by_label("Amount", exact=True).fill("500")
    form.get_by_label("Accounts", exact=True).select_option(ACCOUNT)
    form.get_by_label("Services", exact=True).fill("TinaOS-FCU")
    first, second = form.get_by_role("group", name="Rule 1"), form.get_by_role("group", name="Rule 2")
    first.get_by_label("Threshold", exact=True).fill("50")
    second.get_by_label("Basis").select_option("FORECAST")
    second.get_by_label("Notify recovery").check()
    form.get_by_label("Emails (comma separated)").fill("finops@tenant.example")
    form.get_by_label("Webhook URLs (comma separated)").fill(HOOK)
    form.get_by_role("button", name="Create budget").click()
    card = page.locator("article.budget", has=page.get_by_role("heading", name="Production"))
    expect(card).to_be_visible()
    budget_id = int(card.get_attribute("data-budget") or 0)
    status = assert_shows_status(page, app_url, budget_id)
    assert Decimal(status["actual"]) == DAILY * TODAY.day  # the month so far, today included
    expect(card.locator(".scope")).to_contain_text("https://hooks.slack.com")
    assert "s3cr3t" not in page.content()

    raise_rule_alert(migrated_dsn, budget_id, status["rules"][0]["id"], status["period_start"])
    page.reload()
    assert_shows_status(page, app_url, budget_id)
    alerts = page.locator("table.alerts tbody tr")
    expect(alerts).to_have_count(2)
    expect(alerts.nth(0)).to_contain_text("Production spent over half of its budget")  # newest first
    expect(alerts.nth(0).locator("[data-channel='email']")).to_contain_text("finops@tenant.example: sent")
    webhook = alerts.nth(0).locator("[data-channel='webhook']")
    expect(webhook).to_contain_text("https://hooks.slack.com: failed (3 attempts)")
    expect(webhook.locator(".error")).to_have_text("HTTP 500")
    expect(alerts.nth(1)).to_contain_text("Anomaly")
    finding = page.locator("table.findings tbody tr")
    expect(finding).to_have_count(1)
    expect(finding).to_contain_text("Same-weekday median")
    assert [finding.locator("td.num").nth(i).inner_text() for i in range(4)] == ["€20.00", "€65.50", "€45.50", "227.5%"]
    shot(page, "budgets")

    card.get_by_role("button", name="Edit: Production").click()
    form = page.get_by_role("form", name="Edit budget: Production")
    expect(form.get_by_label("Amount", exact=True)).to_have_value("500")
    expect(form).to_contain_text("Stored: https://hooks.slack.com")
    form.get_by_label("Amount", exact=True).fill("1000")
    form.get_by_label("Period", exact=True).select_option("quarterly")
    form.get_by_role("button", name="Save changes").click()
    expect(card.locator(".budget-head")).to_contain_text("€1,000.00 · Quarterly")
    edited = assert_shows_status(page, app_url, budget_id)
    assert edited["amount"] == "1000" and edited["period_start"] != status["period_start"]
    assert call(page, app_url, "GET", f"/api/budgets/{budget_id}")["webhooks"] == ["https://hooks.slack.com"]
    shot(page, "budgets-edited")

    form = page.get_by_role("form", name="New budget")
    form.get_by_label("Name", exact=True).fill("Broken")
    form.get_by_label("Amount", exact=True).fill("0")
    form.get_by_role("group", name="Rule 2").get_by_label("Threshold", exact=True).fill("0")
    form.get_by_role("button", name="Create budget").click()
    amount_error = page.locator("#budget-amount-error")
    threshold_error = page.locator("#budget-rules-1-threshold-error")  # the API's rules[1].threshold
    expect(amount_error).not_to_be_empty()
    expect(threshold_error).not_to_be_empty()
    expect(page.locator("#budget-rules-0-threshold-error")).to_be_empty()
    summary = form.locator(".form-error").inner_text()  # the API's message, naming each field it is about
    assert f"amount: {amount_error.inner_text()}" in summary, summary
    assert f"rules[1].threshold: {threshold_error.inner_text()}" in summary, summary
    expect(form.get_by_label("Amount", exact=True)).to_be_focused()
    expect(form.get_by_label("Amount", exact=True)).to_have_attribute("aria-invalid", "true")
    # The browser logs the refused request (422) as a failed load: expected here, and only here.
    assert [error for error in console_errors if "422" in error] == console_errors != []
    console_errors.clear()

    page.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name="Delete: Production").click()
    expect(page.locator("article.budget")).to_have_count(0)
    expect(page.get_by_text("No budget yet")).to_be_visible()
    assert call(page, app_url, "GET", "/api/budgets") == []


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_budgets_page_is_labelled_readable_and_focusable_in_both_themes(
    page: Page, app_url: str, outscale: OutscaleEmulator, theme: str
) -> None:
    sign_in(page, outscale)
    create_budget(page, app_url, amount="400", rules=[
        {"basis": "ACTUAL", "threshold": "50"}, {"basis": "ACTUAL", "threshold": "300", "threshold_type": "ABSOLUTE"},
        {"basis": "FORECAST", "threshold": "100", "notify_recovery": True},
    ])  # fmt: skip
    page.get_by_label("Theme").select_option(theme)
    page.goto("/#/budgets")
    expect(page.locator("article.budget")).to_have_count(1)
    page.wait_for_load_state("networkidle")
    assert page.evaluate(UNLABELLED) == []
    assert page.evaluate(CONTRAST) == [], f"{theme}: text below 4.5:1"
    for _ in range(60):  # from the top of the page to the edit form's submit button, every stop shows its focus
        page.keyboard.press("Tab")
        focused = page.evaluate("() => [document.activeElement.textContent, getComputedStyle(document.activeElement)"
                                ".outlineStyle]")  # fmt: skip
        assert focused[1] != "none", f"{focused[0]} has no visible focus"
        if focused[0] == "Create budget":
            break
    else:
        pytest.fail("the Create budget button is not in the tab order")
    page.get_by_role("button", name="Edit: Platform").click()
    assert page.evaluate(CONTRAST) == [], f"{theme}: the edit form has text below 4.5:1"
    shot(page, f"budgets-{theme}")


def test_the_budgets_page_reads_in_french(page: Page, app_url: str, outscale: OutscaleEmulator) -> None:
    sign_in(page, outscale)
    create_budget(page, app_url)
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("link", name="Budgets").click()
    expect(page.get_by_role("heading", name="Budgets et alertes", level=1)).to_be_visible()
    card = page.locator("article.budget")
    expect(card.locator("dt").first).to_have_text("Dépensé")
    expect(card).to_contain_text("Prévision")
    expect(card.locator(".actual")).to_contain_text("€")
    first_rule = page.get_by_role("form", name="Nouveau budget").get_by_role("group", name="Règle 1")
    expect(first_rule.get_by_label("Seuil", exact=True)).to_have_value("80")
    expect(page.get_by_role("heading", name="Historique des alertes")).to_be_visible()
    expect(page.locator("table.findings")).to_contain_text("Médiane du même jour de semaine")
    assert page.evaluate(UNLABELLED) == []
    shot(page, "budgets-fr")
