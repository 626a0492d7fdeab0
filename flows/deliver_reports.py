"""deliver-reports: each new report version in a configured bucket is emailed once to its recipients."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger
from prefect.client.schemas.objects import State
from prefect.states import Completed, Failed

from finops.config import Settings
from finops.delivery_rules import delivery_rules
from finops.domain.delivery import DeliveryClaim, DeliveryRule, StoredObject, message_id, report_series
from finops.domain.errors import FinopsError
from finops.domain.redaction import redact
from finops.domain.report_email import ReportEmail
from tasks.artifacts import publish_delivery_report
from tasks.deliveries import claim_delivery, previous_report_totals, record_failed, record_sent, unsent_objects
from tasks.mail import send_report_email
from tasks.report_objects import create_download_link, describe_report_object, download_report, list_report_objects
from tasks.report_summary import summarise_report


@flow(name="deliver-reports", log_prints=False)
def deliver_reports(
    object_name: str | None = None, bucket: str | None = None, namespace: str | None = None
) -> State[list[dict[str, Any]]]:
    """Without an object name, delivers every matching object not yet delivered (the safety net)."""
    settings = Settings()
    rules = [
        rule
        for rule in delivery_rules(settings)
        if (bucket is None or rule.source.bucket == bucket)
        and (namespace is None or rule.source.namespace == namespace)
    ]
    outcomes: list[dict[str, Any]] = []
    candidates = _named(rules, settings, object_name, outcomes) if object_name else _unsent(rules, settings, outcomes)
    with tempfile.TemporaryDirectory(prefix="finops-delivery-") as workdir:
        outcomes += [_deliver(rule, stored, settings, Path(workdir)) for rule, stored in candidates]
    if object_name and not outcomes:
        outcomes.append(_outcome("skipped", object_name, (), "no delivery rule matches this object"))
    publish_delivery_report(outcomes)
    failed = [outcome for outcome in outcomes if outcome["status"] == "failed"]
    if failed:
        reasons = "; ".join(f"{o['object_name']}: {o['message']}" for o in failed)
        return Failed(message=f"{len(failed)} of {len(outcomes)} deliveries failed: {reasons}", data=outcomes)
    return Completed(data=outcomes)


Candidates = list[tuple[DeliveryRule, StoredObject]]


def _named(
    rules: list[DeliveryRule], settings: Settings, object_name: str, outcomes: list[dict[str, Any]]
) -> Candidates:
    found: Candidates = []
    for rule in (r for r in rules if r.matches(r.source.namespace, r.source.bucket, object_name)):
        try:
            found.append((rule, describe_report_object(rule, settings, object_name)))
        except FinopsError as error:
            # One unreadable object or bucket must not stop the other rules.
            outcomes.append(_not_attempted(object_name, rule, error))
    return found


def _unsent(rules: list[DeliveryRule], settings: Settings, outcomes: list[dict[str, Any]]) -> Candidates:
    found: Candidates = []
    for rule in rules:
        try:
            listed = list_report_objects(rule, settings)
            found.extend((rule, stored) for stored in unsent_objects(rule, settings, listed))
        except FinopsError as error:
            outcomes.append(_not_attempted(str(rule.source), rule, error))
    return found


def _not_attempted(what: str, rule: DeliveryRule, error: FinopsError) -> dict[str, Any]:
    message = redact(f"{error.category}: {error.message}")
    get_run_logger().error("rule=%s source=%s failed: %s", rule.name, rule.source, message)
    return _outcome("failed", what, rule.recipient_list, message)


def _deliver(rule: DeliveryRule, stored: StoredObject, settings: Settings, workdir: Path) -> dict[str, Any]:
    recipients = rule.recipient_list
    claim = claim_delivery(rule, settings, stored)
    if claim is None:
        return _outcome("skipped", stored.name, recipients, "already delivered, or being delivered by another run")
    try:
        report = download_report(rule, settings, stored, workdir)
        summary = summarise_report(report.path)
        link, expires = None, None
        if report.stored.size > settings.delivery_attachment_limit_bytes:
            link, expires = create_download_link(rule, settings, report.stored, datetime.now(UTC))
        email = ReportEmail(
            subject=rule.subject(stored.name),
            sender=rule.sender,
            recipients=recipients,
            message_id=message_id(stored.version, recipients),
            object_name=stored.name,
            source=str(rule.source),
            size=report.stored.size,
            content_type=report.stored.content_type,
            summary=summary.summary,
            previous_totals=previous_report_totals(rule, settings, stored, claim),
            attachment=None if link else report.path,
            link=link,
            link_expires=expires,
            summary_problem=summary.problem,
        )
        sent = send_report_email(email, settings)
    except FinopsError as error:
        # Recorded in the ledger (the next run retries it) and reported in the flow's final state.
        return _failed(settings, claim, stored, recipients, error)
    facts: dict[str, Any] = {"series": report_series(stored.name)}
    if summary.summary and summary.summary.is_cost_report:
        facts["totals"] = summary.summary.totals_as_text()
    record_sent(settings, claim, "link" if link else "attachment", report.stored.size, facts)
    return _outcome("sent", stored.name, recipients, sent)


def _failed(
    settings: Settings, claim: DeliveryClaim, stored: StoredObject, recipients: tuple[str, ...], error: FinopsError
) -> dict[str, Any]:
    message = redact(error.message)
    get_run_logger().error("report=%s category=%s failed: %s", stored.name, error.category, message)
    record_failed(settings, claim, error.category, message)
    return _outcome("failed", stored.name, recipients, f"{error.category}: {message}")


def _outcome(status: str, object_name: str, recipients: tuple[str, ...], message: str) -> dict[str, Any]:
    return {
        "status": status,
        "message": message,
        "object_name": object_name,
        "recipients": list(recipients),
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
    }
