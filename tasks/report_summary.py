"""Summarises a downloaded report by streaming it: gzip or plain CSV, any size."""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from dataclasses import dataclass
from pathlib import Path

from prefect import get_run_logger, task

from finops.domain.report_summary import ReportSummary, summarise

GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class SummaryOutcome:
    summary: ReportSummary | None
    problem: str | None = None


@task(task_run_name="summarise {path.name}")
def summarise_report(path: Path) -> SummaryOutcome:
    """A report that cannot be read is still delivered; the email says why it has no summary."""
    if not path.name.lower().endswith((".csv", ".csv.gz")):
        return SummaryOutcome(None, "not a CSV report")
    try:
        with _open_text(path) as text:
            reader = csv.reader(text)
            header = next(reader, None)
            if header is None:
                return SummaryOutcome(None, "the report is empty")
            return SummaryOutcome(summarise(header, reader))
    except (OSError, EOFError, zlib.error, csv.Error, UnicodeDecodeError) as error:
        get_run_logger().warning("report=%s not summarised reason=%s", path.name, error)
        return SummaryOutcome(None, f"the report could not be read ({type(error).__name__}: {error})")


def _open_text(path: Path) -> io.TextIOBase:
    with path.open("rb") as probe:
        compressed = probe.read(2) == GZIP_MAGIC
    # The wrapper owns the handle: closing it (the caller's `with`) closes the file.
    raw = gzip.open(path, "rb") if compressed else path.open("rb")  # noqa: SIM115
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
