"""ingest-costs in process: real Prefect and PostgreSQL, a local folder of real OCI samples."""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from flows.ingest_costs import ingest_costs
from tests.emulators.fixtures import OciAccount
from tests.emulators.oci import OciEmulator
from tests.flows.conftest import REFERENCE


def run(source: str) -> tuple[bool, list[dict[str, Any]], str]:
    state = ingest_costs(source=source, return_state=True)
    outcomes = state.result(raise_on_failure=False)
    return state.is_completed(), outcomes if isinstance(outcomes, list) else [], state.message or ""


@pytest.fixture
def reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, migrated_dsn: str, prefect_api_url: str) -> Path:
    monkeypatch.setenv("DATABASE_URL", migrated_dsn)
    folder = tmp_path / "reports"
    (folder / "reports" / "cost-csv").mkdir(parents=True)
    (folder / "reports" / "usage-csv").mkdir(parents=True)
    cost = (REFERENCE / "reports_cost-csv_0000000030000269.csv").read_bytes()
    (folder / "reports" / "cost-csv" / "0000000030000269.csv.gz").write_bytes(gzip.compress(cost))
    (folder / "reports" / "cost-csv" / "0001000000603747.csv").write_bytes(
        (REFERENCE / "reports_cost-csv_0001000000603747.csv").read_bytes()
    )
    (folder / "reports" / "usage-csv" / "0001000000829494.csv").write_bytes(
        (REFERENCE / "reports_usage-csv_0001000000829494.csv").read_bytes()
    )
    return folder


def ingested_event_for_day(prefect_api_url: str, day: str, wait_seconds: float = 30) -> dict[str, Any] | None:
    """The finops.costs.ingested event that names ``day`` (other tests' runs emit their own)."""
    deadline = time.monotonic() + wait_seconds
    while True:
        response = httpx.post(
            f"{prefect_api_url}/events/filter",
            json={"filter": {"event": {"name": ["finops.costs.ingested"]}}},
            timeout=10,
        )
        found = [event for event in response.json()["events"] if day in event["payload"]["days"]]
        if found or time.monotonic() > deadline:
            return found[0] if found else None
        time.sleep(0.5)


