"""Debian's Chromium driven by Playwright, a page whose console must stay clean, and screenshots.

Screenshots of each page go to tests/ui/screenshots/ (ignored by git) for a person to look at. Each test
module provides the ``app_url`` fixture: the app it serves, on the data it seeds.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect, sync_playwright

from tests.emulators.outscale import OutscaleEmulator

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parent / "screenshots"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), ".ci/run installs Debian's chromium package; install it to run the UI tests"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def console_errors() -> list[str]:
    """What the page logged as errors; a test that provokes one on purpose takes it out after checking it."""
    return []


@pytest.fixture
def page(browser: Browser, app_url: str, console_errors: list[str]) -> Iterator[Page]:
    context = browser.new_context(base_url=app_url, locale="en-GB", accept_downloads=True)
    opened = context.new_page()
    opened.on("console", lambda message: _keep_errors(message, console_errors))
    opened.on("pageerror", lambda error: console_errors.append(str(error)))
    yield opened
    context.close()
    assert console_errors == [], f"console errors: {console_errors}"


def _keep_errors(message: ConsoleMessage, problems: list[str]) -> None:
    if message.type == "error":
        problems.append(message.text)


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(page: Page, outscale: OutscaleEmulator) -> None:
    page.goto("/#/quotes")
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    shot(page, "sign-in")
    page.get_by_label("Access key").fill(outscale.access_key)
    page.get_by_label("Secret key").fill(outscale.secret_key)
    page.get_by_label("Region").select_option("eu-west-2")
    page.get_by_role("button", name="Sign in").first.click()
    # The API checks the keys with Outscale before it answers: 2-3 s against the emulator, more on a busy machine.
    expect(page.get_by_role("heading", name="Quote builder")).to_be_visible(timeout=15_000)
