"""`drift_findings`: what the estimate-vs-bill and anomaly detectors found, one row per fingerprint.

A finding found again (a re-run, or a day whose bill was restated) updates its figures in place;
its alert, raised once per fingerprint, is not raised again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb


@dataclass(frozen=True)
class FindingDraft:
    fingerprint: str
    method: str  # estimate_vs_bill or same_weekday_median
    provider: str
    account_id: str
    region_id: str
    subject: str
    period_start: date
    period_end: date
    currency: str
    expected: Decimal
    actual: Decimal
    impact: Decimal
    variance_percent: Decimal | None
    score: Decimal | None
    details: dict[str, Any] = field(default_factory=dict)


def record_finding(conn: psycopg.Connection, draft: FindingDraft) -> int:
    row = conn.execute(
        """
        INSERT INTO drift_findings (fingerprint, method, provider, account_id, region_id, subject, period_start,
                                    period_end, currency, expected, actual, impact, variance_percent, score, details)
        VALUES (%(fingerprint)s, %(method)s, %(provider)s, %(account_id)s, %(region_id)s, %(subject)s,
                %(period_start)s, %(period_end)s, %(currency)s, %(expected)s, %(actual)s, %(impact)s,
                %(variance_percent)s, %(score)s, %(details)s)
        ON CONFLICT (fingerprint) DO UPDATE
           SET expected = EXCLUDED.expected, actual = EXCLUDED.actual, impact = EXCLUDED.impact,
               variance_percent = EXCLUDED.variance_percent, score = EXCLUDED.score, details = EXCLUDED.details,
               updated_at = now()
        RETURNING id
        """,
        {**draft.__dict__, "details": Jsonb(draft.details)},
    ).fetchone()
    assert row is not None  # an upsert always returns its row
    return int(row[0])


def list_findings(
    conn: psycopg.Connection, accounts: list[str], since: date, method: str | None, limit: int
) -> list[dict[str, Any]]:
    with conn.cursor(row_factory=dict_row) as cursor:
        return cursor.execute(
            """
            SELECT id, method, provider, account_id, region_id, subject, period_start, period_end, currency,
                   expected, actual, impact, variance_percent, score, details, found_at, updated_at
              FROM drift_findings
             WHERE account_id = ANY(%(accounts)s) AND period_start >= %(since)s
               AND (%(method)s::text IS NULL OR method = %(method)s)
             ORDER BY period_start DESC, abs(impact) DESC, id
             LIMIT %(limit)s
            """,
            {"accounts": accounts, "since": since, "method": method, "limit": limit},
        ).fetchall()
