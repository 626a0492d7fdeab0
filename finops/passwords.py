"""Local users' passwords: argon2id hashes (argon2-cffi's current parameters), checked in constant time."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()
# Checked when the user does not exist, so that an unknown name takes as long as a wrong password.
_DECOY = _HASHER.hash("no such user")
MIN_LENGTH = 12


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def check_password(stored_hash: str | None, password: str) -> tuple[bool, str | None]:
    """(whether it matches, a fresh hash when the stored one used older parameters)."""
    try:
        _HASHER.verify(stored_hash or _DECOY, password)
    except (VerificationError, InvalidHashError):
        return False, None
    if stored_hash is None:
        return False, None
    return True, hash_password(password) if _HASHER.check_needs_rehash(stored_hash) else None
