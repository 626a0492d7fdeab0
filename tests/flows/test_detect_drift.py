"""detect-drift in process: Outscale estimate vs bill and spend anomalies found on seeded data, each told once."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage
from typing import Any

import psycopg
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

from flows.detect_drift import detect_drift
from tests.emulators.smtp import MailServer
from tests.emulators.webhooks import WebhookReceiver

D = Decimal
ACCOUNT = "249064296596"
TENANCY = "ocid1.tenancy.oc1..aaaaaaaadrifttenancy"
DAY = date(2026, 11, 10)
OPERATOR = "ops@tenant.example"


@pytest.fixture
def detecting(alert_env: pytest.MonkeyPatch, webhook_receiver: WebhookReceiver) -> None:
    """The operator is told of findings by email and by webhook."""
    alert_env.setenv("FINOPS_ALERT_EMAILS", json.dumps([OPERATOR]))
    alert_env.setenv("FINOPS_ALERT_WEBHOOKS", json.dumps([webhook_receiver.url]))


def snapshot(conn: psycopg.Connection, taken_at: datetime, hourly: dict[str, Decimal]) -> None:
    conn.execute(
        "INSERT INTO resource_snapshots (account_id, region, taken_at, resources) VALUES (%s, 'eu-west-2', %s, %s)",
        [ACCOUNT, taken_at, len(hourly)],
    )
    for resource_type, per_hour in hourly.items():
        conn.execute(
            "INSERT INTO resource_costs (snapshot_at, account_id, region, resource_type, resource_id, price_per_hour,"
            " price_per_month, currency) VALUES (%s, %s, 'eu-west-2', %s, %s, %s, %s, 'EUR')",
            [taken_at, ACCOUNT, resource_type, f"{resource_type.lower()}-1", per_hour, per_hour * 730],
        )


def consumed(conn: psycopg.Connection, day: date, entries: list[tuple[str, str, str, Decimal]]) -> None:
    for service, type_, operation, price in entries:
        conn.execute(
            "INSERT INTO osc_consumption (account_id, day, service, type, operation, region, value, price, currency,"
            " price_source) VALUES (%s, %s, %s, %s, %s, 'eu-west-2', 1, %s, 'EUR', 'api')",
            [ACCOUNT, day, service, type_, operation, price],
        )


def seed_outscale_day(dsn: str) -> None:
    """The day before ends with Vm 1.00/h and Volume 0.50/h; a noon snapshot changes nothing: 24.00 and 12.00."""
    midnight = datetime.combine(DAY, datetime.min.time(), UTC)
    with psycopg.connect(dsn, autocommit=True) as conn:
        snapshot(conn, midnight - timedelta(minutes=13), {"Vm": D("1.00"), "Volume": D("0.50")})
        snapshot(conn, midnight + timedelta(hours=12), {"Vm": D("1.00"), "Volume": D("0.50")})
        consumed(conn, DAY, [
            ("TinaOS-FCU", "CustomCore:v5-p2", "RunInstances-OD", D("20.00")),
            ("TinaOS-FCU", "CustomRam", "RunInstances-OD", D("4.00")),  # Vm billed 24.00: no drift
            ("TinaOS-FCU", "BSU:VolumeUsage:gp2", "CreateVolume", D("18.00")),  # Volume: 12 vs 18, -33.3 %
            ("TinaOS-FCU", "ElasticIP:IdleAddress", "AssociateAddressVPC", D("5.00")),  # only in the bill
            ("TinaOS-FCU", "DataTransfer-Internet:out", "Internet", D("3.00")),  # no resource estimates it
        ])  # fmt: skip


def seed_daily_spend(dsn: str) -> None:
    """5 weeks of OCI compute at 100 on weekdays and 40 on weekends, then a spike of 400 on DAY (a Tuesday);
    object storage at a steady 10, with a weekend doubling that is its usual pattern."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        for offset in range(35, -1, -1):
            day = DAY - timedelta(days=offset)
            weekend = day.weekday() >= 5
            compute = D(400) if day == DAY else D(40) if weekend else D(100)
            storage = D(20) if weekend else D(10)
            for service, cost in (("COMPUTE", compute), ("OBJECTSTORE", storage)):
                conn.execute(
                    "INSERT INTO daily_costs (provider, account_id, service_name, region_id, day, currency,"
                    " billed_cost, effective_cost, lines) VALUES ('oci', %s, %s, 'eu-paris-1', %s, 'EUR', %s, %s, 1)",
                    [TENANCY, service, day, cost, cost],
                )


def run(**parameters: Any) -> tuple[bool, dict[str, Any], str]:
    state = detect_drift(**parameters, return_state=True)
    summary = state.result(raise_on_failure=False)
    return state.is_completed(), summary if isinstance(summary, dict) else {}, state.message or ""


