"""The retry policy shared by tasks: exponential backoff with jitter, and only for transient errors."""

from __future__ import annotations

from typing import Any

import psycopg
from prefect.tasks import exponential_backoff

from finops.domain.errors import is_transient

# The database restarting or going away, and two writers meeting: worth another try.
TRANSIENT_DATABASE_ERRORS = (
    psycopg.OperationalError,
    psycopg.errors.DeadlockDetected,
    psycopg.errors.SerializationFailure,
)

RETRIES = 4
RETRY_DELAYS = exponential_backoff(backoff_factor=2)
RETRY_JITTER = 0.5


def retry_if_transient(task: Any, task_run: Any, state: Any) -> bool:
    """429, 5xx, timeouts, SMTP 4xx and a database restart are retried; a wrong key or a missing bucket is not."""
    error = state.result(raise_on_failure=False)
    return is_transient(error) or isinstance(error, TRANSIENT_DATABASE_ERRORS)


TRANSIENT_RETRIES: dict[str, Any] = {
    "retries": RETRIES,
    "retry_delay_seconds": RETRY_DELAYS,
    "retry_jitter_factor": RETRY_JITTER,
    "retry_condition_fn": retry_if_transient,
}
