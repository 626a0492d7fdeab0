"""Loading OCI billing reports into the ledger, against a real PostgreSQL and the real samples."""

from __future__ import annotations

import csv
import gzip
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from finops.db.cost_loader import LoadResult, load_report

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "oci"
COST_REAL = "reports_cost-csv_0000000030000269.csv"
COST_GBP = "reports_cost-csv_0001000000603747.csv"
USAGE = "reports_usage-csv_0001000000829494.csv"


def load(dsn: str, data: bytes, uri: str = "oci://bling/t/reports/cost-csv/1.csv.gz", etag: str = "e1") -> LoadResult:
    return load_report(dsn, uri=uri, etag=etag, content=io.BytesIO(data), size=len(data))


def independent_totals(name: str) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for row in csv.DictReader(io.StringIO((REFERENCE / name).read_text())):
        if row["cost/myCost"] and row["cost/currencyCode"]:
            currency = row["cost/currencyCode"]
            totals[currency] = totals.get(currency, Decimal(0)) + Decimal(row["cost/myCost"])
    return totals


def query(dsn: str, statement: str) -> list[tuple[object, ...]]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(statement).fetchall()  # type: ignore[arg-type]


@pytest.mark.parametrize("compress", [True, False], ids=["gzip", "plain"])
@pytest.mark.parametrize("name", [COST_REAL, COST_GBP])
def test_each_cost_sample_loads_with_the_totals_of_the_raw_csv(migrated_dsn: str, name: str, compress: bool) -> None:
    raw = (REFERENCE / name).read_bytes()
    result = load(migrated_dsn, gzip.compress(raw) if compress else raw)
    assert result.status == "loaded", result.problem
    assert result.totals == independent_totals(name)
    rows_in_file = len(raw.decode().strip().splitlines()) - 1
    assert result.rows + result.duplicates == rows_in_file
    daily = query(migrated_dsn, "SELECT currency, sum(billed_cost) FROM daily_costs GROUP BY 1")
    assert {str(c): Decimal(t) for c, t in daily} == independent_totals(name)  # type: ignore[arg-type]


def test_tags_subscription_ids_and_timestamps_keep_their_meaning(migrated_dsn: str) -> None:
    load(migrated_dsn, (REFERENCE / COST_GBP).read_bytes())
    rows = query(
        migrated_dsn,
        "SELECT billing_account_id, tags, charge_period_start, pricing_unit FROM cost_lines ORDER BY line_number",
    )
    assert {row[0] for row in rows} >= {"015649487"}
    assert any(isinstance(row[1], dict) and row[1] for row in rows)
    assert str(rows[0][2]).endswith("+00:00")


def test_the_usage_sample_counts_its_repeated_last_line_once(migrated_dsn: str) -> None:
    result = load(migrated_dsn, (REFERENCE / USAGE).read_bytes(), uri="oci://bling/t/reports/usage-csv/1.csv")
    assert result.status == "loaded", result.problem
    assert (result.rows, result.duplicates) == (5, 1)
    # Usage costs nothing and names no currency, yet its lines still tell the alert flows where they fell.
    assert (result.totals, result.days, result.accounts) == ({}, (date(2022, 4, 20),), ("ocid1.tenancy.oc1..aaaaaaaa",))
    assert query(migrated_dsn, "SELECT count(*) FROM daily_costs") == [(0,)]
    units = query(
        migrated_dsn, "SELECT consumed_unit, line_number FROM cost_lines WHERE reference_no = 'my-resource-no9'"
    )
    assert units == [("BYTE_MS", 6)], "the first listing of a line is the one kept"
    assert query(migrated_dsn, "SELECT rows, rows_duplicate, kind FROM source_files") == [(5, 1, "oci-usage")]


def test_a_line_listed_twice_counts_once_and_lines_without_a_reference_all_count(migrated_dsn: str) -> None:
    line = "r1,2025-06-01T10:00Z,COMPUTE,10,EUR,false,\r\n"
    unreferenced = ",2025-06-01T11:00Z,COMPUTE,3,EUR,false,\r\n"
    data = HEADER.replace("\n", "\r\n") + line + unreferenced + line + unreferenced
    result = load(migrated_dsn, data.encode())
    assert (result.rows, result.duplicates, result.totals) == (3, 1, {"EUR": Decimal(16)})


