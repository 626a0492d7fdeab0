from pathlib import Path

import pytest

from finops.config import SecretReference, SecretReferenceError, Settings


@pytest.mark.parametrize(
    ("text", "scheme", "target"),
    [
        ("env:SMTP_PASSWORD", "env", "SMTP_PASSWORD"),
        ("file:/run/secrets/smtp", "file", "/run/secrets/smtp"),
        ("oci-vault:ocid1.vaultsecret.oc1.eu-paris-1.abc", "oci-vault", "ocid1.vaultsecret.oc1.eu-paris-1.abc"),
    ],
)
def test_secret_references_name_where_a_secret_lives(text: str, scheme: str, target: str) -> None:
    reference = SecretReference.parse(text)
    assert (reference.scheme, reference.target) == (scheme, target)
    assert str(reference) == text


@pytest.mark.parametrize("text", ["hunter2", "env:", "vault:abc", "http://example.invalid/secret"])
def test_anything_else_is_not_a_secret_reference(text: str) -> None:
    with pytest.raises(SecretReferenceError):
        SecretReference.parse(text)


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FINOPS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DATABASE_URL", "postgresql://app:s3cret@db/finops")
    monkeypatch.setenv("FINOPS_API_PORT", "8100")
    settings = Settings()
    assert settings.home == tmp_path / "home"
    assert settings.pgdata == tmp_path / "home" / "pgdata"
    assert settings.api_port == 8100
    assert settings.database_url is not None
    assert settings.database_url.get_secret_value().endswith("@db/finops")
    assert "s3cret" not in repr(settings)


def test_defaults_match_the_documented_ports(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("FINOPS_HOME", "DATABASE_URL", "FINOPS_API_PORT", "FINOPS_PREFECT_PORT", "PREFECT_API_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert (settings.api_port, settings.prefect_port, settings.home) == (8000, 4200, Path(".finops"))
    assert settings.database_url is None


def test_a_password_typed_where_a_reference_belongs_is_refused_without_echoing_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FINOPS_SMTP_PASSWORD", "Hunter2:pw")
    with pytest.raises(SecretReferenceError) as raised:
        _ = Settings().smtp_password_reference
    assert "FINOPS_SMTP_PASSWORD" in str(raised.value)
    assert "Hunter2" not in str(raised.value) and "pw" not in str(raised.value).replace("PASSWORD", "")