def test_every_file_loads_once_and_the_run_announces_it(reports: Path, migrated_dsn: str, prefect_api_url: str) -> None:
    completed, outcomes, _ = run(f"file://{reports}")
    assert completed
    assert sorted((o["kind"], o["status"]) for o in outcomes) == [
        ("oci-cost", "loaded"),
        ("oci-cost", "loaded"),
        ("oci-usage", "loaded"),
    ]
    with psycopg.connect(migrated_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM source_files WHERE status = 'loaded'").fetchone() == (3,)
        lines = conn.execute("SELECT count(*) FROM cost_lines").fetchone()
    event = ingested_event_for_day(prefect_api_url, "2023-11-13")
    assert event is not None, "no finops.costs.ingested event names the loaded day"
    assert event["payload"]["accounts"]

    completed, outcomes, _ = run(f"file://{reports}")
    assert completed and outcomes == []
    with psycopg.connect(migrated_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM cost_lines").fetchone() == lines


def test_the_run_shows_its_progress_in_the_prefect_ui(reports: Path, prefect_api_url: str) -> None:
    state = ingest_costs(source=f"file://{reports}", return_state=True)
    response = httpx.post(
        f"{prefect_api_url}/artifacts/filter",
        json={
            "artifacts": {
                "flow_run_id": {"any_": [str(state.state_details.flow_run_id)]},
                "type": {"any_": ["progress"]},
            }
        },
        timeout=10,
    )
    assert [(a["data"], a["description"]) for a in response.json()] == [(100.0, "files loaded: 3 of 3")]


def test_a_bad_file_fails_alone_and_names_its_line(reports: Path, migrated_dsn: str, prefect_api_url: str) -> None:
    (reports / "reports" / "cost-csv" / "broken.csv").write_text(
        "lineItem/referenceNo,lineItem/intervalUsageStart,product/service,cost/myCost,cost/currencyCode\n"
        "r1,2025-06-01T10:00Z,COMPUTE,1.5,EUR\nr2,2025-06-01T10:00Z,COMPUTE,one,EUR\n"
    )
    state = ingest_costs(source=f"file://{reports}", return_state=True)
    assert state.is_completed()
    outcomes = state.result()
    (broken,) = [o for o in outcomes if o["file"].endswith("broken.csv")]
    assert broken["status"] == "failed"
    assert broken["problem"]["line"] == 3 and broken["problem"]["column"] == "cost/myCost"
    assert sum(o["status"] == "loaded" for o in outcomes) == 3

    report = run_report(prefect_api_url, str(state.state_details.flow_run_id))
    assert "line 3, cost/myCost: " in report
    # The real samples' amounts to the last digit: the GBP file costs a fraction of a penny in all.
    assert "GBP 0.000040641" in report
    rows = sum(o["rows"] for o in outcomes)
    assert f"{rows:,} rows from 3 of 4 files" in report


def run_report(prefect_api_url: str, flow_run_id: str) -> str:
    response = httpx.post(
        f"{prefect_api_url}/artifacts/filter",
        json={"artifacts": {"flow_run_id": {"any_": [flow_run_id]}, "key": {"any_": ["ingest-costs"]}}},
        timeout=10,
    )
    (artifact,) = response.json()
    return str(artifact["data"])


def test_a_run_where_nothing_could_load_fails_and_says_which(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, migrated_dsn: str, prefect_api_url: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", migrated_dsn)
    (tmp_path / "only.csv.gz").write_bytes(b"\x1f\x8b\x08\x00 truncated")
    completed, _, message = run(f"file://{tmp_path}")
    assert not completed
    assert "nothing could be loaded" in message and "only.csv.gz" in message


def test_a_file_that_failed_is_not_read_again_and_does_not_fail_the_next_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, migrated_dsn: str, prefect_api_url: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", migrated_dsn)
    broken = tmp_path / "broken.csv"
    broken.write_text(
        "lineItem/referenceNo,lineItem/intervalUsageStart,product/service,cost/myCost,cost/currencyCode\n"
        "r1,2025-06-01T10:00Z,COMPUTE,one,EUR\n"
    )
    completed, _, message = run(f"file://{tmp_path}")
    assert not completed and "broken.csv" in message
    with psycopg.connect(migrated_dsn) as conn:
        finished = conn.execute("SELECT finished_at FROM source_files WHERE uri LIKE '%broken.csv'").fetchone()

    # The hourly schedule meets the same bytes again: it says so, and the run is not a failure.
    completed, outcomes, _ = run(f"file://{tmp_path}")
    assert completed
    (earlier,) = outcomes
    assert earlier["status"] == "failed before"
    assert (earlier["problem"]["line"], earlier["problem"]["column"]) == (2, "cost/myCost")
    with psycopg.connect(migrated_dsn) as conn:
        again = conn.execute("SELECT finished_at FROM source_files WHERE uri LIKE '%broken.csv'").fetchone()
    assert again == finished, "the failed version was read again"

    # Once the loader is mended, the same version can be asked for again.
    state = ingest_costs(source=f"file://{tmp_path}", retry_failed=True, return_state=True)
    (retried,) = state.result(raise_on_failure=False)
    assert retried["status"] == "failed" and not state.is_completed()

    # Mended in place, the file is a new version and loads.
    broken.write_text(broken.read_text().replace(",one,", ",1.25,"))
    completed, outcomes, _ = run(f"file://{tmp_path}")
    assert completed and [o["status"] for o in outcomes] == ["loaded"]


def test_a_source_that_is_no_folder_or_bucket_says_what_to_give_instead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, migrated_dsn: str, prefect_api_url: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", migrated_dsn)
    report = tmp_path / "one.csv"
    report.write_bytes((REFERENCE / "reports_cost-csv_0001000000603747.csv").read_bytes())
    for source, reason in ((f"file://{report}", "is a file: name its folder"), (str(tmp_path), "must start with")):
        completed, outcomes, message = run(source)
        assert not completed and source in message
        (outcome,) = outcomes
        assert reason in outcome["problem"]["message"]


DATABASE_SECRET_OCID = "ocid1.vaultsecret.oc1.eu-paris-1.costdatabase"


def test_a_bucket_loads_through_throttling_and_server_errors_with_database_credentials_from_vault(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    migrated_dsn: str,
    prefect_api_url: str,
    oci_account: OciAccount,
    oci: OciEmulator,
) -> None:
    target = conninfo_to_dict(migrated_dsn)
    oci.add_secret(
        DATABASE_SECRET_OCID,
        json.dumps(
            {
                "host": target["host"],
                "port": int(target.get("port") or 5432),
                "dbname": target["dbname"],
                "username": target.get("user") or "postgres",
                "password": "kept:in/vault",
            }
        ),
    )
    monkeypatch.delenv("DATABASE_URL", raising=False)
    for name, value in {
        "FINOPS_HOME": str(tmp_path / "home"),
        "FINOPS_OCI_CONFIG_FILE": str(oci_account.config_file),
        "FINOPS_OCI_OBJECT_STORAGE_ENDPOINT": oci.endpoint,
        "FINOPS_OCI_SECRETS_ENDPOINT": oci.endpoint,
        "FINOPS_DATABASE_SECRET": f"oci-vault:{DATABASE_SECRET_OCID}",
    }.items():
        monkeypatch.setenv(name, value)
    cost = (REFERENCE / "reports_cost-csv_0000000030000269.csv").read_bytes()
    oci.put_object("bling", "ocid1.tenancy.oc1..t", "reports/cost-csv/0000000030000269.csv.gz", gzip.compress(cost), "")
    oci.fail_next(1, status=429)
    oci.fail_next(1, status=500)

    completed, outcomes, message = run("oci://bling/ocid1.tenancy.oc1..t/reports/")

    assert completed, message
    assert [(o["status"], o["rows"]) for o in outcomes] == [("loaded", 506)]
    assert {status for _, _, status in oci.calls("GET", "/n/bling/b/")} >= {429, 500, 200}
    with psycopg.connect(migrated_dsn) as conn:
        assert conn.execute("SELECT count(*), status FROM source_files GROUP BY status").fetchall() == [(1, "loaded")]
