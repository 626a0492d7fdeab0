"""Our OCI adapters, through the real `oci` SDK, against an emulator that verifies request signatures."""

from __future__ import annotations

import hashlib
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from finops.clouds.oci.auth import OciAuth, load_credentials
from finops.clouds.oci.object_storage import ObjectStorage
from finops.clouds.oci.vault import VaultSecrets
from finops.domain.errors import AuthError, StorageError, VaultError
from tests.emulators.certificates import api_key
from tests.emulators.fixtures import OciAccount
from tests.emulators.oci import OciEmulator

NS, BUCKET = "tenantns", "reports"


def storage(account: OciAccount, emulator: OciEmulator) -> ObjectStorage:
    return ObjectStorage(load_credentials(OciAuth(config_file=account.config_file)), emulator.endpoint)


def test_listing_follows_every_page_and_names_may_hold_slashes_and_spaces(
    oci_account: OciAccount, oci: OciEmulator
) -> None:
    names = ["FOCUS Reports/2025/06/20/a.csv.gz", "b.csv.gz", "c d.csv.gz", "reports/cost-csv/e.csv.gz", "z.txt"]
    etags = {name: oci.put_object(NS, BUCKET, name, name.encode(), "application/gzip") for name in names}
    listed = list(storage(oci_account, oci).list_objects(NS, BUCKET))
    assert [(o.name, o.etag, o.size) for o in listed] == [(n, etags[n], len(n)) for n in sorted(names)]
    assert len(oci.calls("GET", f"/n/{NS}/b/{BUCKET}/o")) == 3  # pages of 2


def test_download_streams_the_exact_bytes_and_reports_the_etag(
    oci_account: OciAccount, oci: OciEmulator, tmp_path: Path
) -> None:
    data = bytes(range(256)) * 20_000
    etag = oci.put_object(NS, BUCKET, "FOCUS Reports/x y.csv.gz", data, "application/gzip")
    stored, sha = storage(oci_account, oci).download(NS, BUCKET, "FOCUS Reports/x y.csv.gz", tmp_path / "x")
    assert (tmp_path / "x").read_bytes() == data
    assert (stored.etag, stored.size, stored.content_type) == (etag, len(data), "application/gzip")
    assert sha == hashlib.sha256(data).hexdigest()


def test_a_read_link_downloads_without_credentials_until_it_expires(oci_account: OciAccount, oci: OciEmulator) -> None:
    oci.put_object(NS, BUCKET, "big.csv.gz", b"payload", "application/gzip")
    link = storage(oci_account, oci).create_read_link(NS, BUCKET, "big.csv.gz", datetime.now(UTC) + timedelta(days=7))
    assert link.startswith(oci.endpoint + "/p/")
    assert requests.get(link, timeout=5).content == b"payload"


def test_unsigned_requests_are_refused_by_the_emulator(oci: OciEmulator) -> None:
    oci.put_object(NS, BUCKET, "a.csv.gz", b"x", "application/gzip")
    response = requests.get(f"{oci.endpoint}/n/{NS}/b/{BUCKET}/o/a.csv.gz", timeout=5)
    assert response.status_code == 401
    assert response.json()["code"] == "NotAuthenticated"


def test_a_key_oci_does_not_know_is_an_auth_error(oci_account: OciAccount, oci: OciEmulator, tmp_path: Path) -> None:
    stranger = api_key()
    (tmp_path / "other.pem").write_bytes(stranger.private_pem)
    text = oci_account.config_file.read_text()
    other_config = tmp_path / "other_config"
    other_config.write_text(
        "\n".join(
            f"key_file={tmp_path / 'other.pem'}" if line.startswith("key_file=") else line for line in text.splitlines()
        )
    )
    client = ObjectStorage(load_credentials(OciAuth(config_file=other_config)), oci.endpoint)
    with pytest.raises(AuthError, match="401"):
        list(client.list_objects(NS, BUCKET))


@pytest.mark.parametrize(("status", "transient"), [(429, True), (500, True), (503, True), (400, False)])
def test_throttling_and_server_errors_are_transient(
    oci_account: OciAccount, oci: OciEmulator, status: int, transient: bool
) -> None:
    oci.put_object(NS, BUCKET, "a.csv.gz", b"x", "application/gzip")
    oci.fail_next(1, status)
    client = storage(oci_account, oci)
    with pytest.raises(StorageError) as raised:
        client.head(NS, BUCKET, "a.csv.gz")
    assert raised.value.transient is transient
    assert client.head(NS, BUCKET, "a.csv.gz").size == 1


def test_a_missing_object_is_a_permanent_storage_error(oci_account: OciAccount, oci: OciEmulator) -> None:
    with pytest.raises(StorageError, match="does not exist") as raised:
        storage(oci_account, oci).head(NS, BUCKET, "missing.csv.gz")
    assert raised.value.transient is False


def test_vault_secrets_are_decoded_and_a_wrong_ocid_is_a_permanent_vault_error(
    oci_account: OciAccount, oci: OciEmulator
) -> None:
    oci.add_secret("ocid1.vaultsecret.oc1..pw", "s3cret-é")
    vault = VaultSecrets(load_credentials(OciAuth(config_file=oci_account.config_file)), oci.endpoint)
    assert vault.read("ocid1.vaultsecret.oc1..pw") == "s3cret-é"
    with pytest.raises(VaultError, match="does not exist") as raised:
        vault.read("ocid1.vaultsecret.oc1..typo")
    assert raised.value.transient is False


def test_a_missing_config_file_is_an_auth_error_naming_the_setting(tmp_path: Path) -> None:
    with pytest.raises(AuthError, match="FINOPS_OCI_CONFIG_FILE"):
        load_credentials(OciAuth(config_file=tmp_path / "nope"))


def test_an_unreachable_endpoint_is_a_transient_storage_error(oci_account: OciAccount) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    client = ObjectStorage(load_credentials(OciAuth(config_file=oci_account.config_file)), closed)
    with pytest.raises(StorageError, match="OCI did not answer") as raised:
        client.head(NS, BUCKET, "a.csv.gz")
    assert raised.value.transient is True
