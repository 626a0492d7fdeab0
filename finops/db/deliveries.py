"""The deliveries ledger: claim a report version for sending, then record how it ended."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from finops.domain.delivery import DeliveryClaim, ObjectVersion


def claim(
    conn: psycopg.Connection,
    *,
    rule: str,
    version: ObjectVersion,
    recipients: tuple[str, ...],
    message_id: str,
    lease: timedelta,
) -> DeliveryClaim | None:
    """Claims the version for this run, or None when it was sent or another run is sending it now.

    A claim whose lease ran out (a run that crashed mid-send) can be claimed again.
    """
    key = {
        "namespace": version.namespace,
        "bucket": version.bucket,
        "object_name": version.name,
        "etag": version.etag,
        "recipients": list(recipients),
    }
    with conn.transaction():
        conn.execute(
            """
            INSERT INTO deliveries (rule, namespace, bucket, object_name, etag, recipients, message_id)
            VALUES (%(rule)s, %(namespace)s, %(bucket)s, %(object_name)s, %(etag)s, %(recipients)s, %(message_id)s)
            ON CONFLICT ON CONSTRAINT deliveries_version_recipients_key DO NOTHING
            """,
            {**key, "rule": rule, "message_id": message_id},
        )
        row = conn.execute(
            """
            UPDATE deliveries
               SET status = 'sending', attempts = attempts + 1, claimed_until = now() + %(lease)s,
                   updated_at = now()
             WHERE namespace = %(namespace)s AND bucket = %(bucket)s AND object_name = %(object_name)s
               AND etag = %(etag)s AND recipients = %(recipients)s
               AND (status IN ('pending', 'failed') OR (status = 'sending' AND claimed_until < now()))
            RETURNING id, attempts
            """,
            {**key, "lease": lease},
        ).fetchone()
    return DeliveryClaim(delivery_id=int(row[0]), attempt=int(row[1])) if row else None


def mark_sent(
    conn: psycopg.Connection,
    claim: DeliveryClaim,
    *,
    delivered_as: str,
    object_size: int,
    summary: dict[str, Any] | None,
) -> bool:
    """Records the send; False when this run's claim had already been taken over by another run."""
    with conn.transaction():
        cursor = conn.execute(
            """
            UPDATE deliveries
               SET status = 'sent', sent_at = now(), updated_at = now(), claimed_until = NULL,
                   delivered_as = %(delivered_as)s, object_size = %(object_size)s, summary = %(summary)s,
                   error_category = NULL, error_message = NULL
             WHERE id = %(id)s AND status = 'sending' AND attempts = %(attempt)s
            """,
            {
                "id": claim.delivery_id,
                "attempt": claim.attempt,
                "delivered_as": delivered_as,
                "object_size": object_size,
                "summary": Jsonb(summary) if summary is not None else None,
            },
        )
    return cursor.rowcount == 1


def mark_failed(conn: psycopg.Connection, claim: DeliveryClaim, *, category: str, message: str) -> bool:
    """Records the failure; False when another run holds the claim now (its outcome wins)."""
    with conn.transaction():
        cursor = conn.execute(
            """
            UPDATE deliveries
               SET status = 'failed', updated_at = now(), claimed_until = NULL,
                   error_category = %(category)s, error_message = %(message)s
             WHERE id = %(id)s AND status = 'sending' AND attempts = %(attempt)s
            """,
            {"id": claim.delivery_id, "attempt": claim.attempt, "category": category, "message": message},
        )
    return cursor.rowcount == 1


def previous_totals(
    conn: psycopg.Connection, rule: str, series: str, before_delivery_id: int
) -> dict[str, Decimal] | None:
    """The totals of the last report of the same series this rule sent, if it was a cost report."""
    row = conn.execute(
        """
        SELECT summary -> 'totals' FROM deliveries
         WHERE rule = %(rule)s AND status = 'sent' AND id <> %(id)s
           AND summary ->> 'series' = %(series)s AND summary ? 'totals'
         ORDER BY sent_at DESC LIMIT 1
        """,
        {"rule": rule, "series": series, "id": before_delivery_id},
    ).fetchone()
    if row is None or not row[0]:
        return None
    return {currency: Decimal(amount) for currency, amount in row[0].items()}


def sent_versions(
    conn: psycopg.Connection, versions: list[ObjectVersion], recipients: tuple[str, ...]
) -> set[ObjectVersion]:
    if not versions:
        return set()
    rows = conn.execute(
        """
        SELECT d.namespace, d.bucket, d.object_name, d.etag
          FROM deliveries d
          JOIN unnest(%(namespaces)s::text[], %(buckets)s::text[], %(names)s::text[], %(etags)s::text[])
               AS v(namespace, bucket, object_name, etag)
            ON (d.namespace, d.bucket, d.object_name, d.etag) = (v.namespace, v.bucket, v.object_name, v.etag)
         WHERE d.recipients = %(recipients)s AND d.status = 'sent'
        """,
        {
            "namespaces": [v.namespace for v in versions],
            "buckets": [v.bucket for v in versions],
            "names": [v.name for v in versions],
            "etags": [v.etag for v in versions],
            "recipients": list(recipients),
        },
    ).fetchall()
    return {ObjectVersion(*row) for row in rows}