def test_loading_the_same_version_again_loads_nothing(migrated_dsn: str) -> None:
    data = gzip.compress((REFERENCE / COST_REAL).read_bytes())
    first = load(migrated_dsn, data)
    assert load(migrated_dsn, data).status == "skipped"
    assert query(migrated_dsn, "SELECT count(*) FROM cost_lines") == [(first.rows,)]


def test_a_rewritten_object_replaces_its_earlier_rows(migrated_dsn: str) -> None:
    load(migrated_dsn, (REFERENCE / COST_REAL).read_bytes(), etag="v1")
    second = load(migrated_dsn, (REFERENCE / COST_GBP).read_bytes(), etag="v2")
    assert query(migrated_dsn, "SELECT count(*) FROM cost_lines") == [(second.rows,)]
    assert query(migrated_dsn, "SELECT etag, status FROM source_files ORDER BY id") == [
        ("v1", "replaced"),
        ("v2", "loaded"),
    ]
    daily = query(migrated_dsn, "SELECT currency, sum(billed_cost) FROM daily_costs GROUP BY 1")
    assert {str(c): Decimal(t) for c, t in daily} == independent_totals(COST_GBP)  # type: ignore[arg-type]


HEADER = (
    "lineItem/referenceNo,lineItem/intervalUsageStart,product/service,cost/myCost,cost/currencyCode,"
    "lineItem/isCorrection,lineItem/backreferenceNo\n"
)


def test_a_correction_replaces_the_line_it_names_even_from_another_file(migrated_dsn: str) -> None:
    load(
        migrated_dsn,
        (HEADER + "r1,2025-06-01T10:00Z,COMPUTE,10,EUR,false,\nr2,2025-06-01T11:00Z,COMPUTE,5,EUR,false,\n").encode(),
        uri="oci://b/t/1.csv",
    )
    later = load(
        migrated_dsn, (HEADER + "r3,2025-06-01T10:00Z,COMPUTE,7,EUR,true,r1\n").encode(), uri="oci://b/t/2.csv"
    )
    assert later.status == "loaded"
    assert query(migrated_dsn, "SELECT day::text, billed_cost FROM daily_costs") == [("2025-06-01", Decimal(12))]
    assert query(migrated_dsn, "SELECT count(*) FROM focus_costs WHERE \"ChargeClass\" = 'Correction'") == [(1,)]


def test_a_line_listed_three_times_is_kept_once_at_its_first_listing(migrated_dsn: str) -> None:
    lines = [
        "r1,2025-06-01T10:00Z,COMPUTE,10,EUR,false,",
        "r2,2025-06-01T11:00Z,COMPUTE,5,EUR,false,",
        "r1,2025-06-01T10:00Z,COMPUTE,10,EUR,false,",
        "r3,2025-06-01T12:00Z,COMPUTE,1,EUR,false,",
        "r2,2025-06-01T11:00Z,COMPUTE,5,EUR,false,",
        "r1,2025-06-01T10:00Z,COMPUTE,10,EUR,false,",
    ]
    result = load(migrated_dsn, (HEADER + "\n".join(lines) + "\n").encode())
    assert (result.rows, result.duplicates, result.totals) == (3, 3, {"EUR": Decimal(16)})
    kept = query(migrated_dsn, "SELECT reference_no, line_number FROM cost_lines ORDER BY line_number")
    assert kept == [("r1", 2), ("r2", 3), ("r3", 5)]
    assert query(migrated_dsn, "SELECT billed_cost FROM daily_costs") == [(Decimal(16),)]


def test_a_vendor_column_written_both_as_oci_and_x_oci_keeps_whichever_value_a_line_has(migrated_dsn: str) -> None:
    focus = (
        "BilledCost,EffectiveCost,BillingCurrency,ChargePeriodStart,oci_CompartmentName,x_oci_CompartmentName,Tags\n"
        "1,1,EUR,2025-06-01T10:00:00Z,team-a,,null\n"
        "2,2,EUR,2025-06-01T11:00:00Z,,team-b,null\n"
        '3,3,EUR,2025-06-01T12:00:00Z,,,"{""env"": ""prod""}"\n'
    )
    result = load(migrated_dsn, focus.encode(), uri="oci://bling/t/FOCUS Reports/2025/06/01/1.csv")
    assert result.status == "loaded", result.problem
    stored = query(migrated_dsn, "SELECT x, tags FROM cost_lines ORDER BY line_number")
    assert stored == [
        ({"oci_CompartmentName": "team-a"}, {}),
        ({"oci_CompartmentName": "team-b"}, {}),
        ({}, {"env": "prod"}),
    ]


