"""Sends what the alerts ledger holds pending: one digest per recipient set and channel, each sent once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

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

# Longer than any send with its retries: a lease that runs out means the run holding it died.
SEND_LEASE = timedelta(minutes=15)
# Few and short: a mail server or receiver still down is tried again by the next run, not held up in this one.
SEND_RETRIES: dict[str, Any] = {"retries": 2, "retry_delay_seconds": [2, 8], "retry_condition_fn": retry_if_transient}


@task(task_run_name="send pending alerts", cache_policy=NO_CACHE)
def send_pending_alerts(settings: Settings) -> list[dict[str, Any]]:
    with connect(database_url(settings)) as conn:
        pending = claim_pending(conn, SEND_LEASE, settings.alert_max_attempts)
    if not pending:
        return []
    outcomes = []
    groups, unreadable = _digests(pending, settings)
    if unreadable:
        with connect(database_url(settings)) as conn:
            mark_failed(conn, [n.id for n, _ in unreadable], unreadable[0][1])
        outcomes += [_outcome("failed", "webhook", n.webhook_label or "webhook", [n], why) for n, why in unreadable]
    for (channel, target), notifications in groups.items():
        label = ", ".join(target) if channel == "email" else (notifications[0].webhook_label or "webhook")
        try:
            send_digest(channel, target, notifications, settings)
        except FinopsError as error:
            reason = redact(f"{error.category}: {error.message}")
            get_run_logger().warning(
                "digest channel=%s to=%s failed, kept for the next run: %s", channel, label, reason
            )
            with connect(database_url(settings)) as conn:
                mark_failed(conn, [n.id for n in notifications], reason)
            outcomes.append(_outcome("failed", channel, label, notifications, reason))
            continue
        with connect(database_url(settings)) as conn:
            mark_sent(conn, [n.id for n in notifications])
        outcomes.append(_outcome("sent", channel, label, notifications, None))
    return outcomes


DigestKey = tuple[str, tuple[str, ...]]


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
def send_digest(
    channel: str, target: tuple[str, ...], notifications: list[PendingNotification], settings: Settings
) -> None:
    items = _items(notifications)
    now = datetime.now(UTC)
    if channel == "webhook":
        (url,) = target
        if is_chat_target(url):
            post_chat(url, digest_subject(items), digest_text(items, settings.dashboard_url))
        else:
            post_json(url, webhook_body(items, now, settings.dashboard_url))
        return
    sender = settings.alert_sender or settings.email_from
    if not sender:
        raise ConfigError("alert emails need a sender: set FINOPS_ALERT_SENDER (or FINOPS_EMAIL_FROM)")
    message = build_digest(
        items,
        sender=sender,
        recipients=target,
        message_id=digest_message_id([n.id for n in notifications]),
        dashboard_url=settings.dashboard_url,
        sent_at=now,
    )
    if settings.mail_outbox_dir:
        write_to_outbox(message, settings.mail_outbox_dir)
        return
    send(message, smtp_server(settings))


def _items(notifications: Sequence[PendingNotification]) -> list[DigestItem]:
    return [DigestItem.from_facts(n.alert_id, n.kind, n.title, n.period_start, n.facts) for n in notifications]


def _outcome(
    status: str, channel: str, to: str, notifications: Sequence[PendingNotification], problem: str | None
) -> dict[str, Any]:
    return {
        "status": status,
        "channel": channel,
        "to": to,
        "alerts": [n.title for n in notifications],
        "attempt": max(n.attempts for n in notifications),
        "problem": problem,
    }
