"""The outcome a flow records for a unit of work that failed: where, and a redacted reason."""

from __future__ import annotations

from typing import Any

from finops.domain.errors import FinopsError
from finops.domain.redaction import redact


def failed_outcome(error: FinopsError, **where: str) -> dict[str, Any]:
    return {**where, "status": "failed", "problem": redact(f"{error.category}: {error}")}