BIG_LINES = 14_000  # over 4 MiB of CSV: the file is staged in several pieces, by more than one worker


def big_report(line_break: str) -> tuple[bytes, Decimal]:
    """A report of several pieces whose last line repeats the first's referenceNo (in another piece)."""
    description = "Compute - Standard - E4 - OCPU Per Hour, billed hourly " * 5
    lines = [
        f"r{number},2025-06-{1 + number % 30:02d}T{number % 24:02d}:00Z,COMPUTE,{number % 97}.5,EUR,false,,"
        f'"{description}{number}"'
        for number in range(BIG_LINES)
    ]
    lines.append(f'r0,2025-06-01T00:00Z,COMPUTE,999,EUR,false,,"{description}repeat"')
    if line_break == "mixed":
        breaks = ["\n", "\r\n", "\r", "\r\n\r\n", "\n\r"]
        body = "".join(line + breaks[number % len(breaks)] for number, line in enumerate(lines))
    else:
        body = "".join(line + line_break for line in lines)
    header = HEADER.replace("backreferenceNo", "backreferenceNo,product/Description").replace("\n", "")
    return (header + line_break.replace("mixed", "\n") + body).encode(), sum(
        (Decimal(f"{number % 97}.5") for number in range(BIG_LINES)), Decimal(0)
    )


@pytest.mark.parametrize("line_break", ["\r\n", "\n", "\r", "mixed"], ids=["crlf", "lf", "cr", "mixed"])
def test_a_file_of_many_pieces_loads_whole_whatever_its_line_breaks(migrated_dsn: str, line_break: str) -> None:
    data, total = big_report(line_break)
    assert len(data) > 8 * 1024 * 1024 // 2, "the report spans more than one piece"
    result = load(migrated_dsn, gzip.compress(data, compresslevel=1))
    assert result.status == "loaded", result.problem
    assert (result.rows, result.duplicates, result.totals) == (BIG_LINES, 1, {"EUR": total})
    kept = query(migrated_dsn, "SELECT line_number, billed_cost FROM cost_lines WHERE reference_no = 'r0'")
    assert kept == [(2, Decimal("0.5"))], "the first listing is kept, though the repeat came in a later piece"
    lines = query(
        migrated_dsn, "SELECT min(line_number), max(line_number), count(DISTINCT line_number) FROM cost_lines"
    )
    assert lines == [(2, BIG_LINES + 1, BIG_LINES)], "lines are numbered across pieces as in the file"
    assert query(migrated_dsn, "SELECT sum(billed_cost) FROM daily_costs") == [(total,)]
    description = query(migrated_dsn, "SELECT charge_description FROM cost_lines WHERE reference_no = 'r7'")
    assert description == [("Compute - Standard - E4 - OCPU Per Hour, billed hourly " * 5 + "7",)]


def test_values_the_ledger_takes_twice_or_derives_are_the_same_in_every_piece(migrated_dsn: str) -> None:
    header = HEADER.replace("backreferenceNo", "backreferenceNo,product/region,product/Description")
    padding = "Compute - Standard - E4 - OCPU Per Hour " * 8
    lines = [
        f"r{n},2025-06-{1 + n % 30:02d}T10:00Z,COMPUTE,{n % 89}.25,EUR,{'true' if n % 500 == 0 else 'false'},"
        f"{f'gone{n}' if n % 500 == 0 else ''},{('eu-paris-1', 'uk-london-1')[n % 2]},{padding}{n}\n"
        for n in range(BIG_LINES)
    ]
    data = (header + "".join(lines)).encode()
    assert len(data) > 8 * 1024 * 1024 // 2, "the report spans more than one piece"
    assert load(migrated_dsn, data).status == "loaded"
    odd = query(
        migrated_dsn,
        "SELECT count(*) FROM cost_lines WHERE effective_cost <> billed_cost OR region_name <> region_id"
        " OR charge_class IS DISTINCT FROM CASE WHEN is_correction THEN 'Correction' END",
    )
    assert odd == [(0,)]
    corrections = query(migrated_dsn, "SELECT count(*) FROM cost_lines WHERE charge_class = 'Correction'")
    assert corrections == [(len(range(0, BIG_LINES, 500)),)]


