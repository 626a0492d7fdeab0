"""The errors a user can act on, each with a category they understand."""

from __future__ import annotations

from typing import Literal

ErrorCategory = Literal["config", "database", "auth", "storage", "vault", "smtp", "parse", "cloud", "webhook"]


class FinopsError(Exception):
    category: ErrorCategory = "config"
    # Transient errors (429, 5xx, timeouts, SMTP 4xx) are worth retrying; the rest are not.
    transient: bool = False

    def __init__(self, message: str, *, transient: bool | None = None) -> None:
        super().__init__(message)
        self.message = message
        if transient is not None:
            self.transient = transient


class ConfigError(FinopsError):
    category: ErrorCategory = "config"


class UsageError(FinopsError):
    """The command was asked for something that does not exist or is malformed."""


class DatabaseError(FinopsError):
    category: ErrorCategory = "database"


class MigrationError(DatabaseError):
    pass


class AuthError(FinopsError):
    category: ErrorCategory = "auth"


class StorageError(FinopsError):
    category: ErrorCategory = "storage"


class VaultError(FinopsError):
    category: ErrorCategory = "vault"


class SmtpError(FinopsError):
    category: ErrorCategory = "smtp"


class ParseError(FinopsError):
    category: ErrorCategory = "parse"


class CloudError(FinopsError):
    """A cloud API (Outscale) refused or failed a call."""

    category: ErrorCategory = "cloud"


class WebhookError(FinopsError):
    """A webhook receiver refused or failed a notification."""

    category: ErrorCategory = "webhook"


def is_transient(error: BaseException) -> bool:
    return isinstance(error, FinopsError) and error.transient
