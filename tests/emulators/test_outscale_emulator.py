"""The Outscale emulator as the real osc-sdk-python sees it: signatures, spec checks, answers, pages, faults."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import requests
from osc_sdk_python import Gateway
from osc_sdk_python.authentication import Authentication
from osc_sdk_python.credentials import Endpoint, Profile

from tests.emulators.outscale import OutscaleEmulator, generated_vms, recorded_consumption, schema_validator


@pytest.fixture(scope="module")
def sdk() -> Gateway:
    """One Gateway for the module: building one parses the spec with pure-Python ruamel (seconds each)."""
    return Gateway(
        access_key="unset",
        secret_key="unset",
        region="eu-west-2",
        max_retries=2,
        retry_backoff_factor=0,
        retry_backoff_jitter=0,
        limiter_max_requests=1000,
    )


@pytest.fixture
def gateway(sdk: Gateway, outscale: OutscaleEmulator) -> Gateway:
    sdk.update_profile(
        access_key=outscale.access_key,
        secret_key=outscale.secret_key,
        region="eu-west-2",
        endpoints=Endpoint(api=outscale.endpoint),
    )
    return sdk


def signed_post(outscale: OutscaleEmulator, action: str, body: dict[str, Any], auth: Authentication) -> Any:
    """A request signed by the SDK's own signer, past the SDK's parameter checks."""
    return requests.post(f"{outscale.endpoint}/{action}", data=json.dumps(body), auth=auth, timeout=5)


def sdk_signer(outscale: OutscaleEmulator) -> Authentication:
    profile = Profile(access_key=outscale.access_key, secret_key=outscale.secret_key, region="eu-west-2")
    return Authentication(profile, host="127.0.0.1")


def test_the_sdk_reads_the_recorded_catalog_and_the_callers_account(gateway: Gateway) -> None:
    catalog = gateway.ReadCatalog()
    assert len(catalog["Catalog"]["Entries"]) == 122
    schema_validator("ReadCatalogResponse").validate(catalog)
    assert gateway.ReadAccounts()["Accounts"] == [{"AccountId": "249064296596"}]


def test_the_catalog_follows_the_region_in_the_signature(gateway: Gateway, outscale: OutscaleEmulator) -> None:
    entry = {"Service": "TinaOS-FCU", "Type": "BoxUsage:tinav5.c2r4p2", "Operation": "RunInstances-OD", "UnitPrice": 1}
    outscale.set_catalog("us-east-2", {"Catalog": {"Entries": [entry]}})
    gateway.update_profile(
        access_key=outscale.access_key,
        secret_key=outscale.secret_key,
        region="us-east-2",
        endpoints=Endpoint(api=outscale.endpoint),
    )
    assert gateway.ReadCatalog()["Catalog"]["Entries"] == [entry]


def test_the_sdk_finds_the_emulator_through_its_environment(
    sdk: Gateway, outscale: OutscaleEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OSC_ENDPOINT_API", outscale.endpoint)
    monkeypatch.setenv("OSC_ACCESS_KEY", outscale.access_key)
    monkeypatch.setenv("OSC_SECRET_KEY", outscale.secret_key)
    monkeypatch.setenv("OSC_REGION", "eu-west-2")
    sdk.update_profile()
    assert sdk.ReadAccounts()["Accounts"][0]["AccountId"] == outscale.account_id


def test_consumption_answers_the_entries_inside_the_window(gateway: Gateway, outscale: OutscaleEmulator) -> None:
    next_day = [
        {**entry, "FromDate": "2025-12-02T00:00:00.000+0000", "ToDate": "2025-12-03T00:00:00.000+0000"}
        for entry in recorded_consumption()
    ]
    outscale.add_consumption(outscale.account_id, next_day)

    first = gateway.ReadConsumptionAccount(FromDate="2025-12-01", ToDate="2025-12-02")
    both = gateway.ReadConsumptionAccount(FromDate="2025-12-01", ToDate="2025-12-03T00:00:00.000Z")
    second = gateway.ReadConsumptionAccount(FromDate="2025-12-02T00:00:00Z", ToDate="2026-01-01")

    assert len(first["ConsumptionEntries"]) == 18
    assert {entry["FromDate"][:10] for entry in first["ConsumptionEntries"]} == {"2025-12-01"}
    assert len(both["ConsumptionEntries"]) == 36
    assert {entry["FromDate"][:10] for entry in second["ConsumptionEntries"]} == {"2025-12-02"}
    assert "Currency" not in first
    schema_validator("ReadConsumptionAccountResponse").validate(first)


@pytest.mark.parametrize(
    ("from_date", "to_date"),
    [("2025-12-02", "2025-12-01"), ("2025-12-01", "2025-12-01"), ("2025-12-01T12:00:00Z", "2025-12-02")],
    ids=["reversed", "empty", "not-midnight"],
)
def test_consumption_refuses_a_window_outscale_refuses(gateway: Gateway, from_date: str, to_date: str) -> None:
    with pytest.raises(requests.HTTPError) as refused:
        gateway.ReadConsumptionAccount(FromDate=from_date, ToDate=to_date)
    assert refused.value.response is not None and refused.value.response.status_code == 400


def test_show_price_prices_only_what_the_catalog_knows_and_only_when_asked(
    gateway: Gateway, outscale: OutscaleEmulator
) -> None:
    unpriced = gateway.ReadConsumptionAccount(FromDate="2025-12-01", ToDate="2025-12-02", ShowPrice=True)
    outscale.set_consumption_prices(True)
    priced = gateway.ReadConsumptionAccount(FromDate="2025-12-01", ToDate="2025-12-02", ShowPrice=True)

    assert unpriced["Currency"] == "EUR"
    assert not any("Price" in entry for entry in unpriced["ConsumptionEntries"])
    with_price = [entry for entry in priced["ConsumptionEntries"] if "Price" in entry]
    assert len(with_price) == 12
    assert {entry["Type"].split(":")[0] for entry in priced["ConsumptionEntries"] if "Price" not in entry} == {
        "BoxUsage",
        "ProductUsage",
    }
    gp2 = next(entry for entry in with_price if entry["Type"] == "BSU:VolumeUsage:gp2")
    assert gp2["UnitPrice"] == 0.11 and gp2["Price"] == pytest.approx(gp2["Value"] * 0.11)
    schema_validator("ReadConsumptionAccountResponse").validate(priced)


@pytest.mark.parametrize(("access_key", "secret_key"), [(None, "wrong-secret"), ("AKIAUNKNOWN", None)])
def test_bad_keys_get_401_and_the_sdk_raises_it(
    gateway: Gateway, outscale: OutscaleEmulator, access_key: str | None, secret_key: str | None
) -> None:
    gateway.update_profile(
        access_key=access_key or outscale.access_key,
        secret_key=secret_key or outscale.secret_key,
        endpoints=Endpoint(api=outscale.endpoint),
    )
    with pytest.raises(requests.HTTPError) as refused:
        gateway.ReadAccounts()
    assert refused.value.response is not None and refused.value.response.status_code == 401
    assert refused.value.response.json()["Errors"][0]["Type"] == "AccessDenied"
    assert outscale.calls("ReadAccounts") == [401]


def test_a_signature_dated_20_minutes_ago_gets_401(outscale: OutscaleEmulator) -> None:
    sent_at = datetime.now(UTC) - timedelta(minutes=20)
    stale = sdk_signer(outscale)
    stale.build_dates = lambda: (sent_at.strftime("%Y%m%dT%H%M%SZ"), sent_at.strftime("%Y%m%d"))
    assert signed_post(outscale, "ReadAccounts", {}, stale).status_code == 401
    assert signed_post(outscale, "ReadAccounts", {}, sdk_signer(outscale)).status_code == 200


def test_bodies_the_spec_rejects_get_400(gateway: Gateway, outscale: OutscaleEmulator) -> None:
    window = {"FromDate": "2025-12-01", "ToDate": "2025-12-02"}
    unknown = signed_post(outscale, "ReadConsumptionAccount", {**window, "Bogus": 1}, sdk_signer(outscale))
    mistyped = signed_post(outscale, "ReadVms", {"ResultsPerPage": "ten"}, sdk_signer(outscale))
    with pytest.raises(requests.HTTPError) as missing:
        gateway.raw("ReadConsumptionAccount", FromDate="2025-12-01")
    with pytest.raises(requests.HTTPError) as no_such_action:
        gateway.raw("ReadEverything")

    assert unknown.status_code == 400 and "'Bogus' was unexpected" in unknown.json()["Errors"][0]["Details"]
    assert mistyped.status_code == 400 and "ResultsPerPage" in mistyped.json()["Errors"][0]["Details"]
    assert missing.value.response is not None and missing.value.response.status_code == 400
    assert "'ToDate' is a required property" in missing.value.response.json()["Errors"][0]["Details"]
    assert no_such_action.value.response is not None and no_such_action.value.response.status_code == 400


@pytest.mark.parametrize(("results_per_page", "pages"), [(None, 25), (1000, 3)])
def test_paging_over_2500_vms_returns_each_once(
    gateway: Gateway, outscale: OutscaleEmulator, results_per_page: int | None, pages: int
) -> None:
    outscale.add_resources(outscale.account_id, "Vms", generated_vms(2500))
    seen: list[str] = []
    token = None
    while True:
        page = gateway.ReadVms(ResultsPerPage=results_per_page, NextPageToken=token)
        if not seen:
            schema_validator("ReadVmsResponse").validate(page)
        seen.extend(vm["VmId"] for vm in page["Vms"])
        token = page.get("NextPageToken")
        if token is None:
            break
    assert len(seen) == len(set(seen)) == 2500
    assert outscale.calls("ReadVms") == [200] * pages


def test_throttling_is_retried_by_the_sdk_until_its_retries_run_out(
    gateway: Gateway, outscale: OutscaleEmulator
) -> None:
    outscale.fail_next(2, 503)
    assert gateway.ReadCatalog()["Catalog"]["Entries"]
    outscale.fail_next(3, 429)
    with pytest.raises(requests.HTTPError) as throttled:
        gateway.ReadAccounts()

    assert outscale.calls("ReadCatalog") == [503, 503, 200]
    assert outscale.calls("ReadAccounts") == [429, 429, 429]
    assert throttled.value.response is not None and throttled.value.response.status_code == 429


def test_the_public_catalog_needs_no_signature_and_the_rest_does(outscale: OutscaleEmulator) -> None:
    public = httpx.post(f"{outscale.endpoint}/ReadPublicCatalog", json={})
    private = httpx.post(f"{outscale.endpoint}/ReadCatalog", json={})

    assert public.status_code == 200 and len(public.json()["Catalog"]["Entries"]) == 122
    assert private.status_code == 401 and private.json()["Errors"][0]["Code"] == "1"


@pytest.fixture
def emulator_without_accounts() -> Iterator[OutscaleEmulator]:
    emulator = OutscaleEmulator(public_region="cloudgouv-eu-west-1").start()
    yield emulator
    emulator.stop()


def test_the_public_catalog_is_the_one_of_the_public_region(emulator_without_accounts: OutscaleEmulator) -> None:
    emulator_without_accounts.set_catalog("cloudgouv-eu-west-1", {"Catalog": {"Entries": []}})
    answer = httpx.post(f"{emulator_without_accounts.endpoint}/ReadPublicCatalog", json={}).json()
    assert answer["Catalog"]["Entries"] == []