@pytest.mark.parametrize(
    ("good", "bad", "column", "reason"),
    [
        (b",999,EUR,", b",NaN,EUR,", "cost/myCost", "not a number"),
        (b"r0,2025-06-01", b"r0,20255-06-01", "lineItem/intervalUsageStart", "outside 1970-2999"),
        (b",999,EUR,", b",999,EUR,x,", None, "the CSV is malformed"),
    ],
    ids=["number", "year", "width"],
)
def test_a_bad_last_line_of_a_file_of_many_pieces_is_named_by_its_line_in_the_file(
    migrated_dsn: str, good: bytes, bad: bytes, column: str | None, reason: str
) -> None:
    data, _ = big_report("\r\n")
    head, last = data.rstrip(b"\r\n").rsplit(b"\r\n", 1)
    result = load(migrated_dsn, head + b"\r\n" + last.replace(good, bad) + b"\r\n")
    assert result.status == "failed" and result.problem is not None
    assert reason in result.problem.message
    assert (result.problem.line, result.problem.column) == (BIG_LINES + 2, column)
    assert query(migrated_dsn, "SELECT count(*) FROM cost_lines") == [(0,)]


@pytest.mark.parametrize("name", ["product/compartment\x00Name", "tags/team\x00"], ids=["extra", "tag"])
def test_a_header_holding_a_nul_byte_fails_the_file_with_its_reason_kept(migrated_dsn: str, name: str) -> None:
    header = f"lineItem/referenceNo,lineItem/intervalUsageStart,cost/myCost,cost/currencyCode,{name}"
    result = load(migrated_dsn, f"{header}\nr1,2025-06-01T10:00Z,1,EUR,1\n".encode())
    stored = query(migrated_dsn, "SELECT status, error_line, error_message FROM source_files")
    assert stored == [("failed", 1, "column 5 of the header holds a NUL byte")]
    assert result.problem is not None and result.problem.message == stored[0][2]


def test_a_file_without_a_line_break_in_its_first_mebibyte_is_refused(migrated_dsn: str) -> None:
    result = load(migrated_dsn, gzip.compress(b"lineItem/referenceNo," * 100_000))
    assert result.status == "failed" and result.problem is not None
    assert (result.problem.line, "no line ends") == (1, result.problem.message[:12])


RECOUNT = """
    SELECT provider, coalesce(sub_account_id, ''), coalesce(service_name, ''), coalesce(region_id, ''),
           (charge_period_start AT TIME ZONE 'UTC')::date, coalesce(billing_currency, ''),
           sum(billed_cost), sum(effective_cost), sum(list_cost), count(*)
      FROM effective_cost_lines WHERE billing_currency IS NOT NULL OR billed_cost <> 0 OR effective_cost <> 0
     GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
"""
ROLLUP = """
    SELECT provider, account_id, service_name, region_id, day, currency, billed_cost, effective_cost, list_cost, lines
      FROM daily_costs ORDER BY 1, 2, 3, 4, 5, 6
"""


def test_daily_costs_always_equal_the_lines_that_count_however_files_arrive(migrated_dsn: str) -> None:
    steps = [
        ("1.csv", "v1", "r1,2025-06-01T10:00Z,COMPUTE,10,EUR,false,\nr2,2025-06-01T11:00Z,COMPUTE,5,EUR,false,\n"),
        ("2.csv", "v1", "r4,2025-06-01T12:00Z,COMPUTE,2.5,EUR,false,\nr5,2025-06-02T00:00Z,NETWORK,1,EUR,false,\n"),
        ("3.csv", "v1", "r6,2025-06-01T13:00Z,COMPUTE,1,EUR,false,\nr7,2025-06-01T13:00Z,COMPUTE,4,EUR,true,r2\n"),
        ("2.csv", "v2", "r4,2025-06-01T12:00Z,COMPUTE,3.5,EUR,false,\n"),
        ("4.csv", "v1", "r8,2025-06-02T01:00Z,NETWORK,0.25,USD,false,\n"),
        ("5.csv", "v1", "r9,2025-06-02T02:00Z,NETWORK,2,,false,\nr10,2025-06-02T02:00Z,NETWORK,0,,false,\n"),
        ("6.csv", "v1", "r11,2025-06-02T03:00Z,NETWORK,1.5,,true,r9\n"),
    ]
    for name, etag, lines in steps:
        assert load(migrated_dsn, (HEADER + lines).encode(), uri=f"oci://b/t/{name}", etag=etag).status == "loaded"
        assert query(migrated_dsn, ROLLUP) == query(migrated_dsn, RECOUNT), f"after {name} {etag}"
    day_one = query(migrated_dsn, "SELECT sum(billed_cost) FROM daily_costs WHERE day = '2025-06-01'")
    assert day_one == [(Decimal("10") + Decimal("3.5") + Decimal("1") + Decimal("4"),)]
    unpriced = query(migrated_dsn, "SELECT billed_cost, lines FROM daily_costs WHERE currency = ''")
    assert unpriced == [(Decimal("1.5"), 1)], "money in no currency is summed under '' once its correction applies"


