"""The Prefect artifacts a person reads in the UI after a run."""

from __future__ import annotations

from typing import Any

from prefect import task
from prefect.artifacts import create_markdown_artifact

from finops.domain.redaction import redact


@task(task_run_name="publish delivery report")
def publish_delivery_report(outcomes: list[dict[str, Any]]) -> None:
    counts = {status: sum(1 for o in outcomes if o["status"] == status) for status in ("sent", "skipped", "failed")}
    lines = [
        "# Report delivery",
        "",
        f"{counts['sent']} sent, {counts['skipped']} skipped, {counts['failed']} failed.",
        "",
        "| status | object | recipients | message | at |",
        "|---|---|---|---|---|",
    ]
    for outcome in outcomes:
        cells = [
            outcome["status"],
            outcome["object_name"],
            ", ".join(outcome["recipients"]),
            outcome["message"],
            outcome["timestamp"],
        ]
        lines.append("| " + " | ".join(redact(str(cell)).replace("|", "\\|") for cell in cells) + " |")
    if not outcomes:
        lines.append("| - | nothing to deliver | | | |")
    create_markdown_artifact(markdown="\n".join(lines), key="deliver-reports", description="What this run delivered")
