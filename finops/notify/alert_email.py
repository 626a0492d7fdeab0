"""The alert digest email: a text and an HTML body listing every alert for one set of recipients."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from finops.domain.alert_digest import DigestItem, digest_subject
from finops.notify.templates import TEMPLATES


def build_digest(
    items: Sequence[DigestItem],
    *,
    sender: str,
    recipients: Sequence[str],
    message_id: str,
    dashboard_url: str | None,
    sent_at: datetime,
) -> EmailMessage:
    subject = digest_subject(items)
    context = {
        "items": items,
        "subject": subject,
        "dashboard_url": dashboard_url,
        "sent_at": sent_at.strftime("%Y-%m-%d %H:%M UTC"),
    }
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = message_id
    message.set_content(TEMPLATES.get_template("alert_digest.txt.j2").render(context))
    message.add_alternative(TEMPLATES.get_template("alert_digest.html.j2").render(context), subtype="html")
    return message
