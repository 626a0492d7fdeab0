"""The event path end to end: OCI event → our API → Prefect event → deployment trigger → served run → mail."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterName
from prefect.client.schemas.objects import FlowRun

from api.app import create_app
from finops.config import Settings
from tests.flows.conftest import BUCKET, NS, DeliveryWorld, gzipped_sample, serving_deployments
from tests.unit.test_oci_events import oci_event

TOKEN = "trigger-t0ken"
REPORT = "WeeklyCostsScheduledReport_20250620_0.csv.gz"
TRIGGER_AUTOMATION = "deliver-reports__trigger_1"


@pytest.fixture
def served_deployments(delivery: DeliveryWorld, prefect_api_url: str, tmp_path: Path) -> Iterator[None]:
    with serving_deployments(prefect_api_url, tmp_path / "serve.log", TRIGGER_AUTOMATION):
        yield


def _triggered_runs() -> list[FlowRun]:
    with get_client(sync_client=True) as prefect:
        runs = prefect.read_flow_runs(
            deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=["deliver-reports"]))
        )
    return [run for run in runs if run.parameters.get("object_name")]


def an_object_event() -> dict[str, object]:
    event = oci_event(
        resourceName=REPORT,
        resourceId=f"/n/{NS}/b/{BUCKET}/o/{REPORT}",
        additionalDetails={"bucketName": BUCKET, "namespace": NS, "eTag": "from-the-event-not-trusted"},
    )
    return {**event, "eventID": str(uuid.uuid4())}


def test_an_oci_event_delivers_the_report_through_the_deployment_trigger(
    delivery: DeliveryWorld, served_deployments: None, prefect_api_url: str
) -> None:
    data = gzipped_sample("reports_cost-csv_0000000030000269.csv")
    delivery.put_report(REPORT, data)
    delivery.monkeypatch.setenv("FINOPS_EVENTS_TOKEN", TOKEN)
    delivery.monkeypatch.setenv("PREFECT_API_URL", prefect_api_url)
    deadline = time.monotonic() + 150
    with TestClient(app=create_app(Settings())) as client:
        # OCI delivers events at least once. Prefect's trigger service may take a few seconds to
        # load a new automation, so until a run starts the event is redelivered, as OCI would.
        while not _triggered_runs() and time.monotonic() < deadline:
            response = client.post(f"/api/events/oci?token={TOKEN}", json=an_object_event())
            assert response.status_code == 202, response.text
            wait_until = min(deadline, time.monotonic() + 15)
            while not _triggered_runs() and time.monotonic() < wait_until:
                time.sleep(1)
    while not delivery.mail.messages and time.monotonic() < deadline:
        time.sleep(1)

    assert len(delivery.mail.messages) == 1, "no mail arrived through the trigger"
    (attachment,) = list(delivery.mail.messages[0].iter_attachments())
    assert attachment.get_payload(decode=True) == data
    triggered = _triggered_runs()
    assert triggered and all(run.parameters["object_name"] == REPORT for run in triggered)
