from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from prefect.client.orchestration import get_client

from finops.config import PROJECT_ROOT, Settings
from finops.db.budgets import BudgetDraft, BudgetScope, NewRule, create_budget
from finops.secret_box import SecretBox
from tests.emulators.certificates import CertificatePair
from tests.emulators.fixtures import OciAccount
from tests.emulators.oci import OciEmulator
from tests.emulators.outscale import OutscaleEmulator
from tests.emulators.smtp import MailServer
from tests.emulators.webhooks import WebhookReceiver

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "oci"
NS, BUCKET = "tenantns", "cost-reports"
USERNAME_OCID = "ocid1.vaultsecret.oc1.eu-paris-1.smtpuser"
PASSWORD_OCID = "ocid1.vaultsecret.oc1.eu-paris-1.smtppassword"
RECIPIENTS = ["FinOps@tenant.example", "cfo@tenant.example"]


@dataclass
class DeliveryWorld:
    oci: OciEmulator
    mail: MailServer
    monkeypatch: pytest.MonkeyPatch

    def put_report(self, name: str, data: bytes) -> str:
        return self.oci.put_object(NS, BUCKET, name, data, "application/octet-stream")


def sample(name: str) -> bytes:
    return (REFERENCE / name).read_bytes()


def gzipped_sample(name: str) -> bytes:
    return gzip.compress(sample(name), mtime=0)


@pytest.fixture
def delivery(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    migrated_dsn: str,
    prefect_api_url: str,
    oci_account: OciAccount,
    oci: OciEmulator,
    mail_server: MailServer,
    tls_certificate: CertificatePair,
) -> DeliveryWorld:
    """Everything deliver-reports needs, configured through the environment as a user would."""
    oci.add_secret(USERNAME_OCID, mail_server.username)
    oci.add_secret(PASSWORD_OCID, mail_server.password)
    rule = {
        "name": "weekly",
        "source": f"oci://{NS}/{BUCKET}",
        "recipients": RECIPIENTS,
        "sender": "reports@tenant.example",
        "subject": "[$rule] $object_basename",
    }
    for name, value in {
        "DATABASE_URL": migrated_dsn,
        "FINOPS_HOME": str(tmp_path / "home"),
        "FINOPS_OCI_CONFIG_FILE": str(oci_account.config_file),
        "FINOPS_OCI_OBJECT_STORAGE_ENDPOINT": oci.endpoint,
        "FINOPS_OCI_SECRETS_ENDPOINT": oci.endpoint,
        "FINOPS_DELIVERY_RULES": json.dumps([rule]),
        "FINOPS_SMTP_HOST": "127.0.0.1",
        "FINOPS_SMTP_PORT": str(mail_server.port),
        "FINOPS_SMTP_CA_FILE": str(tls_certificate.certificate),
        "FINOPS_SMTP_USERNAME": f"oci-vault:{USERNAME_OCID}",
        "FINOPS_SMTP_PASSWORD": f"oci-vault:{PASSWORD_OCID}",
        "FINOPS_SMTP_TIMEOUT_SECONDS": "5",
    }.items():
        monkeypatch.setenv(name, value)
    return DeliveryWorld(oci, mail_server, monkeypatch)


@pytest.fixture
def outscale_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, migrated_dsn: str, prefect_api_url: str, outscale: OutscaleEmulator
) -> None:
    """The Outscale flows' settings, through the environment as a user would set them, aimed at the emulator."""
    for name, value in {
        "DATABASE_URL": migrated_dsn,
        "FINOPS_HOME": str(tmp_path / "home"),
        "FINOPS_OUTSCALE_ENDPOINT": outscale.endpoint,
    }.items():
        monkeypatch.setenv(name, value)


