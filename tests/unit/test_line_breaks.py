"""Line breaks COPY can read, whatever the exporter wrote and wherever the chunks are cut."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from finops.domain.line_breaks import normalised_line_breaks, record_aligned


def joined(*chunks: bytes) -> bytes:
    return b"".join(normalised_line_breaks(chunks))


def test_crlf_lf_and_cr_all_end_a_line_and_blank_lines_go() -> None:
    assert joined(b"a,1\r\nb,2\nc,3\rd,4\r\n") == b"a,1\nb,2\nc,3\nd,4\n"
    assert joined(b"\r\na,1\n\r\nb,2\n\r\n\r\n") == b"a,1\nb,2\n"


def test_a_crlf_cut_between_two_chunks_is_one_break() -> None:
    assert joined(b"a,1\r", b"\nb,2\r", b"\n") == b"a,1\nb,2\n"
    assert joined(b"a,1\n", b"\r\n", b"", b"\nb,2") == b"a,1\nb,2"


@given(
    rows=st.lists(st.text(alphabet="ab,1", min_size=1, max_size=5), max_size=8),
    breaks=st.lists(st.sampled_from(["\n", "\r\n", "\r", "\r\r\n", "\n\r\n"]), min_size=8, max_size=8),
    cuts=st.lists(st.integers(min_value=0, max_value=80), max_size=4),
)
def test_the_rows_survive_any_breaks_and_any_chunking(rows: list[str], breaks: list[str], cuts: list[int]) -> None:
    data = "".join(row + breaks[index] for index, row in enumerate(rows)).encode()
    edges = sorted({min(cut, len(data)) for cut in cuts})
    chunks = [data[start:end] for start, end in zip([0, *edges], [*edges, len(data)], strict=True)]
    expected = "".join(row + "\n" for row in rows).encode()
    assert joined(*chunks) == expected


@given(
    records=st.lists(st.lists(st.text(alphabet='ab,"\n', max_size=6), min_size=1, max_size=3), min_size=0, max_size=30),
    size=st.integers(min_value=1, max_value=64),
    feed=st.integers(min_value=1, max_value=20),
)
def test_pieces_end_where_records_end_and_lose_nothing(records: list[list[str]], size: int, feed: int) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(records)
    data = out.getvalue().encode()
    pieces = list(record_aligned((data[start : start + feed] for start in range(0, len(data), feed)), size))
    assert b"".join(pieces) == data
    parsed = [row for piece in pieces for row in csv.reader(io.StringIO(piece.decode(), newline=""))]
    assert parsed == [list(map(str, record)) for record in records]


def test_a_stray_quote_does_not_hold_the_whole_file_it_goes_on_to_copy() -> None:
    lines = [b'r1,an 8" disk\n'] + [b"r%d,fine\n" % number for number in range(2, 5000)]
    pieces = list(record_aligned(iter(lines), 1024, give_up=4096))
    assert b"".join(pieces) == b"".join(lines)
    assert max(len(piece) for piece in pieces) < 4096 + 64, "no piece grows past the give-up size"
