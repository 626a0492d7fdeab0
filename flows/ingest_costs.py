"""ingest-costs: OCI cost, usage, FOCUS and scheduled reports into the cost ledger, each file once."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prefect import flow
from prefect.client.schemas.objects import State
from prefect.states import Completed, Failed

from finops.config import Settings
from finops.domain.delivery import SourceLocation, StoredObject
from finops.domain.errors import ConfigError, FinopsError
from finops.domain.redaction import redact
from tasks.cost_files import (
    announce_ingested,
    list_cost_files,
    load_cost_file,
    publish_ingestion_report,
    unloaded_cost_files,
)
from tasks.progress import RunProgress


@flow(name="ingest-costs", log_prints=False)
def ingest_costs(source: str | None = None, retry_failed: bool = False) -> State[list[dict[str, Any]]]:
    """Loads every file of the sources not loaded yet; a failed file never stops the others.

    A file version that failed in an earlier run is listed, not read again, unless ``retry_failed``
    (after the loader itself was mended); a file rewritten with a new etag is always read.
    """
    started = datetime.now(UTC)
    settings = Settings()
    uris = [source] if source else settings.cost_sources
    if not uris:
        raise ConfigError("no cost source: pass source=oci://namespace/bucket/prefix or set FINOPS_COST_SOURCES")
    outcomes: list[dict[str, Any]] = []
    work: list[tuple[SourceLocation, list[StoredObject]]] = []
    for uri in uris:
        try:
            location = SourceLocation.parse(uri)
            listed = list_cost_files(location, settings)
            pending, failed_before = unloaded_cost_files(location, listed, settings, retry_failed=retry_failed)
            work.append((location, pending))
            outcomes += failed_before
        except FinopsError as error:
            outcomes.append(_failed(uri, error))
    progress = RunProgress("files loaded", sum(len(pending) for _, pending in work))
    with tempfile.TemporaryDirectory(prefix="finops-ingest-") as workdir:
        for location, pending in work:
            for stored in pending:
                try:
                    outcomes.append(load_cost_file(location, stored, settings, Path(workdir)))
                except FinopsError as error:
                    outcomes.append(_failed(f"{location}/{stored.name}", error))
                progress.advance(stored.name)
    publish_ingestion_report(outcomes, started)
    loaded = [o for o in outcomes if o["status"] == "loaded"]
    failed = [o for o in outcomes if o["status"] == "failed"]
    if loaded:
        announce_ingested(outcomes)
    if failed and not loaded:
        names = ", ".join(o["file"] for o in failed)
        return Failed(message=f"nothing could be loaded; failed: {names}", data=outcomes)
    return Completed(data=outcomes)


def _failed(what: str, error: FinopsError) -> dict[str, Any]:
    return {"file": what, "status": "failed", "problem": {"message": redact(f"{error.category}: {error.message}")}}