def test_a_cost_without_a_currency_is_counted_under_none_and_a_free_line_without_one_is_not(migrated_dsn: str) -> None:
    lines = "r1,2025-06-01T10:00Z,COMPUTE,10,EUR,false,\nr2,2025-06-01T11:00Z,COMPUTE,5,,false,\n"
    free = 'r3,2025-06-01T12:00Z,COMPUTE,0,,false,\nr4,2025-06-01T12:00Z,COMPUTE,0,"",false,\n'  # "" is none too
    result = load(migrated_dsn, (HEADER + lines + free).encode())
    assert result.status == "loaded" and result.rows == 4
    assert result.totals == {"": Decimal(5), "EUR": Decimal(10)}
    assert query(migrated_dsn, "SELECT currency, billed_cost, lines FROM daily_costs ORDER BY 1") == [
        ("", Decimal(5), 1),
        ("EUR", Decimal(10), 1),
    ]


def test_a_correction_loaded_before_the_line_it_replaces_still_wins(migrated_dsn: str) -> None:
    correction = HEADER + "r9,2025-06-01T10:00Z,COMPUTE,7,EUR,true,r1\n"
    original = HEADER + "r1,2025-06-01T10:00Z,COMPUTE,10,EUR,false,\nr2,2025-06-01T11:00Z,COMPUTE,5,EUR,false,\n"
    assert load(migrated_dsn, correction.encode(), uri="oci://b/t/late-fix.csv").status == "loaded"
    assert load(migrated_dsn, original.encode(), uri="oci://b/t/original.csv").status == "loaded"
    assert query(migrated_dsn, ROLLUP) == query(migrated_dsn, RECOUNT)
    assert query(migrated_dsn, "SELECT sum(billed_cost) FROM daily_costs") == [(Decimal(12),)]


def test_a_file_over_far_apart_months_makes_partitions_for_those_months_only(migrated_dsn: str) -> None:
    lines = "r1,2025-06-01T10:00Z,COMPUTE,1,EUR,false,\nr2,2031-03-31T23:00:00-02:00,COMPUTE,2,EUR,false,\n"
    assert load(migrated_dsn, (HEADER + lines).encode()).status == "loaded"
    partitions = query(
        migrated_dsn, "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = 'cost_lines'::regclass"
    )
    assert sorted(str(name) for (name,) in partitions) == ["cost_lines_2025_06", "cost_lines_2031_04"]


def test_a_line_break_inside_a_quoted_value_is_kept_the_same_whatever_the_piece(migrated_dsn: str) -> None:
    header = HEADER.replace("backreferenceNo", "backreferenceNo,product/Description").replace("\n", "\r\n")
    plain = header + 'r1,2025-06-01T10:00Z,COMPUTE,1,EUR,false,,"two\r\nlines"\r\n'
    assert load(migrated_dsn, plain.encode(), uri="oci://b/t/plain.csv").status == "loaded"
    with_blank_line = plain + "\r\n" + "r2,2025-06-01T11:00Z,COMPUTE,1,EUR,false,,one\r\n"
    assert load(migrated_dsn, with_blank_line.encode(), uri="oci://b/t/blank.csv").status == "loaded"
    descriptions = query(migrated_dsn, "SELECT DISTINCT charge_description FROM cost_lines WHERE reference_no = 'r1'")
    assert descriptions == [("two\nlines",)]


def test_replacing_a_file_whose_correction_hid_another_files_line_brings_that_line_back(migrated_dsn: str) -> None:
    load(migrated_dsn, (HEADER + "r1,2025-06-01T10:00Z,COMPUTE,10,EUR,false,\n").encode(), uri="oci://b/t/1.csv")
    fix = HEADER + "r9,2025-06-02T10:00Z,COMPUTE,7,EUR,true,r1\n"
    load(migrated_dsn, fix.encode(), uri="oci://b/t/2.csv", etag="v1")
    assert query(migrated_dsn, "SELECT day::text, billed_cost FROM daily_costs") == [("2025-06-02", Decimal(7))]
    rewritten = HEADER + "r10,2025-06-02T10:00Z,COMPUTE,1,EUR,false,\n"
    assert load(migrated_dsn, rewritten.encode(), uri="oci://b/t/2.csv", etag="v2").status == "loaded"
    assert query(migrated_dsn, ROLLUP) == query(migrated_dsn, RECOUNT)
    assert query(migrated_dsn, "SELECT sum(billed_cost) FROM daily_costs") == [(Decimal(11),)]


