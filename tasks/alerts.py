"""Sends what the alerts ledger holds pending: one digest per recipient set and channel, each sent once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from finops.config import Settings
from finops.db.alerts import PendingNotification, claim_pending, mark_failed, mark_sent
from finops.db.connect import connect
from finops.domain.alert_digest import DigestItem, digest_message_id, digest_subject, digest_text, webhook_body
from finops.domain.errors import ConfigError, FinopsError
from finops.domain.redaction import redact
from finops.notify.alert_email import build_digest
from finops.notify.outbox import write_to_outbox
from finops.notify.smtp import send
from finops.notify.webhooks import is_chat_target, post_chat, post_json
from finops.secret_box import SecretBox
from tasks.database import database_url
from tasks.mail import smtp_server
from tasks.retry import retry_if_transient

# Far longer than a run's sends with their retries (about 40 s for a receiver that never answers):
# a lease that runs out means the run holding it died.
SEND_LEASE = timedelta(hours=1)
# Few and short: a mail server or receiver still down is tried again by the next run, not held up in this one.
SEND_RETRIES: dict[str, Any] = {"retries": 2, "retry_delay_seconds": [2, 8], "retry_condition_fn": retry_if_transient}

DigestKey = tuple[str, tuple[str, ...]]


@task(task_run_name="send pending alerts", cache_policy=NO_CACHE)
def send_pending_alerts(settings: Settings) -> list[dict[str, Any]]:
    token = uuid4()
    with connect(database_url(settings)) as conn:
        pending = claim_pending(conn, SEND_LEASE, settings.alert_max_attempts, token)
    groups, unreadable = _digests(pending, settings)
    outcomes = [_finish(settings, token, [n], "failed", n.webhook_label or "webhook", why) for n, why in unreadable]
    for (channel, target), notifications in groups.items():
        label = ", ".join(target) if channel == "email" else (notifications[0].webhook_label or "webhook")
        try:
            send_digest(channel, notifications, settings)
        except FinopsError as error:
            reason = redact(f"{error.category}: {error.message}")
            get_run_logger().warning("digest channel=%s to=%s failed, kept for next run: %s", channel, label, reason)
            outcomes.append(_finish(settings, token, notifications, "failed", label, reason))
        except Exception as error:
            reason = f"unexpected error ({type(error).__name__}); see the run's log"
            get_run_logger().exception("digest channel=%s to=%s failed unexpectedly", channel, label)
            outcomes.append(_finish(settings, token, notifications, "failed", label, reason))
        else:
            outcomes.append(_finish(settings, token, notifications, "sent", label, None))
    return outcomes


def _digests(
    pending: Sequence[PendingNotification], settings: Settings
) -> tuple[dict[DigestKey, list[PendingNotification]], list[tuple[PendingNotification, str]]]:
    """Email by recipient set, webhooks by URL (the sealed copies of one URL differ, the URL does not); and the
    webhooks whose URL cannot be opened with this encryption key."""
    groups: dict[DigestKey, list[PendingNotification]] = {}
    unreadable: list[tuple[PendingNotification, str]] = []
    box: SecretBox | None = None
    for notification in pending:
        if notification.channel == "email":
            groups.setdefault(("email", notification.emails), []).append(notification)
            continue
        try:
            box = box or SecretBox.from_settings(settings)
            url = box.open(notification.webhook_sealed or b"")
        except ConfigError:
            unreadable.append((notification, "config: the webhook URL was sealed with another encryption key"))
            continue
        groups.setdefault(("webhook", (url,)), []).append(notification)
    return groups, unreadable


@task(task_run_name="send digest by {channel}", cache_policy=NO_CACHE, **SEND_RETRIES)
def send_digest(channel: str, notifications: list[PendingNotification], settings: Settings) -> None:
    """The URL is opened here, not passed in: a task's arguments may be serialised (task runners, results)."""
    items = [DigestItem.from_facts(n.alert_id, n.kind, n.title, n.period_start, n.facts) for n in notifications]
    digest_id = digest_message_id([n.id for n in notifications])
    now = datetime.now(UTC)
    if channel == "webhook":
        url = SecretBox.from_settings(settings).open(notifications[0].webhook_sealed or b"")
        if is_chat_target(url):
            post_chat(url, digest_subject(items), digest_text(items, settings.dashboard_url))
        else:
            post_json(url, webhook_body(items, now, settings.dashboard_url), idempotency_key=digest_id.strip("<>"))
        return
    sender = settings.alert_sender or settings.email_from
    if not sender:
        raise ConfigError("alert emails need a sender: set FINOPS_ALERT_SENDER (or FINOPS_EMAIL_FROM)")
    message = build_digest(
        items,
        sender=sender,
        recipients=notifications[0].emails,
        message_id=digest_id,
        dashboard_url=settings.dashboard_url,
        sent_at=now,
    )
    if settings.mail_outbox_dir:
        write_to_outbox(message, settings.mail_outbox_dir)
        return
    send(message, smtp_server(settings))


def _finish(
    settings: Settings,
    token: UUID,
    notifications: Sequence[PendingNotification],
    status: str,
    to: str,
    problem: str | None,
) -> dict[str, Any]:
    ids = [n.id for n in notifications]
    with connect(database_url(settings)) as conn:
        if problem is None:
            mark_sent(conn, ids, token)
        else:
            mark_failed(conn, ids, token, problem)
    return {
        "status": status,
        "channel": notifications[0].channel,
        "to": to,
        "alerts": [n.title for n in notifications],
        "attempt": max(n.attempts for n in notifications),
        "problem": problem,
    }
