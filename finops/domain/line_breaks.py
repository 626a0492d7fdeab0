"""One line break for PostgreSQL's COPY: CR, LF or CRLF all end a line, and blank lines are dropped.

COPY takes the line ending of the first line for the whole file and reads a blank line as a row
with one empty column. Billing files break both rules: OCI writes CRLF, FOCUS's own examples mix
LF rows with CR-only blank lines. A line break inside a quoted value becomes a single LF.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

_BREAKS = re.compile(rb"[\r\n]+")


def normalised_line_breaks(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Yields the chunks with every run of CR/LF as one LF, even across chunk edges; no leading break."""
    after_break = True
    for chunk in chunks:
        if b"\r" in chunk:
            chunk = chunk.replace(b"\r\n", b"\n")
            if b"\r" in chunk:
                chunk = chunk.replace(b"\r", b"\n")
        if b"\n\n" in chunk:
            chunk = _BREAKS.sub(b"\n", chunk)
        if after_break:
            chunk = chunk.lstrip(b"\n")
        if chunk:
            after_break = chunk.endswith(b"\n")
            yield chunk


def record_aligned(chunks: Iterable[bytes], size: int) -> Iterator[bytes]:
    """Regroups CSV bytes into pieces of about ``size`` bytes that each end where a record ends.

    A line break inside a quoted value does not end a record: a break ends one only when the
    quotes before it (from the start of the piece, itself a record start) are balanced.
    """
    parts: list[bytes] = []
    length = 0
    for chunk in chunks:
        parts.append(chunk)
        length += len(chunk)
        if length < size:
            continue
        pending = b"".join(parts)
        cut = _last_record_end(pending)
        if cut is not None:
            yield pending[:cut]
            pending = pending[cut:]
        parts, length = ([pending] if pending else []), len(pending)
    if parts:
        yield b"".join(parts)


def _last_record_end(data: bytes) -> int | None:
    cut = data.rfind(b"\n")
    while cut >= 0:
        if data.count(b'"', 0, cut) % 2 == 0:
            return cut + 1
        cut = data.rfind(b"\n", 0, cut)
    return None