@pytest.mark.parametrize(
    ("data", "line", "column", "reason"),
    [
        pytest.param(
            gzip.compress((REFERENCE / COST_REAL).read_bytes())[:20_000], None, None, "truncated", id="truncated-gzip"
        ),
        pytest.param(
            b"lineItem/referenceNo,cost/myCost\nr1,1\n", 1, None, "missing the required column", id="no-start"
        ),
        pytest.param(
            b"lineItem/referenceNo,lineItem/intervalUsageStart,cost/currencyCode\nr1,2025-06-01T10:00Z,EUR\n",
            1,
            None,
            "oci-cost report is missing the required column cost/mycost",
            id="no-cost",
        ),
        pytest.param(
            b"ChargePeriodStart,BillingCurrency\n2025-06-01T10:00Z,EUR\n",
            1,
            None,
            "oci-focus report is missing the required column billedcost",
            id="focus-no-cost",
        ),
        pytest.param(
            (
                HEADER + "r1,2025-06-01T10:00Z,COMPUTE,1,EUR,false,\nr2,2025-06-01T10:00Z,COMPUTE,1,2O,EUR,false,\n"
            ).encode(),
            3,
            None,
            "malformed",
            id="extra-field",
        ),
        pytest.param(
            (HEADER + "r1,2025-06-01T10:00Z,COMPUTE,1,EUR,false,\nr2,2025-06-01T10:00Z,COMPUTE\n").encode(),
            3,
            "cost/myCost",
            'missing data for column "cost/myCost"',
            id="too-few-fields",
        ),
        pytest.param(
            (HEADER + "r1,2025-06-01T10:00Z,COMPUTE,1,EUR,false,\nr2,2025-06-01T10:00Z,COMPUTE,12,5,EUR\n").encode(),
            3,
            "lineItem/backreferenceNo",
            'malformed: missing data for column "lineItem/backreferenceNo"',
            id="short-row",
        ),
        pytest.param(
            (
                HEADER + "r1,2025-06-01T10:00Z,COMPUTE,1,EUR,false,\nr2,2025-06-01T10:00Z,COMPUTE,1O.5,EUR,false,\n"
            ).encode(),
            3,
            "cost/myCost",
            "not a number: 1O.5",
            id="bad-number",
        ),
        pytest.param(
            (HEADER + "r1,yesterday,COMPUTE,1,EUR,false,\n").encode(),
            2,
            "lineItem/intervalUsageStart",
            "not a timestamp",
            id="bad-time",
        ),
        pytest.param(
            (
                HEADER + "r1,2025-06-01T10:00Z,COMPUTE,1,EUR,false,\nr2,20255-06-01T10:00Z,COMPUTE,1,EUR,false,\n"
            ).encode(),
            3,
            "lineItem/intervalUsageStart",
            "outside 1970-2999",
            id="year-past-9999",
        ),
        pytest.param(
            (HEADER + "r1,2025-06-01T10:00Z BC,COMPUTE,1,EUR,false,\n").encode(),
            2,
            "lineItem/intervalUsageStart",
            "outside 1970-2999",
            id="year-bc",
        ),
        pytest.param(
            (
                HEADER + "r1,2025-06-01T10:00Z,COMPUTE,1,EUR,false,\nr2,2025-06-01T10:00Z,COMPUTE,2,EUR,maybe,r1\n"
            ).encode(),
            3,
            "lineItem/isCorrection",
            "not true or false: maybe",
            id="correction-flag",
        ),
    ],
)
def test_a_bad_file_fails_with_line_column_and_reason_and_loads_nothing(
    migrated_dsn: str, data: bytes, line: int | None, column: str | None, reason: str
) -> None:
    result = load(migrated_dsn, data)
    assert result.status == "failed"
    assert result.problem is not None and reason in result.problem.message
    assert (result.problem.line, result.problem.column) == (line, column) or line is None
    assert query(migrated_dsn, "SELECT count(*) FROM cost_lines") == [(0,)]
    (recorded,) = query(migrated_dsn, "SELECT status, error_line, error_column, error_message FROM source_files")
    assert recorded[0] == "failed" and reason in str(recorded[3])
