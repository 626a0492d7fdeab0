"""The report email: multipart/mixed with a text and an HTML body, and the report attached or linked."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from finops.domain.delivery import content_type_for_name
from finops.domain.report_email import ReportEmail
from finops.domain.report_summary import CurrencyChange, ReportSummary
from finops.notify.templates import TEMPLATES


def build_message(email: ReportEmail, sent_at: datetime) -> EmailMessage:
    context = _context(email)
    message = EmailMessage()
    message["Subject"] = email.subject
    message["From"] = email.sender
    message["To"] = ", ".join(email.recipients)
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = email.message_id
    message.set_content(TEMPLATES.get_template("report_email.txt.j2").render(context))
    message.add_alternative(TEMPLATES.get_template("report_email.html.j2").render(context), subtype="html")
    if email.attachment is not None:
        maintype, subtype = attachment_type(email.object_name, email.content_type).split("/", 1)
        message.add_attachment(
            email.attachment.read_bytes(),
            maintype=maintype,
            subtype=subtype,
            filename=email.object_name.rsplit("/", 1)[-1],
        )
    return message


def attachment_type(object_name: str, stored_type: str | None) -> str:
    """The stored content type when it says something, else what the name says (x.csv.gz is gzip)."""
    declared = (stored_type or "").split(";")[0].strip()
    if declared and declared not in ("application/octet-stream", "binary/octet-stream"):
        return declared
    return content_type_for_name(object_name)


def _context(email: ReportEmail) -> dict[str, object]:
    summary = email.summary
    changes = summary.change_since(email.previous_totals or {}) if summary else []
    return {
        "object_name": email.object_name,
        "source": email.source,
        "size_text": _size(email.size),
        "summary": summary,
        "summary_problem": email.summary_problem,
        "changes": changes,
        "previous_known": email.previous_totals is not None,
        "period_text": _period(summary),
        "link": email.link,
        "link_expires": email.link_expires.strftime("%Y-%m-%d %H:%M UTC") if email.link_expires else None,
        "money": lambda amount: f"{amount:,.2f}",
        "signed": lambda amount: f"{amount:+,.2f}",
        "signed_percent": lambda percent: f"{percent:+.1f} %",
        "change_note": lambda change: _change_note(change) if email.previous_totals is not None else "",
    }


def _change_note(change: CurrencyChange) -> str:
    percent = f", {change.percent:+.1f} %" if change.percent is not None else ""
    return f" ({change.delta:+,.2f}{percent} vs the previous report)"


def _period(summary: ReportSummary | None) -> str:
    if summary is None or summary.period_start is None or summary.period_end is None:
        return "unknown"
    return f"{summary.period_start:%Y-%m-%d %H:%M} to {summary.period_end:%Y-%m-%d %H:%M} UTC"


def _size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"
