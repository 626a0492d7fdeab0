"""A folder of .eml files standing in for a mail server (local use without SMTP)."""

from __future__ import annotations

import hashlib
from email.message import EmailMessage
from pathlib import Path


def write_to_outbox(message: EmailMessage, outbox: Path) -> Path:
    """Writes the message once: the file is named after its Message-ID, written atomically."""
    outbox.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha256(str(message["Message-ID"]).encode()).hexdigest()[:32] + ".eml"
    target = outbox / name
    if target.exists():
        return target
    partial = outbox / f".{name}.partial"
    partial.write_bytes(message.as_bytes())
    partial.replace(target)
    return target
