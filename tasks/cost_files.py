"""Tasks of ingest-costs: find the billing files of a source, load one, tell what happened."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.events import emit_event

from finops.config import Settings
from finops.db.connect import connect
from finops.db.cost_loader import load_report
from finops.db.source_files import settled_versions
from finops.domain.delivery import SourceLocation, StoredObject
from finops.domain.redaction import redact
from tasks.database import database_url
from tasks.retry import TRANSIENT_RETRIES
from tasks.stores import store_for

COST_FILE_SUFFIXES = (".csv", ".csv.gz")
INGESTED_EVENT = "finops.costs.ingested"
# A version that failed in an earlier run: the same bytes would fail the same way, so it is not read again.
FAILED_BEFORE = "failed before"


def file_uri(source: SourceLocation, stored: StoredObject) -> str:
    if source.kind == "file":
        return f"file://{source.bucket}/{stored.name}"
    return f"oci://{stored.namespace}/{stored.bucket}/{stored.name}"


@task(task_run_name="list {source}", cache_policy=NO_CACHE, **TRANSIENT_RETRIES)
def list_cost_files(source: SourceLocation, settings: Settings) -> list[StoredObject]:
    listed = store_for(source, settings).list_objects(source.namespace, source.bucket, source.prefix)
    return [stored for stored in listed if stored.name.lower().endswith(COST_FILE_SUFFIXES)]


@task(task_run_name="not yet loaded of {source}", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def unloaded_cost_files(
    source: SourceLocation, files: list[StoredObject], settings: Settings, *, retry_failed: bool = False
) -> tuple[list[StoredObject], list[dict[str, Any]]]:
    """The files to load, and what an earlier run found wrong with the versions it is not worth reading again."""
    with connect(database_url(settings)) as conn:
        settled = settled_versions(conn, [(file_uri(source, stored), stored.etag) for stored in files])
    pending: list[StoredObject] = []
    failed_before: list[dict[str, Any]] = []
    for stored in files:
        version = settled.get((file_uri(source, stored), stored.etag))
        if version is None or (version.status == "failed" and retry_failed):
            pending.append(stored)
        elif version.status == "failed":
            problem = {"message": version.error_message, "line": version.error_line, "column": version.error_column}
            failed_before.append({"file": file_uri(source, stored), "status": FAILED_BEFORE, "problem": problem})
    return pending, failed_before


@task(task_run_name="load {stored.name}", cache_policy=NO_CACHE, **TRANSIENT_RETRIES)
def load_cost_file(source: SourceLocation, stored: StoredObject, settings: Settings, workdir: Path) -> dict[str, Any]:
    local = workdir / f"{stored.etag[:16]}.part"
    try:
        downloaded, _ = store_for(source, settings).download(stored.namespace, stored.bucket, stored.name, local)
        with local.open("rb") as content:
            result = load_report(
                database_url(settings),
                uri=file_uri(source, stored),
                etag=downloaded.etag,
                content=content,
                size=downloaded.size,
            )
    finally:
        local.unlink(missing_ok=True)
    outcome = {
        "file": file_uri(source, stored),
        "status": result.status,
        "kind": result.kind,
        "rows": result.rows,
        "duplicates": result.duplicates,
        "totals": {currency: str(total) for currency, total in result.totals.items()},
        "days": [day.isoformat() for day in result.days],
        "accounts": list(result.accounts),
        "problem": asdict(result.problem) if result.problem else None,
    }
    if result.problem:
        get_run_logger().warning(
            "file=%s failed line=%s column=%s: %s",
            outcome["file"],
            result.problem.line,
            result.problem.column,
            redact(result.problem.message),
        )
    return outcome


@task(task_run_name="announce ingested costs")
def announce_ingested(outcomes: list[dict[str, Any]]) -> None:
    """Alert flows chain on this event (a deployment trigger on finops.costs.ingested)."""
    loaded = [outcome for outcome in outcomes if outcome["status"] == "loaded"]
    emit_event(
        event=INGESTED_EVENT,
        resource={"prefect.resource.id": "finops.cost-ledger.oci"},
        payload={
            "files": [outcome["file"] for outcome in loaded],
            "days": sorted({day for outcome in loaded for day in outcome["days"]}),
            "accounts": sorted({account for outcome in loaded for account in outcome["accounts"]}),
        },
    )


@task(task_run_name="publish ingestion report")
def publish_ingestion_report(outcomes: list[dict[str, Any]], started: datetime) -> None:
    seconds = (datetime.now(UTC) - started).total_seconds()
    totals: dict[str, Decimal] = {}
    lines = [
        "# Cost ingestion",
        "",
        "| status | file | kind | rows | duplicates | totals | problem |",
        "|---|---|---|---|---|---|---|",
    ]
    for outcome in outcomes:
        for currency, amount in outcome.get("totals", {}).items():
            totals[currency] = totals.get(currency, Decimal(0)) + Decimal(amount)
        cells = [
            outcome["status"],
            outcome["file"],
            outcome.get("kind") or "",
            outcome.get("rows", 0),
            outcome.get("duplicates", 0),
            _amounts({currency: Decimal(amount) for currency, amount in outcome.get("totals", {}).items()}),
            _problem(outcome.get("problem") or {}),
        ]
        lines.append("| " + " | ".join(redact(str(cell)).replace("|", "\\|") for cell in cells) + " |")
    loaded = [outcome for outcome in outcomes if outcome["status"] == "loaded"]
    lines += [
        "",
        f"{sum(outcome['rows'] for outcome in loaded):,} rows from {len(loaded)} of {len(outcomes)} files"
        f" in {seconds:.1f} s; loaded totals: {_amounts(totals) or 'none'}",
    ]
    create_markdown_artifact(markdown="\n".join(lines), key="ingest-costs", description="Files loaded by this run")


def _amounts(totals: dict[str, Decimal]) -> str:
    """Exact, as the ledger holds them: a fraction of a cent is a cost too."""
    return ", ".join(f"{currency or '(no currency)'} {amount:,f}" for currency, amount in sorted(totals.items()))


def _problem(problem: dict[str, Any]) -> str:
    where = ", ".join(
        str(part) for part in (problem.get("line") and f"line {problem['line']}", problem.get("column")) if part
    )
    message = str(problem.get("message") or "")
    return f"{where}: {message}" if where else message
