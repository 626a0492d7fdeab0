"""CSV a spreadsheet opens safely: BOM, CRLF, quoting, and text that cannot run as a formula."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from finops.domain.csv_cells import amount_cell, csv_document, text_cell


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+2", "'=1+2"),
        ("+33 1 23", "'+33 1 23"),
        ("-team", "'-team"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("web=1", "web=1"),  # only the first character matters
        ("équipe", "équipe"),
        ("", ""),
    ],
)
def test_text_cells_that_a_spreadsheet_would_run_become_text(value: str, cell: str) -> None:
    assert text_cell(value) == cell


@pytest.mark.parametrize(
    ("amount", "cell"), [(Decimal("1E+3"), "1000"), (Decimal("0.00000001"), "0.00000001"), (Decimal("-2.50"), "-2.50")]
)
def test_amounts_are_plain_decimal_notation(amount: Decimal, cell: str) -> None:
    assert amount_cell(amount) == cell


def test_a_document_is_utf8_with_a_bom_crlf_and_quoted_where_needed() -> None:
    text = csv_document([["Tag", "Per month"], ['a "b", c', "1.50"], ["équipe", "2"]])
    assert text.startswith("\ufeff")
    assert text.endswith("\r\n") and text.count("\r\n") == 3
    assert list(csv.reader(io.StringIO(text.removeprefix("\ufeff")))) == [
        ["Tag", "Per month"],
        ['a "b", c', "1.50"],
        ["équipe", "2"],
    ]
