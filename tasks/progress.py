"""A run's progress: a Prefect progress artifact, and the same steps told to local listeners (the CLI bar).

A run with nothing to do shows no progress at all (an hourly run that finds no new file leaves no
empty bar behind).
"""

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
        self.artifact_id: UUID | None = None
        if total:
            # Called from a synchronous flow, Prefect's sync-compatible helper returns the UUID itself.
            self.artifact_id = cast("UUID", create_progress_artifact(progress=0.0, description=self._description()))
            tell(ProgressUpdate(work, 0, total))

    def advance(self, current: str) -> None:
        if self.artifact_id is None:
            return
        self.done += 1
        update_progress_artifact(
            self.artifact_id, progress=100.0 * self.done / self.total, description=self._description()
        )
        tell(ProgressUpdate(self.work, self.done, self.total, current))

    def _description(self) -> str:
        return f"{self.work}: {self.done} of {self.total}"
