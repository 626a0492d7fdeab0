"""A stored billing report as the loader reads it: gunzipped, its header line apart from its lines.

The staging cuts the lines into pieces at LF. A file whose lines end with CR alone (old Mac
files) has none, and is read with each CR turned into LF; PostgreSQL's COPY then reads it as any
other. The header is read within HEADER_BYTES, so a file with no line break at all is refused
without being held in memory.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Callable
from typing import IO, Protocol

from finops.db.cost_pieces import LoadProblem, Rejected

GZIP_MAGIC = b"\x1f\x8b"
HEADER_BYTES = 1024 * 1024


class ByteSource(Protocol):
    def read(self, size: int, /) -> bytes: ...


def read_or_reject(read: Callable[[], bytes]) -> bytes:
    try:
        return read()
    except (EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise Rejected(LoadProblem(f"the file is truncated or not valid gzip ({error})")) from None


def open_report(content: IO[bytes]) -> tuple[bytes, ByteSource]:
    """The header line, without its line break, and the bytes of the lines after it."""
    stream = _text_stream(content)
    head = read_or_reject(lambda: stream.readline(HEADER_BYTES))
    ends = [index for index in (head.find(b"\r"), head.find(b"\n")) if index >= 0]
    if not ends:
        if len(head) >= HEADER_BYTES:
            raise Rejected(
                LoadProblem(f"no line ends within the first {HEADER_BYTES:,} bytes: not a CSV report", line=1)
            )
        return head, stream
    end = min(ends)
    after = head[end:]
    if after.startswith(b"\r\n") or after.startswith(b"\n"):
        # readline stopped at this LF: what follows is the stream itself.
        return head[:end], stream
    return head[:end], _CarriageReturnLines(after[1:], stream)


def _text_stream(content: IO[bytes]) -> IO[bytes]:
    buffered = content if isinstance(content, io.BufferedReader) else io.BufferedReader(content)  # type: ignore[type-var]
    if buffered.peek(2)[:2] == GZIP_MAGIC:
        return gzip.GzipFile(fileobj=buffered)  # type: ignore[return-value]
    return buffered


class _CarriageReturnLines:
    """The rest of a file whose header ended with a lone CR, with every CR read as LF."""

    def __init__(self, read_ahead: bytes, stream: ByteSource) -> None:
        self.read_ahead, self.stream = read_ahead, stream

    def read(self, size: int, /) -> bytes:
        data = self.read_ahead or self.stream.read(size)
        self.read_ahead = b""
        return data.replace(b"\r", b"\n")
