"""The database the tasks write to, as `finops up` and `finops run` hand it over."""

from __future__ import annotations

from finops.config import Settings
from finops.domain.errors import ConfigError


def database_url(settings: Settings) -> str:
    if settings.database_url is None:
        raise ConfigError("DATABASE_URL is not set (`finops up` and `finops run` set it)")
    return settings.database_url.get_secret_value()
