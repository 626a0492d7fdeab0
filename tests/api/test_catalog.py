"""GET /api/catalog: prices in force from refresh-catalog's history, else a live read cached 24 h."""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg

from finops.db.catalog_prices import record_catalog
from finops.domain.outscale_catalog import parse_catalog
from tests.api.conftest import ClientFactory
from tests.emulators.outscale import OutscaleEmulator


async def test_without_history_the_live_catalog_is_read_once_and_said_so(
    api_client_for: ClientFactory, migrated_dsn: str, outscale: OutscaleEmulator
) -> None:
    async with api_client_for(migrated_dsn, None, outscale_endpoint=outscale.endpoint) as client:
        first = await client.get("/api/catalog", params={"region": "eu-west-2"})
        second = await client.get("/api/catalog", params={"region": "eu-west-2", "category": "storage"})
    assert first.status_code == 200
    assert first.json()["metadata"]["count"] == 122
    assert first.json()["metadata"]["cache"]["source"] == "live"
    assert {entry["category"] for entry in second.json()["data"]} == {"storage"}
    assert outscale.calls("ReadPublicCatalog") == [200]  # the second answer came from the cache


async def test_history_is_preferred_and_search_finds_by_title_and_key(
    api_client_for: ClientFactory, migrated_dsn: str, outscale: OutscaleEmulator
) -> None:
    refreshed_at = datetime(2026, 11, 24, 4, 17, tzinfo=UTC)
    with psycopg.connect(migrated_dsn) as conn:
        record_catalog(conn, "eu-west-2", "EUR", parse_catalog(outscale.catalog("eu-west-2")), refreshed_at)
    async with api_client_for(migrated_dsn, None, outscale_endpoint=outscale.endpoint) as client:
        response = await client.get("/api/catalog", params={"region": "eu-west-2", "q": "io1 iops"})
    assert response.status_code == 200
    assert response.json()["data"] == [
        {
            "key": "TinaOS-FCU/BSU:VolumeIOPS:io1/CreateVolume",
            "service": "TinaOS-FCU",
            "type": "BSU:VolumeIOPS:io1",
            "operation": "CreateVolume",
            "title": next(
                entry["Title"]
                for entry in outscale.catalog("eu-west-2")["Catalog"]["Entries"]
                if entry["Type"] == "BSU:VolumeIOPS:io1"
            ),
            "category": "storage",
            "unit_price": "0.01",
            "currency": "EUR",
            "billing_unit": "month",
        }
    ]
    cache = response.json()["metadata"]["cache"]
    assert (cache["source"], cache["as_of"]) == ("database", refreshed_at.isoformat())
    assert outscale.calls("ReadPublicCatalog") == []


async def test_an_unreadable_catalog_is_an_error_never_an_empty_list(
    api_client_for: ClientFactory, migrated_dsn: str, outscale: OutscaleEmulator
) -> None:
    outscale.fail_next(1, status=503)
    async with api_client_for(migrated_dsn, None, outscale_endpoint=outscale.endpoint) as client:
        failed = await client.get("/api/catalog", params={"region": "us-east-2"})
        unknown_region = await client.get("/api/catalog", params={"region": "mars-1"})
    assert failed.status_code == 503
    assert failed.json()["error"]["code"] == "cloud_unavailable"
    assert unknown_region.status_code == 422
    assert unknown_region.json()["error"]["details"][0]["field"] == "region"
