"""`finops run DEPLOYMENT`: runs the flow now, prints its JSON summary, fails loudly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowFilter, FlowFilterName

from finops.db.migrations import discover
from tests.cli.conftest import FIXTURE_PROJECT, meaningful_lines, run_finops


@pytest.fixture
def run_env(finops_env: dict[str, str], database_dsn: str, prefect_api_url: str) -> dict[str, str]:
    return {
        **finops_env,
        "DATABASE_URL": database_dsn,
        "PREFECT_API_URL": prefect_api_url,
        "FINOPS_PREFECT_YAML": str(FIXTURE_PROJECT / "prefect.yaml"),
    }


def test_a_run_prints_the_flow_summary_as_json_and_is_recorded_in_prefect(
    run_env: dict[str, str], tmp_path: Path
) -> None:
    result = run_finops(["run", "summarise-numbers", "--param", "numbers=[1, 2, 3.5]"], run_env, tmp_path)
    assert result.returncode == 0, result.stderr
    # The database it was given had no schema: `finops run` migrated it before the flow read it.
    assert json.loads(result.stdout) == {"label": "from-yaml", "total": 6.5, "schema_version": discover()[-1].version}

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=["summarise-numbers"])))
    assert any(run.state and run.state.is_completed() for run in runs)


def test_parameters_given_on_the_command_line_override_the_deployment_defaults(
    run_env: dict[str, str], tmp_path: Path
) -> None:
    result = run_finops(["run", "summarise-numbers", "-p", "numbers=[4]", "-p", "label=by hand"], run_env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["label"] == "by hand"


def test_a_failing_flow_exits_non_zero_and_says_why(run_env: dict[str, str], tmp_path: Path) -> None:
    result = run_finops(["run", "always-fails"], run_env, tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "always-fails ended Failed" in result.stderr
    assert "failed on purpose" in result.stderr


def test_an_unknown_deployment_lists_the_valid_names(run_env: dict[str, str], tmp_path: Path) -> None:
    result = run_finops(["run", "summarize-numbers"], run_env, tmp_path)
    assert result.returncode == 2
    assert meaningful_lines(result.stderr) == [
        "error: unknown deployment 'summarize-numbers'; valid names: summarise-numbers, always-fails, not-a-flow"
    ]


def test_a_malformed_parameter_is_refused_before_anything_runs(run_env: dict[str, str], tmp_path: Path) -> None:
    result = run_finops(["run", "summarise-numbers", "--param", "numbers"], run_env, tmp_path)
    assert result.returncode == 2
    assert "must look like name=value" in result.stderr


def test_parameters_the_flow_does_not_accept_fail_the_run(run_env: dict[str, str], tmp_path: Path) -> None:
    result = run_finops(
        ["run", "summarise-numbers", "--param", "numbers=[1]", "--param", "colour=red"], run_env, tmp_path
    )
    assert result.returncode == 2
    assert "error: deployment summarise-numbers:" in result.stderr and "colour" in result.stderr
    assert "Traceback" not in result.stderr


def test_ingest_costs_runs_from_the_command_line_on_a_local_folder_with_a_progress_bar(
    finops_env: dict[str, str], database_dsn: str, prefect_api_url: str, tmp_path: Path
) -> None:
    sample = (
        Path(__file__).resolve().parents[3] / "shared" / "reference" / "oci" / "reports_cost-csv_0001000000603747.csv"
    )
    folder = tmp_path / "reports"
    folder.mkdir()
    lines = sample.read_bytes().splitlines(keepends=True)
    for day in range(3):  # a small backfill: three files, each with its own lines
        (folder / f"000100000060374{day}.csv").write_bytes(lines[0] + lines[1 + day])
    env = {**finops_env, "DATABASE_URL": database_dsn, "PREFECT_API_URL": prefect_api_url}
    result = run_finops(["run", "ingest-costs", "--param", f"source=file://{folder}"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    outcomes = json.loads(result.stdout)
    assert [(o["status"], o["kind"], o["rows"]) for o in outcomes] == [("loaded", "oci-cost", 1)] * 3
    progress = [line for line in result.stderr.splitlines() if line.startswith("files loaded [")]
    assert [line.split("] ")[1].split()[0] for line in progress] == ["0/3", "1/3", "2/3", "3/3"]
    assert progress[-1].startswith("files loaded [" + "#" * 30 + "]")
