"""prefect.yaml is the one list of deployments: the catalog reads it and serves it as written."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from prefect import Flow

from deployments.catalog import read_catalog
from finops.config import PROJECT_ROOT
from finops.domain.errors import ConfigError, UsageError

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "project" / "prefect.yaml"
PROJECT_CATALOG = read_catalog(PROJECT_ROOT / "prefect.yaml")


@pytest.mark.parametrize("name", PROJECT_CATALOG.names)
def test_every_project_entrypoint_imports_and_is_a_flow(name: str) -> None:
    assert isinstance(PROJECT_CATALOG.load_flow(PROJECT_CATALOG.get(name)), Flow)


@pytest.mark.parametrize("name", PROJECT_CATALOG.names)
def test_every_project_schedule_states_its_timezone(name: str) -> None:
    deployment = PROJECT_CATALOG.to_runner_deployment(PROJECT_CATALOG.get(name))
    assert all(schedule.schedule.timezone for schedule in deployment.schedules or [])


def test_a_deployment_becomes_a_runner_deployment_with_its_schedules_and_triggers() -> None:
    catalog = read_catalog(FIXTURE)
    deployment = catalog.to_runner_deployment(catalog.get("summarise-numbers"))
    assert deployment.name == "summarise-numbers"
    assert deployment.parameters == {"label": "from-yaml"}
    assert deployment.tags == ["test"]
    schedules = [s.schedule for s in deployment.schedules or []]
    assert [getattr(s, "cron", None) for s in schedules] == ["0 6 * * *", None]
    assert [s.timezone for s in schedules] == ["Europe/Paris", "UTC"]
    assert getattr(schedules[1], "interval", None) == timedelta(minutes=15)
    assert [s.active for s in deployment.schedules or []] == [True, False]
    assert len(deployment.triggers) == 1
    assert deployment.triggers[0].expect == {"finops.test.happened"}


def test_an_unknown_name_lists_the_valid_ones() -> None:
    with pytest.raises(UsageError, match="valid names: summarise-numbers, always-fails, not-a-flow"):
        read_catalog(FIXTURE).get("nope")


def test_an_entrypoint_that_is_not_a_flow_is_refused() -> None:
    catalog = read_catalog(FIXTURE)
    with pytest.raises(ConfigError, match=r"not-a-flow.*is not a flow"):
        catalog.load_flow(catalog.get("not-a-flow"))


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param("deployments: [{name: a}]", "needs a name and an entrypoint", id="no-entrypoint"),
        pytest.param(
            "deployments: [{name: a, entrypoint: f.py:a}, {name: a, entrypoint: f.py:b}]",
            "repeated: a",
            id="duplicate",
        ),
        pytest.param("deployments: {a: 1}", "must be a list", id="not-a-list"),
        pytest.param("deployments: [", "not valid YAML", id="bad-yaml"),
    ],
)
def test_a_malformed_deployment_list_is_refused(tmp_path: Path, document: str, message: str) -> None:
    path = tmp_path / "prefect.yaml"
    path.write_text(document)
    with pytest.raises(ConfigError, match=message):
        read_catalog(path)


def test_a_schedule_without_timezone_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "prefect.yaml"
    flows_dir = FIXTURE.parent / "flows"
    path.write_text(
        f"deployments: [{{name: a, entrypoint: '{flows_dir}/sample.py:always_fails', "
        "schedules: [{cron: '0 * * * *'}]}]"
    )
    catalog = read_catalog(path)
    with pytest.raises(ConfigError, match="every schedule states its timezone"):
        catalog.to_runner_deployment(catalog.get("a"))
