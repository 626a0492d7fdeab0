"""Wire types of the flows view: deployments, schedules, last runs, and a manual run."""

from __future__ import annotations

from datetime import datetime

import msgspec


class FlowSchedule(msgspec.Struct):
    active: bool
    cron: str | None = None
    interval_seconds: float | None = None
    timezone: str | None = None


class FlowRunView(msgspec.Struct):
    id: str
    name: str
    state: str | None
    state_type: str | None
    expected_start_time: datetime | None
    start_time: datetime | None
    end_time: datetime | None
    url: str


class DeploymentView(msgspec.Struct):
    name: str
    flow_name: str
    description: str | None
    paused: bool
    schedules: list[FlowSchedule]
    last_runs: list[FlowRunView]
    url: str
