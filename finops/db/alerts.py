"""The alerts ledger: an alert is raised once per fingerprint, and each of its notifications sent once.

Raising claims the fingerprint and queues the notifications in one transaction, so whatever runs
at once or again, one run raises an alert and nobody queues it twice. Sending claims pending
notifications under a lease (FOR UPDATE SKIP LOCKED): two runs never take the same one; a run
that died mid-send leaves a lease that runs out, and a failed send is taken again next run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb


@dataclass(frozen=True)
class AlertDraft:
    fingerprint: str
    kind: str  # budget, budget_recovery, drift, anomaly
    period_start: date
    title: str
    facts: dict[str, Any]
    owner_id: int | None = None
    budget_id: int | None = None
    rule_id: int | None = None
    finding_id: int | None = None
    account_id: str | None = None


@dataclass(frozen=True)
class Recipients:
    emails: tuple[str, ...] = ()
    webhooks: tuple[tuple[bytes, str], ...] = ()  # (sealed URL, label shown instead of it)


@dataclass(frozen=True)
class PendingNotification:
    id: int
    channel: str  # email or webhook
    emails: tuple[str, ...]
    webhook_sealed: bytes | None
    webhook_label: str | None
    attempts: int
    alert_id: int
    kind: str
    title: str
    period_start: date
    facts: dict[str, Any] = field(default_factory=dict)


def alert_raised(conn: psycopg.Connection, fingerprint: str) -> bool:
    return conn.execute("SELECT 1 FROM alerts WHERE fingerprint = %s", [fingerprint]).fetchone() is not None


def raise_alert(conn: psycopg.Connection, draft: AlertDraft, recipients: Recipients) -> int | None:
    """The new alert's id, or None when this fingerprint was raised before (by this run or another)."""
    with conn.transaction():
        row = conn.execute(
            """
            INSERT INTO alerts (fingerprint, kind, owner_id, budget_id, rule_id, finding_id, account_id,
                                period_start, title, facts)
            VALUES (%(fingerprint)s, %(kind)s, %(owner_id)s, %(budget_id)s, %(rule_id)s, %(finding_id)s,
                    %(account_id)s, %(period_start)s, %(title)s, %(facts)s)
            ON CONFLICT (fingerprint) DO NOTHING
            RETURNING id
            """,
            {**draft.__dict__, "facts": Jsonb(draft.facts)},
        ).fetchone()
        if row is None:
            return None
        alert_id = int(row[0])
        if recipients.emails:
            conn.execute(
                "INSERT INTO alert_notifications (alert_id, channel, emails) VALUES (%s, 'email', %s)",
                [alert_id, sorted(set(recipients.emails))],
            )
        with conn.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO alert_notifications (alert_id, channel, webhook_sealed, webhook_label)"
                " VALUES (%s, 'webhook', %s, %s)",
                [(alert_id, sealed, label) for sealed, label in recipients.webhooks],
            )
    return alert_id


def claim_pending(
    conn: psycopg.Connection, lease: timedelta, max_attempts: int, token: UUID
) -> list[PendingNotification]:
    """Everything pending, for the run holding ``token``; a lease that runs out (a run that died) frees it."""
    with conn.transaction(), conn.cursor(row_factory=dict_row) as cursor:
        rows = cursor.execute(
            """
            WITH claimed AS (
                UPDATE alert_notifications n
                   SET status = 'sending', attempts = n.attempts + 1, claimed_until = now() + %(lease)s,
                       claim_token = %(token)s
                 WHERE n.id IN (SELECT id FROM alert_notifications
                                 WHERE (status IN ('pending', 'failed')
                                        OR (status = 'sending' AND claimed_until < now()))
                                   AND attempts < %(max_attempts)s
                                 ORDER BY id
                                   FOR UPDATE SKIP LOCKED)
                RETURNING n.*
            )
            SELECT c.id, c.channel, c.emails, c.webhook_sealed, c.webhook_label, c.attempts, c.alert_id,
                   a.kind, a.title, a.period_start, a.facts
              FROM claimed c JOIN alerts a ON a.id = c.alert_id
             ORDER BY c.id
            """,
            {"lease": lease, "max_attempts": max_attempts, "token": token},
        ).fetchall()
    return [
        PendingNotification(
            id=int(row["id"]),
            channel=str(row["channel"]),
            emails=tuple(row["emails"] or ()),
            webhook_sealed=bytes(row["webhook_sealed"]) if row["webhook_sealed"] is not None else None,
            webhook_label=row["webhook_label"],
            attempts=int(row["attempts"]),
            alert_id=int(row["alert_id"]),
            kind=str(row["kind"]),
            title=str(row["title"]),
            period_start=row["period_start"],
            facts=dict(row["facts"]),
        )
        for row in rows
    ]


