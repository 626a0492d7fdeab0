"""Progress of long work (a backfill of many files), told to whoever listens: `finops run` draws a bar."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class ProgressUpdate:
    work: str
    done: int
    total: int
    current: str = ""


ProgressListener = Callable[[ProgressUpdate], None]
_listeners: list[ProgressListener] = []


@contextmanager
def listening(listener: ProgressListener) -> Iterator[None]:
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


def tell(update: ProgressUpdate) -> None:
    for listener in list(_listeners):
        listener(update)
