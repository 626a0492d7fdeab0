"""GET /metrics: the latest Outscale resource snapshot as Prometheus gauges, per account and resource type."""

from __future__ import annotations

from litestar import Controller, Response, get
from litestar.datastructures import State

from finops.db.resource_costs import latest_type_totals
from finops.domain.prometheus import CONTENT_TYPE, gauge


class MetricsController(Controller):
    path = "/metrics"
    tags = ["metrics"]

    @get(
        "/",
        operation_id="getMetrics",
        summary="Prometheus gauges of the current resource costs",
        media_type=CONTENT_TYPE,
    )
    async def get_metrics(self, state: State) -> Response[str]:
        async with state.pool.connection() as conn:
            totals = await latest_type_totals(conn)
        samples = [
            (
                {
                    "account_id": t.account_id,
                    "region": t.region,
                    "resource_type": t.resource_type,
                    "currency": t.currency,
                },
                t,
            )
            for t in totals
        ]
        hourly = [(labels, t.per_hour) for labels, t in samples]
        monthly = [(labels, t.per_month) for labels, t in samples]
        counts = [(labels, t.resources) for labels, t in samples]
        body = (
            gauge("finops_resource_cost_per_hour", "Price per hour of the live resources (latest snapshot).", hourly)
            + gauge("finops_resource_cost_per_month", "Price per month (730 h) of the live resources.", monthly)
            + gauge("finops_resources", "How many live resources the latest snapshot priced.", counts)
        )
        return Response(body, media_type=CONTENT_TYPE)
