"""GET /api/flows (deployments, schedules, last runs) and POST /api/flows/{deployment}/runs (run one now)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter

from api.errors import ApiError
from api.prefect_deployments import UnknownDeployment, deployments_with_runs, start_run, ui_url
from api.prefect_events import PrefectUnavailable
from api.schemas.envelope import Envelope, ErrorEnvelope
from api.schemas.flows import DeploymentView, FlowRunView, FlowSchedule
from api.sessions import SESSION_DEPENDENCY
from finops.config import Settings
from finops.db.sessions import Session

DeploymentName = Annotated[str, Parameter(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$")]
UNAVAILABLE = {503: ResponseSpec(data_container=ErrorEnvelope, description="The Prefect server does not answer")}


class FlowsController(Controller):
    path = "/api/flows"
    tags = ["flows"]
    dependencies = SESSION_DEPENDENCY

    @get("/", operation_id="listFlows", summary="Deployments, their schedules and last runs", responses=UNAVAILABLE)
    async def list_flows(
        self, session: NamedDependency[Session], settings: NamedDependency[Settings]
    ) -> Envelope[list[DeploymentView]]:
        api_url = _prefect(settings)
        try:
            found = await deployments_with_runs(api_url)
        except PrefectUnavailable as error:
            raise ApiError(503, "prefect_unavailable", str(error)) from None
        ui = ui_url(api_url)
        views = [
            DeploymentView(
                name=item.deployment["name"],
                flow_name=item.flow_name,
                description=item.deployment.get("description"),
                paused=bool(item.deployment.get("paused")),
                schedules=[_schedule(raw) for raw in item.deployment.get("schedules") or []],
                last_runs=[_run(run, ui) for run in item.runs],
                url=f"{ui}/deployments/deployment/{item.deployment['id']}",
            )
            for item in found
        ]
        return Envelope(data=views, metadata={"prefect_ui": ui, "count": len(views)})

    @post(
        "/{deployment:str}/runs",
        operation_id="runFlow",
        summary="Start a run of a deployment now, with the parameters prefect.yaml gives it",
        description="No parameters are taken from the API: a source path, a bucket or a backfill range is"
        " an operator's choice (`finops run DEPLOYMENT --param ...`), not any signed-in user's.",
        responses={
            **UNAVAILABLE,
            404: ResponseSpec(data_container=ErrorEnvelope, description="No such deployment"),
        },
    )
    async def run_flow(
        self,
        session: NamedDependency[Session],
        settings: NamedDependency[Settings],
        deployment: DeploymentName,
    ) -> Envelope[FlowRunView]:
        api_url = _prefect(settings)
        try:
            run = await start_run(api_url, deployment)
        except UnknownDeployment:
            raise ApiError(404, "not_found", f"no deployment named {deployment}") from None
        except PrefectUnavailable as error:
            raise ApiError(503, "prefect_unavailable", str(error)) from None
        return Envelope(data=_run(run, ui_url(api_url)), metadata={"started_by": session.user.login})


def _prefect(settings: Settings) -> str:
    if not settings.prefect_api_url:
        raise ApiError(503, "prefect_unavailable", "PREFECT_API_URL is not set")
    return settings.prefect_api_url


def _schedule(raw: dict[str, Any]) -> FlowSchedule:
    schedule = raw.get("schedule") or {}
    return FlowSchedule(
        active=bool(raw.get("active", True)),
        cron=schedule.get("cron"),
        interval_seconds=schedule.get("interval"),
        timezone=schedule.get("timezone"),
    )


def _run(run: dict[str, Any], ui: str) -> FlowRunView:
    state = run.get("state") or {}
    return FlowRunView(
        id=str(run["id"]),
        name=str(run.get("name") or ""),
        state=state.get("name"),
        state_type=state.get("type"),
        expected_start_time=_moment(run.get("expected_start_time")),
        start_time=_moment(run.get("start_time")),
        end_time=_moment(run.get("end_time")),
        url=f"{ui}/runs/flow-run/{run['id']}",
    )


def _moment(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None
