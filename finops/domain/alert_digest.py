"""One message per recipient set: the alerts a run has to tell, as a digest, and its webhook body.

Every alert carries its facts as it was raised: a one-line headline, figures for people (label,
value) and data for machines. The digest's Message-ID is made from the notifications it carries,
so a digest sent again after a crash is the same message to a mail system that deduplicates.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

KIND_LABELS = {
    "budget": "Budget threshold crossed",
    "budget_recovery": "Budget forecast back under its threshold",
    "drift": "Estimate differs from the bill",
    "anomaly": "Spend anomaly",
}
WEBHOOK_SCHEMA = "finops-flows.alerts/1"


@dataclass(frozen=True)
class DigestItem:
    alert_id: int
    kind: str
    title: str
    period_start: date
    headline: str
    figures: tuple[tuple[str, str], ...]
    data: dict[str, Any]

    @classmethod
    def from_facts(cls, alert_id: int, kind: str, title: str, period_start: date, facts: dict[str, Any]) -> DigestItem:
        return cls(
            alert_id=alert_id,
            kind=kind,
            title=title,
            period_start=period_start,
            headline=str(facts.get("headline") or title),
            figures=tuple((str(label), str(value)) for label, value in facts.get("figures", ())),
            data=dict(facts.get("data") or {}),
        )

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


def digest_subject(items: Sequence[DigestItem]) -> str:
    if len(items) == 1:
        return f"[finops] {items[0].title}"
    kinds = sorted({item.kind_label.lower() for item in items})
    return f"[finops] {len(items)} alerts: {', '.join(kinds)}"


def digest_message_id(notification_ids: Sequence[int]) -> str:
    digest = hashlib.sha256(",".join(str(i) for i in sorted(notification_ids)).encode()).hexdigest()[:32]
    return f"<alerts-{digest}@finops-flows>"


def webhook_body(items: Sequence[DigestItem], sent_at: datetime, dashboard_url: str | None) -> dict[str, Any]:
    """The JSON a webhook receives (documented in the README)."""
    return {
        "schema": WEBHOOK_SCHEMA,
        "sent_at": sent_at.isoformat(timespec="seconds"),
        "dashboard_url": dashboard_url,
        "alerts": [
            {
                "id": item.alert_id,
                "kind": item.kind,
                "title": item.title,
                "period_start": item.period_start.isoformat(),
                "headline": item.headline,
                "data": item.data,
            }
            for item in items
        ],
    }


def digest_text(items: Sequence[DigestItem], dashboard_url: str | None) -> str:
    """A plain-text digest, for chat targets (Slack, Teams) that take text rather than our JSON."""
    lines = [f"- {item.headline}" for item in items]
    if dashboard_url:
        lines.append(f"Dashboard: {dashboard_url}")
    return "\n".join(lines)
