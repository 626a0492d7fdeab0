"""The cost dashboards, accounts and flows pages in Chromium, on seeded data: charts drawn, numbers shown."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from playwright.sync_api import Page, expect
from pydantic import SecretStr

from api.app import create_app
from finops.config import Settings
from tests.api.cost_seeds import TENANCY, add_consumption, add_cost_line, roll_up_daily_costs
from tests.db.snapshots import ACCOUNT, seed_snapshots
from tests.emulators.outscale import OutscaleEmulator
from tests.served import served
from tests.ui.conftest import shot, sign_in

TODAY = datetime.now(UTC).date()


def seed(dsn: str) -> None:
    seed_snapshots(dsn)  # the signed-in account's resources: 2 VMs and a volume
    recent = [TODAY - timedelta(days=days) for days in (2, 3)]
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "INSERT INTO cloud_accounts (provider, account_id, name, regions, owner) VALUES ('oci', %s, 'oci', "
            "'{eu-paris-1}', %s)",
            [TENANCY, ACCOUNT],
        )
        for day in recent:
            add_consumption(conn, ACCOUNT, day, "TinaOS-FCU", "12.50")
            add_consumption(conn, ACCOUNT, day, "TinaOS-OOS", "3.25", type_="enterprise")
        for day, team, billed, currency in (
            (recent[0], "data", "40.00", "EUR"),
            (recent[1], "web", "25.00", "EUR"),
            (recent[1], None, "5.00", "EUR"),
            (recent[1], "ops", "7.00", None),  # a report that names no currency
        ):
            add_cost_line(conn, {
                "provider": "oci", "sub_account_id": TENANCY, "service_name": "Compute", "region_id": "eu-paris-1",
                "charge_period_start": datetime(day.year, day.month, day.day, tzinfo=UTC), "billed_cost": billed,
                "effective_cost": billed, "billing_currency": currency, "tags": {"team": team} if team else {},
            })  # fmt: skip
        last_month = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=10)
        add_cost_line(conn, {
            "provider": "oci", "sub_account_id": TENANCY, "service_name": "Compute", "region_id": "eu-paris-1",
            "charge_period_start": datetime(last_month.year, last_month.month, 10, tzinfo=UTC), "billed_cost": "80.00",
            "effective_cost": "80.00", "billing_currency": "EUR", "tags": {},
        })  # fmt: skip
        roll_up_daily_costs(conn)


@pytest.fixture
def app_url(migrated_dsn: str, outscale: OutscaleEmulator, prefect_api_url: str) -> Iterator[str]:
    seed(migrated_dsn)
    settings = Settings(
        database_url=SecretStr(migrated_dsn), outscale_endpoint=outscale.endpoint, prefect_api_url=prefect_api_url
    )
    with served(create_app(settings)) as url:
        yield url


def chart_drawn(page: Page) -> bool:
    return bool(page.evaluate("() => [...document.querySelectorAll('canvas')].some((c) => window.Chart.getChart(c))"))


def test_each_dashboard_draws_its_chart_from_the_seeded_costs(page: Page, outscale: OutscaleEmulator) -> None:
    sign_in(page, outscale)
    if TODAY.day > 3:  # the seeded days are in the default 30-day window
        page.goto("/#/consumption")
        expect(page.get_by_role("heading", name="Consumption")).to_be_visible()
        expect(page.locator("main tbody tr")).to_have_count(4)
        assert chart_drawn(page)
        expect(page.locator("main")).to_contain_text("€31.50")  # 2 days x (12.50 + 3.25)
        shot(page, "consumption")

    page.goto("/#/current")
    expect(page.get_by_role("heading", name="Current cost")).to_be_visible()
    expect(page.locator("main table").first.locator("tbody tr")).to_have_count(2)  # Vm, Volume
    assert chart_drawn(page)
    shot(page, "current-cost")

    page.goto("/#/allocation")
    expect(page.get_by_role("heading", name="Allocation")).to_be_visible()
    expect(page.locator("main tbody tr")).to_have_count(4)  # data, web, untagged, and ops in no currency
    expect(page.locator("main")).to_contain_text("(untagged)")
    expect(page.locator("main")).to_contain_text("7.00 (no currency)")
    assert chart_drawn(page)
    shot(page, "allocation")

    page.goto("/#/trends")
    expect(page.get_by_role("heading", name="Trends", level=1)).to_be_visible()
    expect(page.locator("main h2").first).to_contain_text("oci")
    page.wait_for_function("() => [...document.querySelectorAll('canvas')].some((c) => window.Chart.getChart(c))")
    shot(page, "trends")

    page.goto("/#/accounts")
    expect(page.get_by_role("cell", name=TENANCY)).to_be_visible()
    shot(page, "accounts")

    page.goto("/#/flows")
    expect(page.get_by_role("heading", name="Flows")).to_be_visible()
    expect(page.get_by_role("link", name="Open the Prefect UI")).to_be_visible()
    shot(page, "flows")


def test_a_dark_theme_keeps_every_field_labelled(page: Page, outscale: OutscaleEmulator) -> None:
    sign_in(page, outscale)
    page.get_by_label("Theme").select_option("dark")
    for route in ("#/quotes", "#/consumption", "#/current", "#/allocation", "#/accounts"):
        page.goto(f"/{route}")
        page.wait_for_load_state("networkidle")
        unlabelled = page.evaluate(
            """() => [...document.querySelectorAll('main input, main select')].filter((field) =>
                !field.getAttribute('aria-label') && !(field.id && document.querySelector(`label[for="${field.id}"]`))
            ).map((field) => field.outerHTML)"""
        )
        assert unlabelled == [], f"{route}: {unlabelled}"
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(15, 17, 21)"
    shot(page, "accounts-dark")


CONTRAST = """() => {
  const rgb = (text) => text.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const luminance = (colour) => {
    const linear = (v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    const [r, g, b] = rgb(colour).map((v) => linear(v / 255));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const background = (node) => {
    for (let at = node; at; at = at.parentElement) {
      const colour = getComputedStyle(at).backgroundColor;
      if (!colour.startsWith("rgba(0, 0, 0, 0)") && colour !== "transparent") return colour;
    }
    return getComputedStyle(document.body).backgroundColor;
  };
  const low = [];
  for (const node of document.querySelectorAll("main *, header *")) {
    const ownText = [...node.childNodes].some((c) => c.nodeType === 3 && c.textContent.trim());
    if (!ownText) continue;
    if (!node.getClientRects().length) continue;
    const [a, b] = [luminance(getComputedStyle(node).color), luminance(background(node))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) low.push(`${node.tagName} "${node.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}`);
  }
  return low;
}"""


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_text_contrast_is_at_least_aa_and_focus_is_visible(page: Page, outscale: OutscaleEmulator, theme: str) -> None:
    sign_in(page, outscale)
    page.get_by_label("Theme").select_option(theme)
    for route in ("#/quotes", "#/allocation", "#/accounts"):
        page.goto(f"/{route}")
        page.wait_for_load_state("networkidle")
        assert page.evaluate(CONTRAST) == [], f"{theme} {route}: text below 4.5:1"
    page.keyboard.press("Tab")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"


def test_an_expired_session_goes_to_sign_in_and_back_to_the_page(
    page: Page, outscale: OutscaleEmulator, migrated_dsn: str, console_errors: list[str]
) -> None:
    sign_in(page, outscale)
    page.goto("/#/allocation")
    expect(page.get_by_role("heading", name="Allocation")).to_be_visible()
    with psycopg.connect(migrated_dsn) as conn:
        conn.execute("UPDATE sessions SET last_seen_at = now() - interval '31 minutes'")
    page.get_by_label("Tag key").fill("env")
    page.get_by_label("Tag key").press("Tab")  # a change asks the API, which answers 401
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    # The browser logs the expired session's 401 as a failed load: expected here, and only here.
    assert [error for error in console_errors if "401" in error] == console_errors != []
    console_errors.clear()
    page.get_by_label("Access key").fill(outscale.access_key)
    page.get_by_label("Secret key").fill(outscale.secret_key)
    page.get_by_role("button", name="Sign in").first.click()
    expect(page.get_by_role("heading", name="Allocation")).to_be_visible()