@contextmanager
def serving_deployments(prefect_api_url: str, log_path: Path, automation: str) -> Iterator[None]:
    """deployments/serve.py as `finops up` starts it (with this process's environment), until ``automation``
    (serve() registers a deployment first and its trigger's automation last) is there."""
    log = log_path.open("w")
    serve = subprocess.Popen(
        [sys.executable, str(PROJECT_ROOT / "deployments" / "serve.py")],
        env={**os.environ, "PREFECT_API_URL": prefect_api_url},
        cwd=PROJECT_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while not _automation_is_registered(automation):
            assert serve.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, f"{automation} was not served in time"
            time.sleep(1)
        yield
    finally:
        serve.send_signal(signal.SIGINT)
        try:
            serve.wait(timeout=30)
        except subprocess.TimeoutExpired:
            serve.kill()
        log.close()


def _automation_is_registered(name: str) -> bool:
    with get_client(sync_client=True) as client:
        return bool(client.read_automations_by_name(name))


ALERT_RECIPIENTS = ("finops@tenant.example", "cfo@tenant.example")
BUDGET_TENANCY = "ocid1.tenancy.oc1..aaaaaaaabudgettenancy"


@pytest.fixture
def alert_env(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    migrated_dsn: str,
    prefect_api_url: str,
    mail_server: MailServer,
    tls_certificate: CertificatePair,
) -> pytest.MonkeyPatch:
    """The alert flows' settings, through the environment as a user would set them: the database and the SMTP
    server (STARTTLS, AUTH with credentials from secret references)."""
    for name, value in {
        "DATABASE_URL": migrated_dsn,
        "FINOPS_HOME": str(tmp_path / "home"),
        "FINOPS_SMTP_HOST": "127.0.0.1",
        "FINOPS_SMTP_PORT": str(mail_server.port),
        "FINOPS_SMTP_CA_FILE": str(tls_certificate.certificate),
        "FINOPS_SMTP_USERNAME": "env:TEST_SMTP_USER",
        "FINOPS_SMTP_PASSWORD": "env:TEST_SMTP_PASSWORD",
        "TEST_SMTP_USER": mail_server.username,
        "TEST_SMTP_PASSWORD": mail_server.password,
        "FINOPS_SMTP_TIMEOUT_SECONDS": "5",
        "FINOPS_ALERT_SENDER": "alerts@tenant.example",
        "FINOPS_DASHBOARD_URL": "http://finops.tenant.example/#/budgets",
    }.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


@pytest.fixture
def alerting(alert_env: pytest.MonkeyPatch, migrated_dsn: str, webhook_receiver: WebhookReceiver) -> int:
    """A local user owning one OCI tenancy, with a monthly EUR 1,000 budget at 50/80/100 % actual and 100 % forecast."""
    box = SecretBox.from_settings(Settings())
    with psycopg.connect(migrated_dsn, autocommit=True) as conn:
        row = conn.execute(
            "INSERT INTO users (kind, login, password_hash) VALUES ('local', 'alice', 'x') RETURNING id"
        ).fetchone()
        assert row
        conn.execute(
            "INSERT INTO cloud_accounts (provider, account_id, name, regions, owner)"
            " VALUES ('oci', %s, 'prod', '{eu-paris-1}', 'alice')",
            [BUDGET_TENANCY],
        )
        return create_budget(
            conn,
            int(row[0]),
            BudgetDraft(
                name="prod",
                scope=BudgetScope(provider="oci"),
                period="monthly",
                amount=Decimal(1000),
                currency="EUR",
                emails=ALERT_RECIPIENTS,
                webhooks_sealed=(box.seal(webhook_receiver.url),),
                webhook_labels=("http://127.0.0.1",),
                rules=(
                    NewRule("ACTUAL", "PERCENT", Decimal(50)),
                    NewRule("ACTUAL", "PERCENT", Decimal(80)),
                    NewRule("ACTUAL", "PERCENT", Decimal(100)),
                    NewRule("FORECAST", "PERCENT", Decimal(100)),
                ),
            ),
        )