def findings(dsn: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(
            "SELECT method, account_id, subject, period_start, expected, actual, impact, round(variance_percent, 2)"
            " FROM drift_findings ORDER BY method, subject"
        ).fetchall()


def text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return body.get_content()


def test_drift_and_a_spike_are_found_recorded_and_told_once_to_the_operator(
    detecting: None, migrated_dsn: str, mail_server: MailServer, webhook_receiver: WebhookReceiver
) -> None:
    assert DAY.weekday() == 1
    seed_outscale_day(migrated_dsn)
    seed_daily_spend(migrated_dsn)
    completed, summary, _ = run(from_date=DAY, to_date=DAY + timedelta(days=1))
    assert completed, summary
    assert findings(migrated_dsn) == [
        # Billed 5 with nothing estimated: impact 5, no variance against an expected 0.
        ("estimate_vs_bill", ACCOUNT, "PublicIp", DAY, D("0"), D("5.00"), D("5.00"), None),
        # Estimated 12, billed 18: impact 6, +50 % of the estimate (osc-cost's drift: -6 / 18 = -33.3 %).
        ("estimate_vs_bill", ACCOUNT, "Volume", DAY, D("12.00"), D("18.00"), D("6.00"), D("50.00")),
        # The 4 Tuesdays before cost 100 each: expected 100, impact 300, +300 %.
        ("same_weekday_median", TENANCY, "COMPUTE", DAY, D(100), D(400), D(300), D("300.00")),
    ]
    drift = next(d for d in summary["detections"] if d["method"] == "estimate_vs_bill")
    assert drift["compared"] == 1
    assert drift["not_estimable"] == {"EUR TinaOS-FCU/DataTransfer-Internet:out": "3.00"}

    (message,) = mail_server.messages
    assert message["To"] == OPERATOR
    assert message["Subject"] == "[finops] 3 alerts: estimate differs from the bill, spend anomaly"
    text = text_of(message)
    assert "was billed EUR 5.00 for PublicIp on 2026-11-10, which no resource snapshot estimated" in text
    assert "-33.3 % drift" in text and "EUR 400.00 on 2026-11-10" in text
    (body,) = webhook_receiver.bodies
    assert sorted(a["kind"] for a in body["alerts"]) == ["anomaly", "drift", "drift"]

    completed, summary, _ = run(from_date=DAY, to_date=DAY + timedelta(days=1))
    assert completed
    assert len(findings(migrated_dsn)) == 3
    assert len(mail_server.messages) == 1 and len(webhook_receiver.bodies) == 1
    assert all(not f["new_alert"] for d in summary["detections"] for f in d["findings"])


def test_no_estimate_without_a_snapshot_before_the_day_and_no_anomaly_without_14_days(
    detecting: None, migrated_dsn: str, mail_server: MailServer
) -> None:
    midnight = datetime.combine(DAY, datetime.min.time(), UTC)
    with psycopg.connect(migrated_dsn, autocommit=True) as conn:
        snapshot(conn, midnight + timedelta(hours=3), {"Vm": D("1.00")})  # the night is not covered
        consumed(conn, DAY, [("TinaOS-FCU", "CustomRam", "RunInstances-OD", D("50.00"))])
        for offset in range(10, -1, -1):
            cost = D(900) if offset == 0 else D(10)
            conn.execute(
                "INSERT INTO daily_costs (provider, account_id, service_name, region_id, day, currency, billed_cost,"
                " effective_cost, lines) VALUES ('oci', %s, 'COMPUTE', '', %s, 'EUR', %s, %s, 1)",
                [TENANCY, DAY - timedelta(days=offset), cost, cost],
            )
    completed, summary, _ = run(from_date=DAY, to_date=DAY + timedelta(days=1))
    assert completed
    drift = next(d for d in summary["detections"] if d["method"] == "estimate_vs_bill")
    assert (drift["compared"], drift["not_estimated"]) == (0, 1)
    assert findings(migrated_dsn) == []
    assert mail_server.messages == []


def test_a_dead_webhook_fails_the_run_and_is_tried_again_next_run(
    detecting: None,
    migrated_dsn: str,
    mail_server: MailServer,
    webhook_receiver: WebhookReceiver,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("DEBUG")
    seed_daily_spend(migrated_dsn)
    webhook_receiver.fail_next(3)  # the first try and both retries
    completed, _, message = run(from_date=DAY, to_date=DAY + timedelta(days=1))
    assert not completed and "answered 503" in message
    assert len(mail_server.messages) == 1 and webhook_receiver.bodies == []
    completed, _, _ = run(from_date=DAY, to_date=DAY + timedelta(days=1))
    assert completed and len(webhook_receiver.bodies) == 1 and len(mail_server.messages) == 1
    assert "digest channel=webhook" in caplog.text, "the run's logs were not captured"
    with get_client(sync_client=True) as prefect:
        artifacts = prefect.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["detect-drift"])))
    assert artifacts, "the runs left no artifact"
    # The URL's path is the receiver's secret (as in a Slack or Teams URL): logs, messages and artifacts name the host.
    secret = webhook_receiver.url.split("/hooks/")[1]
    with psycopg.connect(migrated_dsn) as conn:
        stored = repr(conn.execute("SELECT * FROM alert_notifications").fetchall())
    for evidence in (caplog.text, message, repr([a.data for a in artifacts]), stored):
        assert secret not in evidence


def test_two_runs_at_once_record_and_tell_each_finding_once(
    detecting: None, migrated_dsn: str, mail_server: MailServer, webhook_receiver: WebhookReceiver
) -> None:
    seed_outscale_day(migrated_dsn)
    seed_daily_spend(migrated_dsn)
    start = threading.Barrier(2)
    completions: list[bool] = []

    def one_run() -> None:
        start.wait()
        completions.append(run(from_date=DAY, to_date=DAY + timedelta(days=1))[0])

    threads = [threading.Thread(target=one_run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert completions == [True, True]
    assert len(findings(migrated_dsn)) == 3
    told = sorted(alert["title"] for body in webhook_receiver.bodies for alert in body["alerts"])
    assert len(told) == 3 and len(set(told)) == 3, told
    emailed = [line for m in mail_server.messages for line in text_of(m).splitlines() if line[:1].isdigit()]
    assert len(emailed) == 3, emailed
