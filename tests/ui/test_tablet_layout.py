"""The main pages on a tablet held upright (768 x 1024): nothing scrolls sideways and every page is a tap away."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet
from playwright.sync_api import Page, ViewportSize, expect
from pydantic import SecretStr

from api.app import create_app
from finops.config import Settings
from tests.emulators.outscale import OutscaleEmulator
from tests.served import served
from tests.ui.conftest import shot, sign_in
from tests.ui.test_budgets import create_budget, seed

TABLET: ViewportSize = {"width": 768, "height": 1024}
# Each page's heading, and what shows once its data is in (a hash change is no new load to wait for).
MAIN_PAGES = {
    "#/quotes": ("Quote builder", "#total"),
    "#/consumption": ("Consumption", "main tbody tr"),
    "#/trends": ("Trends", "main canvas"),
    "#/budgets": ("Budgets and alerts", "article.budget .gauge-track"),
}
TABLES_SCROLLING = """() => [...document.querySelectorAll('main .table-wrap')]
  .filter((wrap) => wrap.scrollWidth > wrap.clientWidth).map((wrap) => wrap.firstElementChild.className)"""
NAV_OUT_OF_REACH = """() => [...document.querySelectorAll('nav a')].filter((link) => {
  const box = link.getBoundingClientRect();
  return box.left < 0 || box.right > document.documentElement.clientWidth || box.height < 24 || box.width < 24;
}).map((link) => link.textContent)"""


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


def test_the_main_pages_fit_a_tablet_and_keep_the_nav_in_reach(
    page: Page, app_url: str, outscale: OutscaleEmulator
) -> None:
    page.set_viewport_size(TABLET)
    sign_in(page, outscale)
    create_budget(page, app_url)
    for route, (heading, loaded) in MAIN_PAGES.items():
        page.get_by_role("navigation", name="Main").get_by_role("link", name=heading.split(" ")[0]).click()
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        expect(page.locator(loaded).first).to_be_visible()
        assert page.url.endswith(route)
        sideways = page.evaluate("() => [document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]")
        assert sideways[0] <= sideways[1], f"{route} scrolls sideways: {sideways}"
        assert page.evaluate(TABLES_SCROLLING) == [], f"{route}: a table scrolls sideways within the page"
        assert page.evaluate(NAV_OUT_OF_REACH) == [], f"{route}: nav links off screen or too small to tap"
        shot(page, f"tablet-{route.removeprefix('#/')}")
