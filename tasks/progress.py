"""A run's progress: a Prefect progress artifact, and the same steps told to local listeners (the CLI bar)."""

from __future__ import annotations

from typing import cast
from uuid import UUID

from prefect.artifacts import create_progress_artifact, update_progress_artifact

from finops.progress import ProgressUpdate, tell


class RunProgress:
    def __init__(self, work: str, total: int) -> None:
        self.work = work
        self.total = total
        self.done = 0
        # Called from a synchronous flow, Prefect's sync-compatible helper returns the UUID itself.
        self.artifact_id = cast("UUID", create_progress_artifact(progress=0.0, description=f"{work}: 0 of {total}"))
        tell(ProgressUpdate(work, 0, total))

    def advance(self, current: str) -> None:
        self.done += 1
        percent = 100.0 * self.done / self.total if self.total else 100.0
        update_progress_artifact(
            self.artifact_id, progress=percent, description=f"{self.work}: {self.done} of {self.total}"
        )
        tell(ProgressUpdate(self.work, self.done, self.total, current))
