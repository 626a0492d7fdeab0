"""Reads the deployment list from ``prefect.yaml``: the one place deployments are declared.

`prefect deploy --all` reads the same file, so serving it here cannot drift from it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import yaml
from prefect import Flow
from prefect.deployments.runner import RunnerDeployment
from prefect.events import DeploymentTriggerTypes
from prefect.flows import load_flow_from_entrypoint
from prefect.schedules import Schedule
from pydantic import TypeAdapter

from finops.domain.errors import ConfigError, UsageError

_SCHEDULE_FIELDS = {f.name for f in dataclasses.fields(Schedule)}
_TRIGGERS: TypeAdapter[DeploymentTriggerTypes] = TypeAdapter(DeploymentTriggerTypes)


@dataclass(frozen=True)
class DeploymentSpec:
    name: str
    entrypoint: str
    description: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    schedules: list[dict[str, Any]] = field(default_factory=list)
    triggers: list[dict[str, Any]] = field(default_factory=list)
    concurrency_limit: int | None = None


@dataclass(frozen=True)
class Catalog:
    path: Path
    deployments: list[DeploymentSpec]

    @property
    def names(self) -> list[str]:
        return [spec.name for spec in self.deployments]

    def get(self, name: str) -> DeploymentSpec:
        for spec in self.deployments:
            if spec.name == name:
                return spec
        valid = ", ".join(self.names) if self.deployments else f"none: {self.path} declares no deployments"
        raise UsageError(f"unknown deployment {name!r}; valid names: {valid}")

    def load_flow(self, spec: DeploymentSpec) -> Flow[..., Any]:
        file_part, _, function = spec.entrypoint.rpartition(":")
        entrypoint = f"{self.path.parent / file_part}:{function}"
        try:
            return load_flow_from_entrypoint(entrypoint)
        except Exception as error:  # a missing file, a syntax error, a non-flow: all are configuration
            raise ConfigError(f"deployment {spec.name!r}: cannot load {spec.entrypoint}: {error}") from error

    def to_runner_deployment(self, spec: DeploymentSpec) -> RunnerDeployment:
        triggers = [
            _TRIGGERS.validate_python({"name": f"{spec.name}__trigger_{index}", **trigger})
            for index, trigger in enumerate(spec.triggers, start=1)
        ]
        deployment = self.load_flow(spec).to_deployment(
            name=spec.name,
            description=spec.description,
            parameters=spec.parameters,
            tags=spec.tags,
            schedules=[_schedule(spec.name, raw) for raw in spec.schedules],
            triggers=list(triggers),
            concurrency_limit=spec.concurrency_limit,
        )
        # to_deployment answers a coroutine only when called from async code; we never are.
        return cast(RunnerDeployment, deployment)


def read_catalog(path: Path) -> Catalog:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as error:
        raise ConfigError(f"cannot read the deployment list {path}: {error.strerror}") from error
    except yaml.YAMLError as error:
        raise ConfigError(f"{path} is not valid YAML: {error}") from error
    entries = document.get("deployments") or []
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: 'deployments' must be a list")
    specs = [_spec(path, entry) for entry in entries]
    duplicates = sorted({spec.name for spec in specs if [s.name for s in specs].count(spec.name) > 1})
    if duplicates:
        raise ConfigError(f"{path}: deployment names must be unique, repeated: {', '.join(duplicates)}")
    return Catalog(path=path.resolve(), deployments=specs)


def _spec(path: Path, entry: Any) -> DeploymentSpec:
    if not isinstance(entry, dict) or not entry.get("name") or not entry.get("entrypoint"):
        raise ConfigError(f"{path}: every deployment needs a name and an entrypoint, got {entry!r}")
    return DeploymentSpec(
        name=str(entry["name"]),
        entrypoint=str(entry["entrypoint"]),
        description=entry.get("description"),
        parameters=dict(entry.get("parameters") or {}),
        tags=[str(tag) for tag in entry.get("tags") or []],
        schedules=list(entry.get("schedules") or []),
        triggers=list(entry.get("triggers") or []),
        concurrency_limit=entry.get("concurrency_limit"),
    )


def _schedule(deployment: str, raw: dict[str, Any]) -> Schedule:
    unknown = set(raw) - _SCHEDULE_FIELDS
    if unknown:
        raise ConfigError(f"deployment {deployment!r}: unknown schedule keys {', '.join(sorted(unknown))}")
    values = dict(raw)
    if isinstance(values.get("interval"), (int, float)):
        values["interval"] = timedelta(seconds=values["interval"])
    if not values.get("timezone"):
        raise ConfigError(f"deployment {deployment!r}: every schedule states its timezone")
    return Schedule(**values)
