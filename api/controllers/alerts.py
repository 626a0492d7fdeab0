"""GET /api/alerts and GET /api/drift: what check-budgets and detect-drift raised and found, for you.

Your alerts are those of your budgets and those about findings on your accounts; findings are those
on your accounts. Newest first.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

import anyio
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter

from api.cost_reads import READ_ERRORS, rounded
from api.database import database_dsn
from api.schemas.alerts import AlertView, FindingView
from api.schemas.envelope import Envelope
from api.sessions import SESSION_DEPENDENCY
from finops.config import Settings
from finops.db.account_scope import owner_accounts
from finops.db.alerts import list_alerts
from finops.db.connect import connect
from finops.db.drift_findings import list_findings
from finops.db.sessions import Session
from finops.db.users import User

Days = Annotated[int, QueryParameter(ge=1, le=3660, description="How many days back")]
Limit = Annotated[int, QueryParameter(ge=1, le=1000, description="At most this many, newest first")]


class AlertsController(Controller):
    path = "/api"
    tags = ["alerts"]
    dependencies = SESSION_DEPENDENCY

    @get(
        "/alerts",
        operation_id="listAlerts",
        summary="Budget, drift and anomaly alerts raised for you, with how each was notified",
        responses=READ_ERRORS,
    )
    async def list_alerts(
        self,
        session: NamedDependency[Session],
        settings: NamedDependency[Settings],
        days: Days = 90,
        limit: Limit = 200,
    ) -> Envelope[list[AlertView]]:
        since = datetime.now(UTC) - timedelta(days=days)
        alerts = await anyio.to_thread.run_sync(_alerts, settings, session.user, since, limit)
        return Envelope(data=alerts, metadata={"days": days, "count": len(alerts)})

    @get(
        "/drift",
        operation_id="listDriftFindings",
        summary="Estimate-vs-bill drift and spend anomalies found on your accounts",
        description="`method` is `estimate_vs_bill` (Outscale: resource snapshots times hours against the priced"
        " consumption, per resource type and day) or `same_weekday_median` (every provider: a day's cost per"
        " service against the median of the same weekday over the 4 weeks before, robust z-score).",
        responses=READ_ERRORS,
    )
    async def list_drift(
        self,
        session: NamedDependency[Session],
        settings: NamedDependency[Settings],
        days: Days = 90,
        limit: Limit = 200,
        method: FromQuery[Literal["estimate_vs_bill", "same_weekday_median"] | None] = None,
    ) -> Envelope[list[FindingView]]:
        since = datetime.now(UTC).date() - timedelta(days=days)
        findings = await anyio.to_thread.run_sync(_findings, settings, session.user, since, method, limit)
        return Envelope(data=findings, metadata={"days": days, "count": len(findings), "method": method})


def _alerts(settings: Settings, user: User, since: datetime, limit: int) -> list[AlertView]:
    with connect(database_dsn(settings)) as conn:
        rows = list_alerts(conn, user.id, owner_accounts(conn, user.login, user.kind), since, limit)
    return [
        AlertView(
            id=row.id,
            kind=row.kind,
            title=row.title,
            headline=str(row.facts.get("headline") or row.title),
            period_start=row.period_start,
            budget_id=row.budget_id,
            finding_id=row.finding_id,
            account_id=row.account_id,
            created_at=row.created_at,
            data=dict(row.facts.get("data") or {}),
            notifications=row.notifications,
        )
        for row in rows
    ]


def _findings(settings: Settings, user: User, since: date, method: str | None, limit: int) -> list[FindingView]:
    with connect(database_dsn(settings)) as conn:
        rows = list_findings(conn, owner_accounts(conn, user.login, user.kind), since, method, limit)
    return [_finding(row) for row in rows]


def _finding(row: dict[str, Any]) -> FindingView:
    return FindingView(
        id=row["id"],
        method=row["method"],
        provider=row["provider"],
        account_id=row["account_id"],
        region_id=row["region_id"],
        subject=row["subject"],
        period_start=row["period_start"],
        period_end=row["period_end"],
        currency=row["currency"],
        expected=rounded(row["expected"]) or "0",
        actual=rounded(row["actual"]) or "0",
        impact=rounded(row["impact"]) or "0",
        variance_percent=rounded(row["variance_percent"]),
        score=rounded(row["score"]),
        details=row["details"],
        found_at=row["found_at"],
        updated_at=row["updated_at"],
    )
