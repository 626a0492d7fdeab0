"""deliver-reports end to end in process: real Prefect, PostgreSQL, `oci` SDK + emulator, SMTP server."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import socket
import threading
from decimal import Decimal
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

from flows.deliver_reports import deliver_reports
from tests.flows.conftest import BUCKET, NS, PASSWORD_OCID, USERNAME_OCID, DeliveryWorld, gzipped_sample, sample

COST_SAMPLE = "reports_cost-csv_0000000030000269.csv"


def run(**parameters: Any) -> tuple[bool, list[dict[str, Any]], str]:
    state = deliver_reports(**parameters, return_state=True)
    outcomes = state.result(raise_on_failure=False)
    data = outcomes if isinstance(outcomes, list) else []
    return state.is_completed(), data, state.message or ""


def attachment_of(message: EmailMessage) -> bytes:
    parts = [part for part in message.iter_attachments()]
    assert len(parts) == 1
    payload = parts[0].get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload


def text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return body.get_content()


def independent_total(name: str) -> Decimal:
    rows = csv.DictReader(io.StringIO(sample(name).decode()))
    return sum((Decimal(row["cost/myCost"]) for row in rows if row["cost/myCost"]), Decimal(0))


def ledger(dsn: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(
            "SELECT object_name, status, error_category, delivered_as, attempts FROM deliveries ORDER BY id"
        ).fetchall()


def test_the_schedule_delivers_every_new_matching_report_once(delivery: DeliveryWorld, migrated_dsn: str) -> None:
    weekly = gzipped_sample(COST_SAMPLE)
    focus = gzipped_sample("reports_usage-csv_0001000000829494.csv")
    delivery.put_report("WeeklyCostsScheduledReport_20250620_0.csv.gz", weekly)
    delivery.put_report("FOCUS Reports/2025/06/20/usage 0001.csv.gz", focus)
    delivery.put_report("README.txt", b"not a report")
    delivery.put_report("z-last.csv.gz", gzipped_sample("reports_cost-csv_0001000000603747.csv"))

    completed, outcomes, _ = run()
    assert completed
    assert sorted(o["status"] for o in outcomes) == ["sent", "sent", "sent"]
    by_subject = {m["Subject"]: m for m in delivery.mail.messages}
    assert set(by_subject) == {
        "[weekly] WeeklyCostsScheduledReport_20250620_0.csv.gz",
        "[weekly] usage 0001.csv.gz",
        "[weekly] z-last.csv.gz",
    }
    message = by_subject["[weekly] WeeklyCostsScheduledReport_20250620_0.csv.gz"]
    assert attachment_of(message) == weekly
    assert message["To"] == "cfo@tenant.example, finops@tenant.example"
    assert re.fullmatch(r"<[0-9a-f]{40}@finops-flows>", message["Message-ID"])
    assert f"USD {independent_total(COST_SAMPLE):,.2f}" in text_of(message)
    assert "MYSQL" in text_of(message)
    assert attachment_of(by_subject["[weekly] usage 0001.csv.gz"]) == focus

    completed, outcomes, _ = run()
    assert completed and outcomes == []
    assert len(delivery.mail.messages) == 3
    assert [row[1] for row in ledger(migrated_dsn)] == ["sent", "sent", "sent"]


def test_a_named_object_is_delivered_once_and_a_rewrite_is_a_new_version(
    delivery: DeliveryWorld, migrated_dsn: str
) -> None:
    name = "reports/cost-csv/0001000000603747.csv.gz"
    delivery.put_report(name, gzipped_sample("reports_cost-csv_0001000000603747.csv"))
    assert run(object_name=name)[1][0]["status"] == "sent"
    again = run(object_name=name, bucket=BUCKET, namespace=NS)
    assert again[0] and again[1][0]["status"] == "skipped"
    assert len(delivery.mail.messages) == 1

    delivery.put_report(name, gzipped_sample(COST_SAMPLE))
    assert run(object_name=name)[1][0]["status"] == "sent"
    first, second = delivery.mail.messages
    assert first["Message-ID"] != second["Message-ID"]
    assert "vs the previous report" in text_of(second)


def test_an_object_no_rule_matches_is_skipped_with_the_reason(delivery: DeliveryWorld) -> None:
    delivery.put_report("notes.txt", b"x")
    completed, outcomes, _ = run(object_name="notes.txt")
    assert completed
    assert outcomes[0]["status"] == "skipped" and "no delivery rule" in outcomes[0]["message"]
    assert delivery.mail.messages == []


def test_a_transient_smtp_refusal_is_retried_and_the_report_sent_once(
    delivery: DeliveryWorld, migrated_dsn: str
) -> None:
    delivery.put_report("a.csv.gz", gzipped_sample(COST_SAMPLE))
    delivery.mail.refuse_next(1)
    completed, outcomes, _ = run()
    assert completed and outcomes[0]["status"] == "sent"
    assert delivery.mail.refusals_left == 0
    assert len(delivery.mail.messages) == 1


def test_an_smtp_server_that_is_down_then_up_gets_the_report_once(delivery: DeliveryWorld) -> None:
    delivery.put_report("a.csv.gz", gzipped_sample(COST_SAMPLE))
    port = delivery.mail.port
    delivery.mail.stop()
    dropped: list[str] = []

    def down_for_one_attempt_then_up() -> None:
        # While "down", the port drops the connection; the mail server is back before the retry.
        with socket.socket() as outage:
            outage.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            outage.bind(("127.0.0.1", port))
            outage.listen()
            connection, _ = outage.accept()
            connection.close()
            dropped.append("connection dropped")
        delivery.mail.start(port=port)

    comeback = threading.Thread(target=down_for_one_attempt_then_up)
    comeback.start()
    completed, outcomes, _ = run()
    comeback.join()
    assert dropped == ["connection dropped"]
    assert completed and outcomes[0]["status"] == "sent"
    assert len(delivery.mail.messages) == 1


def test_oci_throttling_is_retried(delivery: DeliveryWorld) -> None:
    delivery.put_report("a.csv.gz", gzipped_sample(COST_SAMPLE))
    delivery.oci.fail_next(1, 429)
    completed, outcomes, _ = run()
    assert completed and outcomes[0]["status"] == "sent"
    assert any(status == 429 for _, _, status in delivery.oci.requests)


def test_a_wrong_secret_ocid_fails_without_retry_and_the_next_run_delivers(
    delivery: DeliveryWorld, migrated_dsn: str
) -> None:
    delivery.put_report("a.csv.gz", gzipped_sample(COST_SAMPLE))
    delivery.monkeypatch.setenv("FINOPS_SMTP_PASSWORD", "oci-vault:ocid1.vaultsecret.oc1..typo")
    completed, outcomes, message = run()
    assert not completed
    assert outcomes[0]["status"] == "failed" and outcomes[0]["message"].startswith("vault:")
    assert "1 of 1 deliveries failed" in message
    assert len(delivery.oci.calls("GET", "/20190301/secretbundles/ocid1.vaultsecret.oc1..typo")) == 1
    assert ledger(migrated_dsn) == [("a.csv.gz", "failed", "vault", None, 1)]
    assert delivery.mail.messages == []

    delivery.monkeypatch.setenv("FINOPS_SMTP_PASSWORD", f"oci-vault:{PASSWORD_OCID}")
    completed, outcomes, _ = run()
    assert completed and outcomes[0]["status"] == "sent"
    assert ledger(migrated_dsn) == [("a.csv.gz", "sent", None, "attachment", 2)]


def test_a_100_mb_report_goes_out_as_an_expiring_link(delivery: DeliveryWorld, migrated_dsn: str) -> None:
    big = hashlib.sha256(b"seed").digest() * (100 * 1024 * 1024 // 32)
    delivery.put_report("huge.csv.gz", big)
    completed, outcomes, _ = run(object_name="huge.csv.gz")
    assert completed and outcomes[0]["status"] == "sent"
    (message,) = delivery.mail.messages
    assert list(message.iter_attachments()) == []
    link = re.search(r"(http://\S+/p/\S+)", text_of(message))
    assert link, text_of(message)
    downloaded = requests.get(link.group(1), timeout=60).content
    assert hashlib.sha256(downloaded).digest() == hashlib.sha256(big).digest()
    assert ledger(migrated_dsn)[0][3] == "link"


def test_two_concurrent_runs_send_once(delivery: DeliveryWorld) -> None:
    delivery.put_report("a.csv.gz", gzipped_sample(COST_SAMPLE))
    statuses: list[str] = []
    start = threading.Barrier(2)

    def one_run() -> None:
        start.wait()
        statuses.extend(outcome["status"] for outcome in run(object_name="a.csv.gz")[1])

    threads = [threading.Thread(target=one_run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == ["sent", "skipped"]
    assert len(delivery.mail.messages) == 1


def test_no_secret_reaches_logs_outcomes_or_the_ledger(
    delivery: DeliveryWorld, migrated_dsn: str, caplog: pytest.LogCaptureFixture
) -> None:
    delivery.put_report("a.csv.gz", gzipped_sample(COST_SAMPLE))
    delivery.put_report("b.csv.gz", gzipped_sample(COST_SAMPLE))
    caplog.set_level("DEBUG")
    run(object_name="a.csv.gz")
    delivery.mail.password = "rotated-on-the-server"
    _, failed, message = run(object_name="b.csv.gz")
    assert failed[0]["status"] == "failed" and "credentials" in failed[0]["message"]
    assert "sent via=127.0.0.1" in caplog.text, "the run's logs were not captured"
    with get_client(sync_client=True) as prefect:
        artifacts = prefect.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["deliver-reports"]))
        )
    assert artifacts, "the run left no artifact"
    # What the client knew: the credentials it read from the vault.
    secrets = [delivery.mail.username, "smtp-pa55-w0rd!"]
    evidence = caplog.text + repr(failed) + message + repr(ledger(migrated_dsn)) + repr([a.data for a in artifacts])
    for secret in secrets:
        assert secret not in evidence


def test_the_seed_variables_configure_a_single_rule(delivery: DeliveryWorld) -> None:
    for name in (
        "FINOPS_DELIVERY_RULES",
        "FINOPS_SMTP_HOST",
        "FINOPS_SMTP_PORT",
        "FINOPS_SMTP_USERNAME",
        "FINOPS_SMTP_PASSWORD",
    ):
        delivery.monkeypatch.delenv(name)
    for name, value in {
        "BUCKET_NAME": BUCKET,
        "NAMESPACE": NS,
        "REGION": "eu-paris-1",
        "EMAIL_FROM": "reports@tenant.example",
        "EMAIL_TO": "finops@tenant.example, cfo@tenant.example",
        "SMTP_SERVER": "127.0.0.1",
        "SMTP_PORT": str(delivery.mail.port),
        "SMTP_USERNAME_SECRET_OCID": USERNAME_OCID,
        "SMTP_PASSWORD_SECRET_OCID": PASSWORD_OCID,
    }.items():
        delivery.monkeypatch.setenv(name, value)
    delivery.put_report("WeeklyCostsScheduledReport_20250620_0.csv.gz", gzipped_sample(COST_SAMPLE))
    completed, outcomes, _ = run()
    assert completed and [o["status"] for o in outcomes] == ["sent"]
    assert delivery.mail.messages[0]["Subject"] == "OCI report WeeklyCostsScheduledReport_20250620_0.csv.gz"


def test_a_local_folder_and_the_file_outbox_work_without_any_cloud(delivery: DeliveryWorld, tmp_path: Path) -> None:
    folder, outbox = tmp_path / "reports", tmp_path / "outbox"
    folder.mkdir()
    (folder / "WeeklyCostsScheduledReport_20250620_0.csv.gz").write_bytes(gzipped_sample(COST_SAMPLE))
    rule = {
        "name": "local",
        "source": f"file://{folder}",
        "recipients": ["a@tenant.example"],
        "sender": "r@tenant.example",
    }
    delivery.monkeypatch.setenv("FINOPS_DELIVERY_RULES", json.dumps([rule]))
    delivery.monkeypatch.setenv("FINOPS_MAIL_OUTBOX_DIR", str(outbox))
    assert run()[1][0]["status"] == "sent"
    assert run()[1] == []
    (eml,) = outbox.glob("*.eml")
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    assert attachment_of(message) == gzipped_sample(COST_SAMPLE)
    assert delivery.mail.messages == []
