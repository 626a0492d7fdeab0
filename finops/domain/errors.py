"""The errors a user can act on, each with a category they understand."""

from __future__ import annotations

from typing import Literal

ErrorCategory = Literal["config", "database", "auth", "storage", "vault", "smtp", "parse", "cloud"]


class FinopsError(Exception):
    category: ErrorCategory = "config"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(FinopsError):
    category: ErrorCategory = "config"


class DatabaseError(FinopsError):
    category: ErrorCategory = "database"


class MigrationError(DatabaseError):
    pass


class UsageError(FinopsError):
    """The command was asked for something that does not exist or is malformed."""
