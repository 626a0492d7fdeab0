"""Typed settings read from the environment (prefix ``FINOPS_``) and an optional ``.env`` file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

SecretScheme = Literal["env", "file", "oci-vault"]
SECRET_SCHEMES: tuple[SecretScheme, ...] = ("env", "file", "oci-vault")


class SecretReferenceError(ValueError):
    pass


@dataclass(frozen=True)
class SecretReference:
    """Where a secret lives (``env:NAME``, ``file:/path``, ``oci-vault:<secret ocid>``), never the secret."""

    scheme: SecretScheme
    target: str

    @classmethod
    def parse(cls, text: str) -> SecretReference:
        scheme, separator, target = text.partition(":")
        if not separator or not target:
            raise SecretReferenceError(
                f"secret reference {text!r} must look like env:NAME, file:/path or oci-vault:<ocid>"
            )
        for known in SECRET_SCHEMES:
            if scheme == known:
                return cls(scheme=known, target=target)
        raise SecretReferenceError(f"secret reference scheme {scheme!r} is not one of {', '.join(SECRET_SCHEMES)}")

    def __str__(self) -> str:
        return f"{self.scheme}:{self.target}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FINOPS_", env_file=".env", extra="ignore", populate_by_name=True)

    home: Path = Field(default=Path(".finops"), description="Data folder for embedded PostgreSQL, Prefect and logs.")
    database_url: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL", "FINOPS_DATABASE_URL"),
        description="PostgreSQL server to use instead of the embedded one.",
    )
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=1, le=65535)
    prefect_host: str = "127.0.0.1"
    prefect_port: int = Field(default=4200, ge=1, le=65535)
    prefect_api_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("PREFECT_API_URL", "FINOPS_PREFECT_API_URL"),
        description="An existing Prefect server; when unset, `finops up` starts one.",
    )
    prefect_yaml: Path = Field(default=PROJECT_ROOT / "prefect.yaml", description="The deployment list.")
    ui_dir: Path = PROJECT_ROOT / "ui"
    log_level: str = "INFO"
    startup_timeout_seconds: float = Field(default=120.0, gt=0)

    @property
    def pgdata(self) -> Path:
        return self.home / "pgdata"

    @property
    def prefect_home(self) -> Path:
        return self.home / "prefect"

    @property
    def log_dir(self) -> Path:
        return self.home / "logs"
