"""refresh-catalog: each region's public Outscale catalog into the price history, a new row only on change."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from prefect import flow
from prefect.client.schemas.objects import State
from prefect.states import Completed, Failed

from finops.config import Settings
from finops.domain.errors import FinopsError, UsageError
from finops.domain.outscale_catalog import REGION_CURRENCIES
from tasks.outcomes import failed_outcome
from tasks.outscale_catalog import fetch_public_catalog, publish_catalog_report, record_prices


@flow(name="refresh-catalog", log_prints=False)
def refresh_catalog(regions: list[str] | None = None) -> State[list[dict[str, Any]]]:
    """Records the prices of every region (or of ``regions``); a region that fails never stops the others."""
    settings = Settings()
    chosen = regions or settings.outscale_regions
    unknown = [region for region in chosen if region not in REGION_CURRENCIES]
    if unknown:
        raise UsageError(f"unknown Outscale region {', '.join(unknown)}; one of {', '.join(sorted(REGION_CURRENCIES))}")
    seen_at = datetime.now(UTC)
    outcomes: list[dict[str, Any]] = []
    for region in chosen:
        try:
            outcomes.append(record_prices(region, fetch_public_catalog(region, settings), seen_at, settings))
        except FinopsError as error:
            outcomes.append(failed_outcome(error, region=region))
    publish_catalog_report(outcomes)
    failed = [outcome["region"] for outcome in outcomes if outcome["status"] == "failed"]
    if failed and len(failed) == len(outcomes):
        return Failed(message=f"no catalog could be read; failed: {', '.join(failed)}", data=outcomes)
    return Completed(data=outcomes)
