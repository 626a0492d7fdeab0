"""FINOPS_HOME: the folder that holds the embedded database, Prefect's home and the logs."""

from __future__ import annotations

from pathlib import Path

from finops.domain.errors import ConfigError


def prepare_home(home: Path) -> Path:
    home = home.expanduser().resolve()
    if home.exists() and not home.is_dir():
        raise ConfigError(f"FINOPS_HOME {home} is a file, not a folder")
    if not home.exists():
        if not home.parent.is_dir():
            raise ConfigError(f"FINOPS_HOME {home} cannot be created: its parent folder {home.parent} does not exist")
        home.mkdir()
    return home
