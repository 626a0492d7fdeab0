"""Fixtures that start the emulators: OCI (Object Storage + Secrets), the Outscale API and its Object Storage, and an
SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.emulators.certificates import CertificatePair, api_key, self_signed_certificate
from tests.emulators.oci import OciEmulator
from tests.emulators.oos import OosEmulator
from tests.emulators.outscale import OutscaleEmulator, recorded_consumption
from tests.emulators.smtp import MailServer
from tests.emulators.webhooks import WebhookReceiver

TENANCY = "ocid1.tenancy.oc1..aaaaaaaatesttenancy"
USER = "ocid1.user.oc1..aaaaaaaatestuser"
REGION = "eu-paris-1"


@dataclass(frozen=True)
class OciAccount:
    config_file: Path
    key_id: str


@pytest.fixture
def oci_account(tmp_path: Path) -> OciAccount:
    """A real OCI API-key config file, with a key generated for this test."""
    key = api_key()
    key_file = tmp_path / "oci_api_key.pem"
    key_file.write_bytes(key.private_pem)
    config = tmp_path / "oci_config"
    config.write_text(
        f"[DEFAULT]\nuser={USER}\ntenancy={TENANCY}\nfingerprint={key.fingerprint}\nkey_file={key_file}\nregion={REGION}\n"
    )
    (tmp_path / "oci_api_key_public.pem").write_bytes(key.public_pem)
    return OciAccount(config_file=config, key_id=f"{TENANCY}/{USER}/{key.fingerprint}")


@pytest.fixture
def oci(oci_account: OciAccount) -> Iterator[OciEmulator]:
    emulator = OciEmulator(page_size=2).start()
    public_pem = (oci_account.config_file.parent / "oci_api_key_public.pem").read_bytes()
    emulator.authorize_key(oci_account.key_id, public_pem)
    yield emulator
    emulator.stop()


@pytest.fixture
def tls_certificate(tmp_path: Path) -> CertificatePair:
    return self_signed_certificate(tmp_path)


@pytest.fixture
def mail_server(tls_certificate: CertificatePair) -> Iterator[MailServer]:
    server = MailServer(tls_certificate, username="smtp-user-7f3a", password="smtp-pa55-w0rd!").start()
    yield server
    server.stop()


@pytest.fixture
def outscale() -> Iterator[OutscaleEmulator]:
    """The Outscale API with one account, the one the recorded consumption belongs to, and that consumption."""
    emulator = OutscaleEmulator().start()
    emulator.add_account("AKIAFINOPSTEST0000001", "osc-test-secret-0000000000000000000000001", "249064296596")
    emulator.add_consumption("249064296596", recorded_consumption())
    yield emulator
    emulator.stop()


@pytest.fixture
def oos(outscale: OutscaleEmulator) -> Iterator[OosEmulator]:
    """Outscale Object Storage, for the account of the ``outscale`` fixture, with no bucket yet."""
    emulator = OosEmulator().start()
    emulator.add_owner(outscale.access_key, outscale.secret_key, outscale.account_id)
    yield emulator
    emulator.stop()


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver().start()
    yield receiver
    receiver.stop()
