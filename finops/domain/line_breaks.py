"""Line breaks PostgreSQL's COPY can read: CR, LF or CRLF all end a line, and blank lines are dropped.

COPY takes the line ending of the first line for the whole of what it reads and reads a blank line
as a row with one empty column. Most billing files suit it as they are (OCI writes CRLF throughout),
and pass untouched; others break both rules: FOCUS's own examples mix LF rows with CR-only blank
lines. Those are rewritten with every break a single LF, a break inside a quoted value included.
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


def record_aligned(chunks: Iterable[bytes], size: int, give_up: int = 64 * 1024 * 1024) -> Iterator[bytes]:
    """Regroups CSV bytes into pieces of about ``size`` bytes that each end where a record ends.

    A line break inside a quoted value does not end a record: a break ends one only when the
    quotes before it, counted from the start of the piece (itself a record start), are balanced.
    Quotes are counted once per chunk. When no record ends within ``give_up`` bytes (a stray quote
    opened a value that never closes), the bytes go on as they are and COPY refuses them with its
    own line and reason, instead of the whole file piling up in memory.
    """
    parts: list[bytes] = []
    length = 0
    odd = False  # an unbalanced quote in the bytes held so far
    for chunk in chunks:
        odd_before = odd
        parts.append(chunk)
        length += len(chunk)
        odd ^= bool(chunk.count(b'"') & 1)
        if length < size:
            continue
        cut = _last_record_end(chunk, odd_before)
        if cut is None:
            if length >= give_up:
                yield b"".join(parts)
                parts, length, odd = [], 0, False
            continue
        yield b"".join([*parts[:-1], chunk[:cut]])
        rest = chunk[cut:]
        parts, length, odd = ([rest] if rest else []), len(rest), bool(rest.count(b'"') & 1)
    if parts:
        yield b"".join(parts)


def _last_record_end(chunk: bytes, odd_before: bool) -> int | None:
    """The end of the last record that ends inside ``chunk``, walking back one line at a time."""
    end = chunk.rfind(b"\n")
    if end < 0:
        return None
    odd = odd_before ^ bool(chunk.count(b'"', 0, end) & 1)
    while odd:
        previous = chunk.rfind(b"\n", 0, end)
        if previous < 0:
            return None
        odd ^= bool(chunk.count(b'"', previous, end) & 1)
        end = previous
    return end + 1
