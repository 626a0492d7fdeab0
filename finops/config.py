"""Typed settings read from the environment (prefix ``FINOPS_``) and an optional ``.env`` file."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from finops.domain.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent

SecretScheme = Literal["env", "file", "oci-vault"]
SECRET_SCHEMES: tuple[SecretScheme, ...] = ("env", "file", "oci-vault")


class SecretReferenceError(ConfigError):
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
            # Never echo the text: it may be a password typed where a reference belongs.
            raise SecretReferenceError("a secret reference must look like env:NAME, file:/path or oci-vault:<ocid>")
        for known in SECRET_SCHEMES:
            if scheme == known:
                return cls(scheme=known, target=target)
        raise SecretReferenceError(f"a secret reference starts with one of {', '.join(SECRET_SCHEMES)}")

    def __str__(self) -> str:
        return f"{self.scheme}:{self.target}"


class DeliveryRuleSettings(BaseModel):
    """One entry of FINOPS_DELIVERY_RULES (a JSON list)."""

    name: str
    source: str
    recipients: list[str]
    sender: str
    pattern: str = "*.csv.gz"
    subject: str = "OCI report $object_basename"


SmtpSecurity = Literal["starttls", "tls", "none"]
OciAuthMethod = Literal["api_key", "instance_principal", "resource_principal"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FINOPS_", env_file=".env", extra="ignore", populate_by_name=True)

    home: Path = Field(default=Path(".finops"), description="Data folder for embedded PostgreSQL, Prefect and logs.")
    database_url: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL", "FINOPS_DATABASE_URL"),
        description="PostgreSQL server to use instead of the embedded one.",
    )
    database_secret: str | None = Field(
        default=None,
        description="When DATABASE_URL is unset: a secret reference (oci-vault:<ocid>, file:, env:) holding"
        ' JSON {"host", "port", "dbname", "username", "password"}.',
    )
    encryption_key: SecretStr | None = Field(
        default=None,
        description="Key that encrypts cloud keys stored in the database (Fernet, urlsafe base64 of 32 bytes);"
        " when unset, FINOPS_HOME/encryption.key (made on first use, mode 0600).",
    )
    outscale_endpoint: str = Field(
        default="https://api.{region}.outscale.com/api/v1",
        description="The Outscale API, {region} replaced by the region (a private endpoint or an emulator).",
    )
    outscale_oos: bool = Field(
        default=False,
        description="snapshot-resources also prices Object Storage buckets (listing every object: slow when huge).",
    )
    outscale_oos_endpoint: str = Field(
        default="https://oos.{region}.outscale.com",
        description="Outscale Object Storage (S3 API), {region} replaced by the region.",
    )
    outscale_regions: list[str] = Field(
        default_factory=lambda: ["eu-west-2", "cloudgouv-eu-west-1", "us-east-2", "us-west-1", "ap-northeast-1"],
        description="The regions whose public catalog refresh-catalog records.",
    )
    session_idle_minutes: int = Field(default=30, ge=1, description="A session unused this long ends.")
    session_cookie_secure: bool | None = Field(
        default=None, description="Force the Secure cookie flag; when unset, it is set on HTTPS requests."
    )
    login_failures_per_minute: int = Field(
        default=5, ge=1, description="Bad sign-ins allowed per minute, per client address and per key."
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Other origins allowed to call the API with cookies (same-origin only when empty).",
    )
    quote_commitment_discounts: dict[str, dict[str, Decimal]] = Field(
        default_factory=lambda: {"compute": {"1month": Decimal(30), "1year": Decimal(40), "3years": Decimal(50)}},
        description="Quote discounts in percent per catalog category and commitment period (JSON); other"
        " categories get none.",
    )
    quote_calculation_cache_size: int = Field(
        default=64, ge=0, description="Calculations of unchanged quotes kept per API process (0: none)."
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

    oci_auth: OciAuthMethod = "api_key"
    oci_config_file: Path = Path("~/.oci/config")
    oci_profile: str = "DEFAULT"
    oci_region: str | None = Field(default=None, validation_alias=AliasChoices("FINOPS_OCI_REGION", "REGION"))
    oci_object_storage_endpoint: str | None = Field(default=None, description="Overrides the regional endpoint.")
    oci_secrets_endpoint: str | None = Field(default=None, description="Overrides the regional endpoint.")

    cost_sources: list[str] = Field(
        default_factory=list, description="Where ingest-costs looks: oci://namespace/bucket/prefix or file:///dir."
    )
    delivery_rules: list[DeliveryRuleSettings] = Field(default_factory=list)
    delivery_attachment_limit_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    delivery_link_days: int = Field(default=7, ge=1, le=365)
    # The single-rule shortcut of the serverless function this replaces.
    bucket_name: str | None = Field(default=None, validation_alias=AliasChoices("FINOPS_BUCKET_NAME", "BUCKET_NAME"))
    namespace: str | None = Field(default=None, validation_alias=AliasChoices("FINOPS_NAMESPACE", "NAMESPACE"))
    email_from: str | None = Field(default=None, validation_alias=AliasChoices("FINOPS_EMAIL_FROM", "EMAIL_FROM"))
    email_to: str | None = Field(default=None, validation_alias=AliasChoices("FINOPS_EMAIL_TO", "EMAIL_TO"))

    smtp_host: str | None = Field(default=None, validation_alias=AliasChoices("FINOPS_SMTP_HOST", "SMTP_SERVER"))
    smtp_port: int = Field(default=587, ge=1, le=65535, validation_alias=AliasChoices("FINOPS_SMTP_PORT", "SMTP_PORT"))
    smtp_security: SmtpSecurity = "starttls"
    smtp_timeout_seconds: float = Field(default=30.0, gt=0)
    smtp_ca_file: Path | None = Field(default=None, description="Extra CA bundle to trust (a private mail relay).")
    smtp_username: str | None = Field(default=None, description="A secret reference: env:, file: or oci-vault:.")
    smtp_password: str | None = Field(default=None, description="A secret reference: env:, file: or oci-vault:.")
    smtp_username_secret_ocid: str | None = Field(
        default=None, validation_alias=AliasChoices("SMTP_USERNAME_SECRET_OCID")
    )
    smtp_password_secret_ocid: str | None = Field(
        default=None, validation_alias=AliasChoices("SMTP_PASSWORD_SECRET_OCID")
    )
    mail_outbox_dir: Path | None = Field(default=None, description="Write .eml files here instead of sending.")

    alert_emails: list[str] = Field(
        default_factory=list, description="Who gets drift and anomaly alerts by email (budgets name their own)."
    )
    alert_webhooks: list[SecretStr] = Field(
        default_factory=list,
        description="Webhook URLs (JSON receivers, Slack, Teams) for drift and anomaly alerts; they hold secrets.",
    )
    alert_sender: str | None = Field(default=None, description="From: of alert emails (else FINOPS_EMAIL_FROM).")
    dashboard_url: str | None = Field(default=None, description="The web UI's address, linked from alerts.")
    alert_max_attempts: int = Field(default=10, ge=1, description="Sends tried for one notification before giving up.")
    drift_percent: Decimal = Field(default=Decimal(10), gt=0, description="Estimate-vs-bill drift worth a finding.")
    drift_min_gap: Decimal = Field(default=Decimal(1), ge=0, description="...and the absolute gap it must pass.")
    drift_days: int = Field(default=7, ge=1, le=92, description="Days back detect-drift looks at (late data).")
    anomaly_z_score: Decimal = Field(default=Decimal(3), gt=0, description="Robust z-score of a spend anomaly.")
    anomaly_min_impact: Decimal = Field(default=Decimal(10), ge=0, description="Absolute impact of an anomaly.")
    anomaly_min_percent: Decimal = Field(default=Decimal(20), ge=0, description="Impact in percent of expected.")

    events_token: SecretStr | None = Field(default=None, description="Shared token of POST /api/events/oci.")
    events_confirmation_hosts: list[str] = Field(default_factory=lambda: ["*.oraclecloud.com"])

    @property
    def smtp_username_reference(self) -> SecretReference | None:
        return _reference("FINOPS_SMTP_USERNAME", self.smtp_username, self.smtp_username_secret_ocid)

    @property
    def smtp_password_reference(self) -> SecretReference | None:
        return _reference("FINOPS_SMTP_PASSWORD", self.smtp_password, self.smtp_password_secret_ocid)

    @property
    def database_secret_reference(self) -> SecretReference | None:
        return _reference("FINOPS_DATABASE_SECRET", self.database_secret, None)

    @property
    def pgdata(self) -> Path:
        return self.home / "pgdata"

    @property
    def prefect_home(self) -> Path:
        return self.home / "prefect"

    @property
    def log_dir(self) -> Path:
        return self.home / "logs"


def _reference(variable: str, reference: str | None, vault_ocid: str | None) -> SecretReference | None:
    if reference:
        try:
            return SecretReference.parse(reference)
        except SecretReferenceError as error:
            raise SecretReferenceError(f"{variable} is not a secret reference: {error.message}") from None
    if vault_ocid:
        return SecretReference("oci-vault", vault_ocid)
    return None
