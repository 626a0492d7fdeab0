"""`finops accounts`: Outscale keys are checked against the API, stored sealed, and never shown again."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from tests.cli.conftest import run_finops
from tests.emulators.outscale import OutscaleEmulator


@pytest.fixture
def accounts_env(finops_env: dict[str, str], migrated_dsn: str, outscale: OutscaleEmulator) -> dict[str, str]:
    return {**finops_env, "DATABASE_URL": migrated_dsn, "FINOPS_OUTSCALE_ENDPOINT": outscale.endpoint}


def test_an_outscale_account_is_checked_stored_sealed_listed_and_removed(
    accounts_env: dict[str, str], outscale: OutscaleEmulator, migrated_dsn: str, tmp_path: Path
) -> None:
    keys = {"OSC_ACCESS_KEY": outscale.access_key, "OSC_SECRET_KEY": outscale.secret_key}
    added = run_finops(
        ["accounts", "add", "--name", "prod", "--region", "eu-west-2"], {**accounts_env, **keys}, tmp_path
    )
    assert added.returncode == 0, added.stderr
    assert f"added outscale account {outscale.account_id}" in added.stderr
    assert outscale.calls("ReadAccounts") == [200]

    listed = run_finops(["accounts", "list", "--format", "json"], accounts_env, tmp_path)
    assert listed.returncode == 0, listed.stderr
    (account,) = json.loads(listed.stdout)
    assert (account["account_id"], account["regions"], account["credentials"]) == (
        outscale.account_id,
        ["eu-west-2"],
        "encrypted keys",
    )
    with psycopg.connect(migrated_dsn) as conn:
        sealed = conn.execute("SELECT access_key_encrypted, secret_key_encrypted FROM cloud_accounts").fetchone()
    assert sealed is not None
    for output in (
        added.stdout,
        added.stderr,
        listed.stdout,
        listed.stderr,
        bytes(sealed[0]).decode(),
        bytes(sealed[1]).decode(),
    ):
        assert outscale.secret_key not in output and outscale.access_key not in output
    assert (tmp_path / "home" / "encryption.key").stat().st_mode & 0o077 == 0, "the key file is its owner's only"

    removed = run_finops(["accounts", "remove", outscale.account_id], accounts_env, tmp_path)
    assert removed.returncode == 0, removed.stderr
    with psycopg.connect(migrated_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM cloud_accounts").fetchone() == (0,)


def test_wrong_keys_are_refused_and_nothing_is_stored(
    accounts_env: dict[str, str], outscale: OutscaleEmulator, migrated_dsn: str, tmp_path: Path
) -> None:
    keys = {"OSC_ACCESS_KEY": outscale.access_key, "OSC_SECRET_KEY": "not-the-secret-key-0000000000000000000"}
    result = run_finops(
        ["accounts", "add", "--name", "prod", "--region", "eu-west-2"], {**accounts_env, **keys}, tmp_path
    )
    assert result.returncode == 1
    assert "do not open an account in eu-west-2" in result.stderr
    assert "not-the-secret-key" not in result.stderr
    with psycopg.connect(migrated_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM cloud_accounts").fetchone() == (0,)


def test_an_unknown_region_is_a_usage_error(accounts_env: dict[str, str], tmp_path: Path) -> None:
    result = run_finops(["accounts", "add", "--name", "x", "--region", "mars-1"], accounts_env, tmp_path)
    assert result.returncode == 2
    assert "unknown Outscale region mars-1" in result.stderr
