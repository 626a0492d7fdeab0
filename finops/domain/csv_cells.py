"""Cells and documents for CSV a spreadsheet opens safely: RFC 4180 (comma, CRLF), UTF-8 behind a BOM.

The BOM makes Excel read UTF-8 rather than the local code page. A text cell starting with = + - @,
a tab or a carriage return gets a leading apostrophe so that no spreadsheet runs it as a formula
(CSV injection). Amounts are written in plain notation, never through a float.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def amount_cell(value: Decimal) -> str:
    return format(value, "f")


def csv_document(rows: Iterable[Sequence[str]]) -> str:
    """Rows of cells already made safe with ``text_cell`` / ``amount_cell``."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return BOM + out.getvalue()
