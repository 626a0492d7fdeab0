"""The quote as CSV: read back with the csv module, totals worked out by hand from eu-west-2 prices.

The quote: 3 months (2190 h), a 1-year commitment (compute -40 %), a 5 % global discount.
- group Web: 2 VMs v6 high 2 vCores 4 GiB at 0.09/h: 2 * 0.09 * 2190 = 394.2, -157.68 = 236.52
- group Database: an io1 volume, 50 GiB * 0.13 + 1000 IOPS * 0.01 = 16.5 a month: 49.5
- no group: an OKS small control plane, 0.13/h (licence): 284.7; a NAT, 0.05/h (network): 109.5
Subtotal 680.22, global discount 34.011, total 646.209.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest

from finops.domain.outscale_catalog import CatalogKey, PriceList, parse_catalog
from finops.domain.quote_export import COLUMNS, quote_csv
from finops.domain.quote_pricing import QuoteGroup, QuoteItem, QuoteTerms, VmSpec, VolumeSpec, calculate

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "reference" / "outscale" / "samples"
PRICES = PriceList(parse_catalog(json.loads((SAMPLES / "readpubliccatalog_eu-west-2.json").read_text())))
D = Decimal
TERMS = QuoteTerms(D(3), "months", "1year", D(5))
OKS = CatalogKey("OKS", "dedicated:cp.3.masters.small", "ControlPlane")
NAT = CatalogKey("TinaOS-FCU", "NatGatewayUsage", "CreateNatGateway")
OKS_TITLE = "OKS - Plan de contrôle dédié (3 masters) - Small - par heure"


def export(
    *, name: str = "Projet été", vm_name: str = "front", group_name: str = "Web", terms: QuoteTerms = TERMS
) -> str:
    groups = (QuoteGroup(1, group_name, 2), QuoteGroup(2, "Database", 1))
    items = (
        QuoteItem(1, 1, vm_name, D(2), "vm", vm=VmSpec(6, "high", 2, D(4))),
        QuoteItem(2, 2, "base de données", D(1), "volume", volume=VolumeSpec("io1", D(50), D(1000))),
        QuoteItem(3, None, "kubernetes", D(1), "catalog", key=OKS),
        QuoteItem(4, None, "nat", D(1), "catalog", key=NAT),
    )
    return quote_csv(name, terms, "eu-west-2", calculate(terms, groups, items, PRICES, "EUR"))


def sections(text: str) -> tuple[list[list[str]], list[list[str]], list[list[str]]]:
    """The header rows, the line rows and the summary rows, each without its blank separator."""
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    table = rows.index(list(COLUMNS))
    blank = rows.index([], table)
    return rows[: table - 1], rows[table + 1 : blank], rows[blank + 1 :]


def test_the_file_is_utf8_behind_a_bom_with_crlf_line_ends() -> None:
    text = export()
    assert text.encode("utf-8").startswith(b"\xef\xbb\xbf")
    assert text.endswith("\r\n")
    assert text.count("\n") == text.count("\r\n") == text.count("\r")


def test_the_header_names_the_quote_and_its_terms() -> None:
    header, _, _ = sections(export())
    assert header == [
        ["Quote", "Projet été"],
        ["Region", "eu-west-2"],
        ["Currency", "EUR"],
        ["Duration", "3 months"],
        ["Commitment", "1year"],
        ["Global discount %", "5"],
    ]


@pytest.mark.parametrize(
    ("duration", "unit", "period", "shown_duration", "shown_commitment"),
    [
        pytest.param("1", "months", None, "1 month", "none", id="one-month-no-commitment"),
        pytest.param("1.5", "days", "3years", "1.5 days", "3years", id="a-day-and-a-half"),
    ],
)
def test_the_duration_and_commitment_read_as_words(
    duration: str, unit: str, period: str | None, shown_duration: str, shown_commitment: str
) -> None:
    header, _, _ = sections(export(terms=QuoteTerms(D(duration), unit, period, D(0))))
    assert header[3:5] == [["Duration", shown_duration], ["Commitment", shown_commitment]]


def test_the_lines_read_back_as_calculated_in_group_order() -> None:
    _, lines, _ = sections(export())
    assert [row[:3] + row[4:5] + row[6:7] for row in lines] == [
        ["Database", "base de données", "volume", "storage", "month"],
        ["Web", "front", "vm", "compute", "hour"],
        ["(no group)", "kubernetes", "catalog", "licence", "hour"],
        ["(no group)", "nat", "catalog", "network", "hour"],
    ]
    amounts = [[D(cell) for cell in row[5:6] + row[7:]] for row in lines]
    # quantity, unit price, billed units, list price, commitment %, commitment discount, net
    assert amounts == [
        [1, D("16.5"), 3, D("49.5"), 0, 0, D("49.5")],
        [2, D("0.09"), 2190, D("394.2"), 40, D("157.68"), D("236.52")],
        [1, D("0.13"), 2190, D("284.7"), 0, 0, D("284.7")],
        [1, D("0.05"), 2190, D("109.5"), 0, 0, D("109.5")],
    ]


def test_the_totals_are_the_rounded_displayed_ones() -> None:
    _, _, summary = sections(export())
    assert summary == [
        ["Group subtotal", "Database", "49.50"],
        ["Group subtotal", "Web", "236.52"],
        ["Group subtotal", "(no group)", "394.20"],
        ["Subtotal", "", "680.22"],
        ["Global discount", "", "34.01"],  # 680.22 * 5 % = 34.011
        ["Total", "", "646.21"],
        ["Per hour", "", "0.2951"],  # 646.209 / 2190 h = 0.295072...
        ["Per month", "", "215.40"],  # 646.209 / 3
        ["Per year", "", "2584.84"],  # 646.209 * 4
    ]


@pytest.mark.parametrize(
    "name",
    [
        pytest.param('=HYPERLINK("http://evil.example","click")', id="equals"),
        pytest.param("+33 cost", id="plus"),
        pytest.param("-2+3+cmd|' /C calc'!A0", id="minus"),
        pytest.param("@SUM(A1:A9)", id="at"),
        pytest.param("\tindented", id="tab"),
    ],
)
def test_text_that_a_spreadsheet_would_run_as_a_formula_gets_an_apostrophe(name: str) -> None:
    header, lines, summary = sections(export(name=name, vm_name=name, group_name=name))
    assert header[0] == ["Quote", "'" + name]
    assert lines[1][:2] == ["'" + name, "'" + name]
    assert summary[1][:2] == ["Group subtotal", "'" + name]
    assert not any(cell.startswith("'") for row in lines for cell in row[5:])  # amounts stay numbers


def test_a_name_with_commas_and_quotes_round_trips() -> None:
    text = export(vm_name='front, "blue"')
    assert '"front, ""blue"""' in text
    _, lines, _ = sections(text)
    assert lines[1][1] == 'front, "blue"'


def test_accented_catalog_titles_are_kept() -> None:
    _, lines, _ = sections(export())
    assert lines[2][3] == OKS_TITLE


def test_amounts_are_never_written_in_scientific_notation() -> None:
    terms = QuoteTerms(D("1E+1"), "hours", None, D(0))
    item = QuoteItem(1, None, "ips", D("1E+2"), "catalog", key=NAT)
    text = quote_csv("q", terms, "eu-west-2", calculate(terms, (), (item,), PRICES, "EUR"))
    _, (line,), _ = sections(text)
    assert (line[5], line[8], line[9]) == ("100", "10", "50")  # 100 NATs * 0.05 * 10 h: 5E+1 as a str
    assert "E+" not in text
