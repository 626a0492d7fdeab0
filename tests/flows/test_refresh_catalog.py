"""refresh-catalog in process: the real Prefect engine reads the emulator's public catalog into price history."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import psycopg
import pytest

from flows.refresh_catalog import refresh_catalog
from tests.emulators.outscale import OutscaleEmulator


@pytest.fixture
def catalog_env(
    monkeypatch: pytest.MonkeyPatch, migrated_dsn: str, prefect_api_url: str, outscale: OutscaleEmulator
) -> None:
    monkeypatch.setenv("DATABASE_URL", migrated_dsn)
    monkeypatch.setenv("FINOPS_OUTSCALE_ENDPOINT", outscale.endpoint)


def run(regions: list[str]) -> tuple[bool, list[dict[str, Any]], str, str]:
    state = refresh_catalog(regions=regions, return_state=True)
    outcomes = state.result(raise_on_failure=False)
    return (
        state.is_completed(),
        outcomes if isinstance(outcomes, list) else [],
        state.message or "",
        str(state.state_details.flow_run_id),
    )


def with_gp2_at(catalog: dict[str, Any], price: float) -> dict[str, Any]:
    changed = copy.deepcopy(catalog)
    for entry in changed["Catalog"]["Entries"]:
        if entry["Type"] == "BSU:VolumeUsage:gp2":
            entry["UnitPrice"] = price
    return changed


@pytest.mark.usefixtures("catalog_env")
def test_prices_are_recorded_once_and_again_only_when_they_change(
    outscale: OutscaleEmulator, migrated_dsn: str, prefect_api_url: str
) -> None:
    completed, (first,), _, run_id = run(["eu-west-2"])
    assert completed
    assert (first["entries"], first["added"], first["currency"]) == (122, 122, "EUR")
    artifacts = httpx.post(
        f"{prefect_api_url}/artifacts/filter",
        json={"artifacts": {"flow_run_id": {"any_": [run_id]}, "type": {"any_": ["table"]}}},
        timeout=10,
    ).json()
    assert [artifact["key"] for artifact in artifacts] == ["refresh-catalog"]

    completed, (again,), _, _ = run(["eu-west-2"])
    assert completed and (again["added"], again["changed"], again["unchanged"]) == (0, [], 122)

    outscale.set_catalog("eu-west-2", with_gp2_at(outscale.catalog("eu-west-2"), 0.12))
    completed, (third,), _, _ = run(["eu-west-2"])
    assert completed and third["changed"] == ["TinaOS-FCU/BSU:VolumeUsage:gp2/CreateVolume 0.12"]
    with psycopg.connect(migrated_dsn) as conn:
        assert conn.execute("SELECT count(*), count(valid_to) FROM osc_catalog_prices").fetchone() == (123, 1)


@pytest.mark.usefixtures("catalog_env")
def test_a_throttled_api_is_retried(outscale: OutscaleEmulator) -> None:
    outscale.fail_next(2, status=503)
    completed, (outcome,), message, _ = run(["eu-west-2"])
    assert completed, message
    assert outcome["added"] == 122
    assert outscale.calls("ReadPublicCatalog") == [503, 503, 200]
