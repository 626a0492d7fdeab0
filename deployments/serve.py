"""Serves every deployment of ``prefect.yaml`` with its schedules and triggers (started by `finops up`)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

# Run as a script, the project root is not on sys.path; it must be for `deployments.*` and the flows.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from prefect import serve

from deployments.catalog import read_catalog
from finops.config import Settings
from finops.logs import configure_logging

logger = logging.getLogger("finops.deployments")


def main() -> None:
    settings = Settings()
    configure_logging(settings.log_level)
    catalog = read_catalog(settings.prefect_yaml)
    runner_deployments = [catalog.to_runner_deployment(spec) for spec in catalog.deployments]
    logger.info("serving deployments=%d names=%s", len(runner_deployments), ",".join(catalog.names) or "-")
    serve(*runner_deployments, print_starting_message=False)


if __name__ == "__main__":
    main()
