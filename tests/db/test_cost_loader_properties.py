"""Whatever bytes arrive, the loader answers: the file loads, or it is refused naming what is wrong.

Malformed headers and rows never crash a run, never leave a half-loaded file and never poison the
connection for the next file.
"""

from __future__ import annotations

import csv
import gzip
import io
import uuid
from decimal import Decimal

import psycopg
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from finops.db.cost_loader import load_report

KNOWN_COLUMNS = [
    "lineItem/referenceNo",
    "lineItem/intervalUsageStart",
    "lineItem/intervalUsageEnd",
    "lineItem/isCorrection",
    "lineItem/backreferenceNo",
    "product/service",
    "cost/myCost",
    "cost/currencyCode",
    "cost/unitPrice",
    "usage/consumedQuantity",
    "tags/Oracle-Tags.CreatedBy",
    "tags/a.b-c\\d",
    "BilledCost",
    "ChargePeriodStart",
    "Tags",
    "x_oci_Something",
]
VALUES = st.one_of(
    st.sampled_from(["", "null", "NaN", "Infinity", "-inf", "1.5E-4", "12", "-3.25", "1,000", "$10", "yesterday"]),
    st.sampled_from(["2025-06-01T10:00Z", "2025-06-01T10:00:00Z", "5/1/25", "2025-13-45T99:00Z", "0001-01-01"]),
    st.sampled_from(["true", "FALSE", '{"k": "v"}', "{not json", "EUR", "usd"]),
    st.text(max_size=12),
)
HEADERS = st.lists(st.one_of(st.sampled_from(KNOWN_COLUMNS), st.text(max_size=10)), min_size=0, max_size=8)
LEGACY = ["lineItem/referenceNo", "lineItem/intervalUsageStart", "cost/myCost", "cost/currencyCode", "tags/team"]
GOOD = {
    "lineItem/referenceNo": st.sampled_from(["r1", "r2", "r3", ""]),
    "lineItem/intervalUsageStart": st.sampled_from(["2025-06-01T10:00Z", "2025-06-30T23:00:00Z", "2025-07-01T00:00Z"]),
    "cost/myCost": st.sampled_from(["0.1", "2", "1.5E-4", "", "-3"]),
    "cost/currencyCode": st.sampled_from(["EUR", "usd", ""]),
    "tags/team": st.sampled_from(["", "a", 'quo"te', "comma,inside"]),
}


@st.composite
def nearly_valid_reports(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    """A real layout whose rows are right except, now and then, one value or one row's width."""
    header = draw(st.permutations(LEGACY))
    rows = []
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        row = [draw(GOOD[column]) for column in header]
        if draw(st.integers(min_value=0, max_value=9)) == 0:
            row[draw(st.integers(min_value=0, max_value=len(row) - 1))] = draw(VALUES)
        if draw(st.integers(min_value=0, max_value=14)) == 0:
            row = row[:-1]
        rows.append(row)
    return list(header), rows


def to_csv(header: list[str], rows: list[list[str]], line_break: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=line_break)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8", errors="surrogatepass")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    report=st.one_of(
        st.tuples(HEADERS, st.lists(st.lists(VALUES, min_size=0, max_size=9), max_size=6)), nearly_valid_reports()
    ),
    line_break=st.sampled_from(["\n", "\r\n"]),
    compress=st.booleans(),
    truncate=st.one_of(st.none(), st.none(), st.integers(min_value=0, max_value=200)),
)
def test_any_file_loads_or_is_refused_with_a_reason_and_never_half(
    migrated_dsn: str,
    report: tuple[list[str], list[list[str]]],
    line_break: str,
    compress: bool,
    truncate: int | None,
) -> None:
    header, rows = report
    try:
        data = to_csv(header, rows, line_break)
    except UnicodeEncodeError:
        data = b"\xff\xfe broken bytes \x00"
    if compress:
        data = gzip.compress(data, mtime=0)
    if truncate is not None:
        data = data[:truncate]
    uri = f"file:///fuzz/{uuid.uuid4()}.csv"
    result = load_report(migrated_dsn, uri=uri, etag="e", content=io.BytesIO(data), size=len(data))
    with psycopg.connect(migrated_dsn) as check:
        (stored,) = check.execute(
            "SELECT count(*) FROM cost_lines l JOIN source_files f ON f.id = l.source_file_id WHERE f.uri = %s", [uri]
        ).fetchone() or (0,)
        status = check.execute("SELECT status FROM source_files WHERE uri = %s", [uri]).fetchone()
        leftovers = check.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'finops_staging'").fetchone()
    assert leftovers == (0,), "staged pieces are dropped whatever the outcome"
    assert result.status in ("loaded", "failed")
    event(result.status)
    assert status == (result.status,)
    if result.status == "failed":
        assert result.problem is not None and result.problem.message
        assert stored == 0, "a refused file leaves no line behind"
    else:
        assert stored == result.rows
        if sorted(header) == sorted(LEGACY) and truncate is None:
            assert result.totals == independent_totals(header, rows)


def independent_totals(header: list[str], rows: list[list[str]]) -> dict[str, Decimal]:
    """The sum a person would make: each referenceNo once (its first line), amounts per currency."""
    seen: set[str] = set()
    totals: dict[str, Decimal] = {}
    for row in rows:
        line = dict(zip(header, row, strict=True))
        reference = line["lineItem/referenceNo"]
        if reference in seen:
            continue
        if reference:
            seen.add(reference)
        cost = Decimal(line["cost/myCost"] or 0)
        # ASCII letters upper-cased, anything else as written (a code is ISO 4217 letters); a cost in no
        # currency is money all the same, under '', and a line in none that costs nothing is no money.
        currency = "".join(letter.upper() if letter.isascii() else letter for letter in line["cost/currencyCode"])
        if currency or cost:
            totals[currency] = totals.get(currency, Decimal(0)) + cost
    return totals
