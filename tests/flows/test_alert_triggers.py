"""The chain after ingestion: finops.costs.ingested → check-budgets' deployment trigger → a served run → the digest."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterName
from prefect.events import emit_event

from finops.domain.budgets import period_bounds
from tests.emulators.smtp import MailServer
from tests.flows.conftest import serving_deployments
from tests.flows.test_check_budgets import spend


def _runs_of(deployment: str) -> int:
    with get_client(sync_client=True) as prefect:
        return len(
            prefect.read_flow_runs(deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=[deployment])))
        )


def _check_budgets_runs() -> int:
    return _runs_of("check-budgets")


def test_new_costs_trigger_both_alert_flows_and_check_budgets_sends_the_alert(
    alerting: int, migrated_dsn: str, mail_server: MailServer, prefect_api_url: str, tmp_path: Path
) -> None:
    # 600 of a 1,000 budget on the first day of this month: the 50 % actual rule crosses, whatever day it is.
    spend(migrated_dsn, period_bounds("monthly", datetime.now(UTC).date())[0], 1, Decimal(600))
    with serving_deployments(prefect_api_url, tmp_path / "serve.log", "check-budgets__trigger_1"):
        runs_before, drift_runs_before = _check_budgets_runs(), _runs_of("detect-drift")
        deadline = time.monotonic() + 240

        # Prefect's trigger service may take a few seconds to load each new automation: the event is
        # sent again until both flows have started, as ingest-costs would on its next load (a second
        # check-budgets run sends nothing: the alert goes out once).
        def both_started() -> bool:
            return _check_budgets_runs() > runs_before and _runs_of("detect-drift") > drift_runs_before

        while not both_started() and time.monotonic() < deadline:
            emit_event(
                event="finops.costs.ingested",
                resource={"prefect.resource.id": "finops.cost-ledger.oci"},
                payload={"files": ["file:///test"], "days": [], "accounts": []},
            )
            wait_until = min(deadline, time.monotonic() + 15)
            while not both_started() and time.monotonic() < wait_until:
                time.sleep(1)
        while not mail_server.messages and time.monotonic() < deadline:
            time.sleep(1)
    assert _runs_of("detect-drift") > drift_runs_before, "detect-drift has the same trigger"
    assert len(mail_server.messages) == 1, (tmp_path / "serve.log").read_text()[-3000:]
    assert mail_server.messages[0]["Subject"] == "[finops] Budget prod: actual 50 % crossed"
