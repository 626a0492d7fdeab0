"""The deployments a Prefect server serves, their schedules and last runs, and starting a run, over its REST API.

The API starts work only this way: by deployment name, never by importing a flow.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import httpx

from api.prefect_events import PrefectUnavailable

RUNS_SHOWN = 5
TIMEOUT_SECONDS = 10.0


class UnknownDeployment(Exception):
    pass


@dataclass(frozen=True)
class DeploymentRuns:
    deployment: dict[str, Any]
    flow_name: str
    runs: list[dict[str, Any]]


async def deployments_with_runs(prefect_api_url: str) -> list[DeploymentRuns]:
    """Every deployment with its flow's name and its latest runs (three calls, whatever the count)."""
    async with _client(prefect_api_url) as client:
        deployments = await _post(client, "/deployments/filter", {"sort": "NAME_ASC"})
        flows = await _post(client, "/flows/filter", {"flows": {"id": {"any_": [d["flow_id"] for d in deployments]}}})
        runs = await _post(
            client,
            "/flow_runs/filter",
            {
                "deployments": {"id": {"any_": [d["id"] for d in deployments]}},
                "sort": "EXPECTED_START_TIME_DESC",
                "limit": 200,
            },
        )
    flow_names = {flow["id"]: flow["name"] for flow in flows}
    runs_by_deployment: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for run in runs:
        if len(runs_by_deployment[run["deployment_id"]]) < RUNS_SHOWN:
            runs_by_deployment[run["deployment_id"]].append(run)
    return [
        DeploymentRuns(deployment, flow_names.get(deployment["flow_id"], ""), runs_by_deployment[deployment["id"]])
        for deployment in deployments
    ]


async def start_run(prefect_api_url: str, deployment_name: str) -> dict[str, Any]:
    async with _client(prefect_api_url) as client:
        found = await _post(client, "/deployments/filter", {"deployments": {"name": {"any_": [deployment_name]}}})
        if not found:
            raise UnknownDeployment(deployment_name)
        try:
            response = await client.post(
                f"/deployments/{found[0]['id']}/create_flow_run",
                json={"tags": ["manual", "finops-api"]},
            )
        except httpx.HTTPError as error:
            raise PrefectUnavailable(f"the Prefect server does not answer ({type(error).__name__})") from None
    if response.status_code >= 300:
        raise PrefectUnavailable(f"the Prefect server refused the run (HTTP {response.status_code})")
    run: dict[str, Any] = response.json()
    return run


def ui_url(prefect_api_url: str) -> str:
    """Prefect serves its UI where its API lives, without the /api suffix."""
    return prefect_api_url.rstrip("/").removesuffix("/api")


def _client(prefect_api_url: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=prefect_api_url.rstrip("/"), timeout=TIMEOUT_SECONDS)


async def _post(client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    try:
        response = await client.post(path, json=body)
    except httpx.HTTPError as error:
        raise PrefectUnavailable(f"the Prefect server does not answer ({type(error).__name__})") from None
    if response.status_code >= 300:
        raise PrefectUnavailable(f"the Prefect server answered HTTP {response.status_code} to {path}")
    answer: list[dict[str, Any]] = response.json()
    return answer
