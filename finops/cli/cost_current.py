"""`finops cost current`: the latest priced snapshot of live Outscale resources, as osc-cost prints it.

Formats: human and markdown (a summary per account, then per resource type, per value of a tag
with --tag, then the top resources), json (one object per resource per line, like osc-cost), csv (one row per resource).
A year is 12 months of 730 hours.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from decimal import Decimal

from finops.cli.database import apply_migrations, database_in_use
from finops.config import Settings
from finops.db.connect import connect
from finops.db.resource_costs import SnapshotRow, latest_snapshots
from finops.domain.errors import UsageError

FORMATS = ("human", "json", "csv", "markdown")
TOP_RESOURCES = 10
CENT = Decimal("0.01")


def show(
    settings: Settings, say: Callable[[str], None], *, account: str | None, output: str, tag: str | None = None
) -> int:
    if output not in FORMATS:
        raise UsageError(f"--format must be one of {', '.join(FORMATS)}")
    with database_in_use(settings) as database:
        apply_migrations(database.dsn)
        with connect(database.dsn) as conn:
            rows = latest_snapshots(conn, account)
    if not rows:
        say(f"no resource snapshot{' for ' + account if account else ''} yet: run `finops run snapshot-resources`")
        return 1
    if output in ("human", "markdown"):
        print(_tables(rows, markdown=output == "markdown", tag=tag), end="")
    else:
        print(RENDERERS[output](rows), end="")
    return 0


def _json_lines(rows: list[SnapshotRow]) -> str:
    return "".join(
        json.dumps(
            {
                "resource_type": row.resource_type,
                "account_id": row.account_id,
                "region": row.region,
                "resource_id": row.resource_id,
                "read_date_rfc3339": row.snapshot_at.isoformat(),
                "price_per_hour": float(row.price_per_hour),
                "price_per_month": float(row.price_per_month),
                "currency": row.currency,
                "tags": row.tags,
                **row.details,
                **({"missing_prices": list(row.missing_prices)} if row.missing_prices else {}),
            },
            ensure_ascii=False,
        )
        + "\n"
        for row in rows
    )


def _csv(rows: list[SnapshotRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["account_id", "region", "resource_type", "resource_id", "price_per_hour", "price_per_month",
                     "currency", "tags", "snapshot_at"])  # fmt: skip
    for row in rows:
        tags = ";".join(f"{key}={value}" for key, value in sorted(row.tags.items()))
        writer.writerow([row.account_id, row.region, row.resource_type, row.resource_id, row.price_per_hour,
                         row.price_per_month, row.currency, tags, row.snapshot_at.isoformat()])  # fmt: skip
    return out.getvalue()


def _tables(rows: list[SnapshotRow], markdown: bool, tag: str | None) -> str:
    sections = [
        ("Summary", ["Account", "Region", "Per hour", "Per month", "Per year"], _summary(rows)),
        (
            "By resource type",
            ["Account", "Resource type", "Count", "Per hour", "Per month", "Per year"],
            _by_type(rows),
        ),
    ]
    if tag:
        sections.append((f"By tag {tag}", ["Account", tag, "Count", "Per hour", "Per month"], _by_tag(rows, tag)))
    sections.append(
        (f"Top {TOP_RESOURCES} resources", ["Account", "Resource type", "Resource", "Per month"], _top(rows))
    )
    return "\n".join(_table(title, header, body, markdown) for title, header, body in sections)


def _summary(rows: list[SnapshotRow]) -> list[list[str]]:
    totals: dict[tuple[str, str, str], list[Decimal]] = {}
    for row in rows:
        total = totals.setdefault((row.account_id, row.region, row.currency), [Decimal(0), Decimal(0)])
        total[0] += row.price_per_hour
        total[1] += row.price_per_month
    return [
        [account, region, _money(hourly, currency, 4), _money(monthly, currency), _money(monthly * 12, currency)]
        for (account, region, currency), (hourly, monthly) in sorted(totals.items())
    ]


def _by_type(rows: list[SnapshotRow]) -> list[list[str]]:
    totals: dict[tuple[str, str, str], list[Decimal]] = {}
    for row in rows:
        total = totals.setdefault(
            (row.account_id, row.resource_type, row.currency), [Decimal(0), Decimal(0), Decimal(0)]
        )
        total[0] += 1
        total[1] += row.price_per_hour
        total[2] += row.price_per_month
    return [
        [
            account,
            kind,
            str(count),
            _money(hourly, currency, 4),
            _money(monthly, currency),
            _money(monthly * 12, currency),
        ]
        for (account, kind, currency), (count, hourly, monthly) in sorted(totals.items())
    ]


def _by_tag(rows: list[SnapshotRow], tag: str) -> list[list[str]]:
    """Showback by one tag key; resources without it are shown as (untagged), never dropped."""
    totals: dict[tuple[str, str, str], list[Decimal]] = {}
    for row in rows:
        key = (row.account_id, row.tags.get(tag, "(untagged)"), row.currency)
        total = totals.setdefault(key, [Decimal(0), Decimal(0), Decimal(0)])
        total[0] += 1
        total[1] += row.price_per_hour
        total[2] += row.price_per_month
    return [
        [account, value, str(count), _money(hourly, currency, 4), _money(monthly, currency)]
        for (account, value, currency), (count, hourly, monthly) in sorted(totals.items())
    ]


def _top(rows: list[SnapshotRow]) -> list[list[str]]:
    ranked = sorted(rows, key=lambda row: row.price_per_month, reverse=True)[:TOP_RESOURCES]
    return [
        [row.account_id, row.resource_type, row.resource_id, _money(row.price_per_month, row.currency)]
        for row in ranked
    ]


def _money(amount: Decimal, currency: str, places: int = 2) -> str:
    return f"{amount.quantize(Decimal(1).scaleb(-places)):,} {currency}"


def _table(title: str, header: list[str], body: list[list[str]], markdown: bool) -> str:
    if markdown:
        lines = [f"### {title}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in body]
        return "\n".join(lines) + "\n"
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *body, strict=True)]
    rule = "  ".join("-" * width for width in widths)
    lines = [title, rule, "  ".join(cell.ljust(width) for cell, width in zip(header, widths, strict=True)), rule]
    lines += ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in body]
    return "\n".join(lines) + "\n"


RENDERERS: dict[str, Callable[[list[SnapshotRow]], str]] = {"json": _json_lines, "csv": _csv}
