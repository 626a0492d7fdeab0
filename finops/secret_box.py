"""Encrypts the cloud keys kept in the database (Fernet: AES-128-CBC with HMAC-SHA256).

The key comes from FINOPS_ENCRYPTION_KEY or, when unset, from FINOPS_HOME/encryption.key, made on
first use and readable by its owner only. Losing that key makes the stored keys unreadable, not
readable by anyone else: the accounts must then be added again.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from finops.config import Settings
from finops.domain.errors import ConfigError

KEY_FILE = "encryption.key"


class SecretBox:
    def __init__(self, key: bytes) -> None:
        try:
            self._fernet = Fernet(key)
        except ValueError:
            raise ConfigError(
                "FINOPS_ENCRYPTION_KEY must be 32 bytes in urlsafe base64 (Fernet.generate_key())"
            ) from None

    @classmethod
    def from_settings(cls, settings: Settings) -> SecretBox:
        if settings.encryption_key is not None:
            return cls(settings.encryption_key.get_secret_value().encode())
        return cls(_key_file(settings.home))

    def seal(self, text: str) -> bytes:
        return self._fernet.encrypt(text.encode())

    def open(self, token: bytes) -> str:
        try:
            return self._fernet.decrypt(token).decode()
        except InvalidToken:
            raise ConfigError(
                "the stored keys were encrypted with another encryption key; set the one they were stored with"
                " (FINOPS_ENCRYPTION_KEY or FINOPS_HOME/encryption.key) or add the account again"
            ) from None


def _key_file(home: Path) -> bytes:
    path = home / KEY_FILE
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        # Written aside then linked into place: two processes making the key at once keep one key,
        # and nobody ever reads a half-written file.
        draft = home / f".{KEY_FILE}.{os.getpid()}"
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(Fernet.generate_key())
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink(missing_ok=True)
    return path.read_bytes().strip()
