from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.emulators.certificates import CertificatePair
from tests.emulators.fixtures import OciAccount
from tests.emulators.oci import OciEmulator
from tests.emulators.outscale import OutscaleEmulator
from tests.emulators.smtp import MailServer

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