def mark_sent(conn: psycopg.Connection, notification_ids: Sequence[int], token: UUID) -> None:
    _mark(conn, notification_ids, token, "sent", None)


def mark_failed(conn: psycopg.Connection, notification_ids: Sequence[int], token: UUID, error: str) -> None:
    _mark(conn, notification_ids, token, "failed", error)


def _mark(conn: psycopg.Connection, ids: Sequence[int], token: UUID, status: str, error: str | None) -> None:
    # A run whose lease ran out while it sent must not undo what the run that took over recorded.
    with conn.transaction():
        conn.execute(
            """
            UPDATE alert_notifications
               SET status = %(status)s, last_error = %(error)s, claimed_until = NULL, claim_token = NULL,
                   sent_at = CASE WHEN %(status)s = 'sent' THEN now() END
             WHERE id = ANY(%(ids)s) AND claim_token = %(token)s AND status = 'sending'
            """,
            {"status": status, "error": error, "ids": list(ids), "token": token},
        )


@dataclass(frozen=True)
class AlertView:
    id: int
    kind: str
    title: str
    period_start: date
    facts: dict[str, Any]
    budget_id: int | None
    finding_id: int | None
    account_id: str | None
    created_at: datetime
    notifications: list[dict[str, Any]]


def list_alerts(
    conn: psycopg.Connection, owner_id: int, accounts: list[str], since: datetime, limit: int
) -> list[AlertView]:
    """The owner's budget alerts and the alerts about findings on their accounts, newest first."""
    with conn.cursor(row_factory=dict_row) as cursor:
        rows = cursor.execute(
            """
            SELECT a.id, a.kind, a.title, a.period_start, a.facts, a.budget_id, a.finding_id, a.account_id,
                   a.created_at,
                   -- A finding's alert went to the operator's recipients: whom, and why it failed, is theirs.
                   coalesce(jsonb_agg(jsonb_build_object(
                       'channel', n.channel,
                       'to', CASE WHEN a.owner_id IS NULL THEN 'operator'
                                  ELSE coalesce(array_to_string(n.emails, ', '), n.webhook_label) END,
                       'status', n.status, 'attempts', n.attempts, 'sent_at', n.sent_at,
                       'error', CASE WHEN a.owner_id IS NULL THEN NULL ELSE n.last_error END)
                       ORDER BY n.id) FILTER (WHERE n.id IS NOT NULL), '[]'::jsonb) AS notifications
              FROM alerts a LEFT JOIN alert_notifications n ON n.alert_id = a.id
             WHERE (a.owner_id = %(owner)s OR (a.owner_id IS NULL AND a.account_id = ANY(%(accounts)s)))
               AND a.created_at >= %(since)s
             GROUP BY a.id
             ORDER BY a.created_at DESC, a.id DESC
             LIMIT %(limit)s
            """,
            {"owner": owner_id, "accounts": accounts, "since": since, "limit": limit},
        ).fetchall()
    return [AlertView(**row) for row in rows]


def raised_at(conn: psycopg.Connection, fingerprints: Sequence[str]) -> dict[str, datetime]:
    rows = conn.execute(
        "SELECT fingerprint, created_at FROM alerts WHERE fingerprint = ANY(%s)", [list(fingerprints)]
    ).fetchall()
    return {str(fingerprint): created_at for fingerprint, created_at in rows}
