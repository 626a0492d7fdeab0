"""The database the tasks write to: DATABASE_URL, or the credentials kept in a secret."""

from __future__ import annotations

from finops.config import Settings
from finops.domain.database_secret import dsn_from_secret
from finops.domain.errors import ConfigError
from tasks.secrets import resolve_secret


def database_url(settings: Settings) -> str:
    if settings.database_url is not None:
        return settings.database_url.get_secret_value()
    reference = settings.database_secret_reference
    if reference is not None:
        return dsn_from_secret(resolve_secret(reference, settings).get_secret_value())
    raise ConfigError("DATABASE_URL is not set (`finops up` and `finops run` set it), nor FINOPS_DATABASE_SECRET")
