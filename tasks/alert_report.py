"""The table artifact every alert run leaves: what it checked, what it found, what it sent."""

from __future__ import annotations

from typing import Any

from prefect import task
from prefect.artifacts import create_table_artifact

from finops.domain.redaction import redact


@task(task_run_name="publish {key} report")
def publish_alert_report(key: str, rows: list[dict[str, Any]], sent: list[dict[str, Any]], description: str) -> None:
    table = [{name: redact(str(value)) for name, value in row.items()} for row in rows]
    table += [
        {
            "what": f"notification by {outcome['channel']}",
            "subject": redact(outcome["to"]),
            "result": redact(outcome["status"] + (f": {outcome['problem']}" if outcome["problem"] else "")),
            "details": redact("; ".join(outcome["alerts"])),
        }
        for outcome in sent
    ]
    if not table:
        table = [{"what": "nothing", "subject": "", "result": "nothing to check or send", "details": ""}]
    create_table_artifact(table=table, key=key, description=description)
