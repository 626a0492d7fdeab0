"""What a report email says, before it becomes a MIME message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from finops.domain.report_summary import ReportSummary


@dataclass(frozen=True)
class ReportEmail:
    subject: str
    sender: str
    recipients: tuple[str, ...]
    message_id: str
    object_name: str
    source: str
    size: int
    content_type: str | None
    summary: ReportSummary | None
    previous_totals: dict[str, Decimal] | None
    attachment: Path | None
    link: str | None = None
    link_expires: datetime | None = None
    summary_problem: str | None = None
