"""The quote builder in Debian's Chromium (Playwright), against the real app, database and Outscale emulator."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from playwright.sync_api import Page, expect
from pydantic import SecretStr

from api.app import create_app
from finops.config import Settings
from finops.db.catalog_prices import record_catalog
from finops.domain.outscale_catalog import parse_catalog
from tests.emulators.outscale import OutscaleEmulator
from tests.served import served
from tests.ui.conftest import shot, sign_in


@pytest.fixture
def app_url(migrated_dsn: str, outscale: OutscaleEmulator) -> Iterator[str]:
    with psycopg.connect(migrated_dsn) as conn:
        record_catalog(conn, "eu-west-2", "EUR", parse_catalog(outscale.catalog("eu-west-2")), datetime.now(UTC))
    settings = Settings(database_url=SecretStr(migrated_dsn), outscale_endpoint=outscale.endpoint)
    with served(create_app(settings)) as url:
        yield url


def api_calculation(page: Page, app_url: str, quote_id: str) -> dict[str, Any]:
    cookies = {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}
    answer = httpx.get(f"{app_url}/api/quotes/{quote_id}/calculate", cookies=cookies).raise_for_status()
    calculation: dict[str, Any] = answer.json()["data"]
    return calculation


def shown_amount(page: Page, selector: str) -> Decimal:
    """An amount as the page shows it (en-GB: "€1,234.56"), as a number."""
    text = page.locator(selector).inner_text()
    return Decimal("".join(character for character in text if character.isdigit() or character in ".-"))


def add_item(page: Page, kind: str, group: str, fill: dict[str, str], selects: dict[str, str] | None = None) -> None:
    form = page.get_by_role("form", name="Add an item")
    form.get_by_label("Kind", exact=True).select_option(label=kind)
    form.get_by_label("Group", exact=True).select_option(label=group)
    for label, option in (selects or {}).items():
        form.get_by_label(label, exact=True).select_option(option)
    for label, value in fill.items():
        form.get_by_label(label, exact=True).fill(value)
    lines_before = page.locator("tr[data-item]").count()
    form.get_by_role("button", name="Add to quote").click()
    expect(page.locator("tr[data-item]")).to_have_count(lines_before + 1)


def test_a_quote_built_in_the_browser_shows_the_apis_totals_and_exports_its_csv(
    page: Page, app_url: str, outscale: OutscaleEmulator
) -> None:
    sign_in(page, outscale)
    quote_id = page.get_by_label("Quote", exact=True).input_value()
    for name in ("Compute", "Storage"):
        page.get_by_label("Group name", exact=True).fill(name)
        page.get_by_role("button", name="Add group").click()
        expect(page.get_by_label(f"Group name {1 if name == 'Compute' else 2}")).to_have_value(name)

    add_item(page, "Virtual machine", "Compute", {"vCores": "4", "RAM (GiB)": "16"},
             {"Generation": "6", "Performance": "high"})  # fmt: skip
    add_item(page, "Volume", "Storage", {"Size (GiB)": "50", "IOPS": "1000"}, {"Volume type": "io1"})
    add_item(page, "Catalog entry", "Storage", {"Search the catalog": "OOS stockage GiB", "Quantity": "500"})
    shot(page, "quote-builder")

    calculation = api_calculation(page, app_url, quote_id)
    assert shown_amount(page, "#total") == Decimal(calculation["total"])
    assert shown_amount(page, "#subtotal") == Decimal(calculation["subtotal"])
    group_subtotals = [shown_amount(page, f"tr[data-group='{g['group_id']}'] .group-subtotal")
                       for g in calculation["groups"]]  # fmt: skip
    assert group_subtotals == [Decimal(g["subtotal"]) for g in calculation["groups"]]
    # 1 month: VM (4 x 0.035 + 16 x 0.005) x 730 = 160.60; io1 50 x 0.13 + 1000 x 0.01 = 16.50; OOS 500 x 0.025 = 12.50
    assert calculation["total"] == "189.60"

    page.get_by_label("Commitment").select_option(label="1 year")
    page.get_by_label("Global discount (%)").fill("10")
    page.get_by_label("Global discount (%)").press("Tab")
    expect(page.locator("#global-discount-amount")).not_to_have_text("€0.00")
    after = api_calculation(page, app_url, quote_id)
    assert after["total"] != calculation["total"]
    expect(page.locator("#total")).to_have_text(f"€{Decimal(after['total']):,.2f}")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    browser_csv = Path(download.value.path()).read_bytes()
    cookies = {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}
    api_csv = httpx.get(f"{app_url}/api/quotes/{quote_id}/export/csv", cookies=cookies).content
    assert browser_csv == api_csv
    rows = list(csv.reader(io.StringIO(browser_csv.decode("utf-8-sig"))))
    assert any(after["total"] in row for row in rows)


def test_quotes_are_created_loaded_and_deleted_with_the_replacement_rule(
    page: Page, app_url: str, outscale: OutscaleEmulator
) -> None:
    sign_in(page, outscale)
    picker = page.get_by_label("Quote", exact=True)
    first = picker.input_value()
    page.get_by_label("Name", exact=True).fill("First quote")
    page.get_by_role("button", name="Rename").click()
    expect(picker.locator("option:checked")).to_contain_text("First quote")
    page.get_by_role("button", name="New quote").click()
    expect(picker.locator("option")).to_have_count(2)
    second = picker.input_value()
    assert second != first

    picker.select_option(first)  # loading the first makes it the active one
    expect(picker.locator("option:checked")).to_contain_text("First quote — active")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete quote").click()
    expect(picker.locator("option")).to_have_count(1)
    expect(picker).to_have_value(second)  # the replacement: the saved one, now active
    expect(picker.locator("option:checked")).to_contain_text("active")
    shot(page, "quote-management")


def test_the_page_reads_in_french(page: Page, app_url: str, outscale: OutscaleEmulator) -> None:
    sign_in(page, outscale)
    page.get_by_label("Language").select_option("fr")
    expect(page.get_by_role("heading", name="Devis", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="Ajouter au devis")).to_be_visible()
    for field in page.locator("main input, main select").all():
        field_id = field.get_attribute("id")
        labelled = field.get_attribute("aria-label") or (field_id and page.locator(f"label[for='{field_id}']").count())
        assert labelled, f"an input without a label: {field.evaluate('node => node.outerHTML')}"
    shot(page, "quote-builder-fr")
