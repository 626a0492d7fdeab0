"""Tasks over the deliveries ledger: one transaction each."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from finops.config import Settings
from finops.db import deliveries
from finops.db.connect import connect
from finops.domain.delivery import DeliveryClaim, DeliveryRule, StoredObject, message_id, report_series
from tasks.database import database_url

# Longer than any send can take: a claim older than this belongs to a run that died.
CLAIM_LEASE = timedelta(minutes=30)


@task(task_run_name="unsent of {rule.name}", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def unsent_objects(rule: DeliveryRule, settings: Settings, listed: list[StoredObject]) -> list[StoredObject]:
    with connect(database_url(settings)) as conn:
        sent = deliveries.sent_versions(conn, [s.version for s in listed], rule.recipient_list)
    return [stored for stored in listed if stored.version not in sent]


@task(task_run_name="claim {stored.name}", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def claim_delivery(rule: DeliveryRule, settings: Settings, stored: StoredObject) -> DeliveryClaim | None:
    version = stored.version
    with connect(database_url(settings)) as conn:
        return deliveries.claim(
            conn,
            rule=rule.name,
            version=version,
            recipients=rule.recipient_list,
            message_id=message_id(version, rule.recipient_list),
            lease=CLAIM_LEASE,
        )


@task(task_run_name="previous totals of {rule.name}", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def previous_report_totals(
    rule: DeliveryRule, settings: Settings, stored: StoredObject, claim: DeliveryClaim
) -> dict[str, Decimal] | None:
    with connect(database_url(settings)) as conn:
        return deliveries.previous_totals(conn, rule.name, report_series(stored.name), claim.delivery_id)


@task(task_run_name="record sent #{claim.delivery_id}", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=5)
def record_sent(
    settings: Settings, claim: DeliveryClaim, delivered_as: str, size: int, summary: dict[str, Any] | None
) -> None:
    with connect(database_url(settings)) as conn:
        recorded = deliveries.mark_sent(conn, claim, delivered_as=delivered_as, object_size=size, summary=summary)
    if not recorded:
        get_run_logger().warning("delivery=%s sent, but another run had taken over its claim", claim.delivery_id)


@task(task_run_name="record failed #{claim.delivery_id}", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=5)
def record_failed(settings: Settings, claim: DeliveryClaim, category: str, message: str) -> None:
    with connect(database_url(settings)) as conn:
        recorded = deliveries.mark_failed(conn, claim, category=category, message=message)
    if not recorded:
        get_run_logger().warning("delivery=%s failed, but another run holds its claim now", claim.delivery_id)
