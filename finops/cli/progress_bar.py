"""Draws the progress a flow tells (finops.progress) on stderr: a bar on a terminal, a line per step elsewhere."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from finops.progress import ProgressUpdate

BAR_WIDTH = 30
_WIPE = "\r\x1b[2K"  # back to the start of the line, and clear it
_Emit = Callable[[logging.LogRecord], None]


class ProgressBar:
    def __init__(self, stream: TextIO = sys.stderr) -> None:
        self.stream = stream
        self.interactive = stream.isatty()
        self.drawn = ""  # the bar while it stands, unfinished, on the terminal's last line
        self.terminal = threading.Lock()  # a log line from another thread must not land between wipe and redraw

    def __call__(self, update: ProgressUpdate) -> None:
        filled = BAR_WIDTH * update.done // update.total if update.total else BAR_WIDTH
        text = f"{update.work} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {update.done}/{update.total}"
        if update.current:
            text += f" {update.current}"
        with self.terminal:
            if self.interactive:
                finished = update.done >= update.total
                self.stream.write(_WIPE + text + ("\n" if finished else ""))
                self.drawn = "" if finished else text
            else:
                self.stream.write(text + "\n")
            self.stream.flush()

    @contextmanager
    def below_the_logs(self) -> Iterator[None]:
        """Log lines written to a terminal meanwhile go above the bar, not onto its line.

        Each console handler writing to a terminal wipes the bar before a record and draws it again
        after; Prefect's handler writes through its own console, so its stream cannot be wrapped.
        """
        handlers = _console_handlers() if self.interactive else []
        own_emits = {id(handler): handler.__dict__.get("emit") for handler in handlers}  # set on the handler itself
        for handler in handlers:
            handler.emit = self._above(handler.emit)  # type: ignore[method-assign,assignment]
        try:
            yield
        finally:
            for handler in handlers:
                if (own := own_emits[id(handler)]) is None:
                    del handler.emit  # the class's own again
                else:
                    handler.emit = own  # type: ignore[method-assign]

    def _above(self, emit: _Emit) -> _Emit:
        def emit_above_the_bar(record: logging.LogRecord) -> None:
            with self.terminal:
                if self.drawn:
                    self.stream.write(_WIPE)
                    self.stream.flush()
                emit(record)
                if self.drawn:
                    self.stream.write(self.drawn)
                    self.stream.flush()

        return emit_above_the_bar


def _console_handlers() -> list[logging.StreamHandler[TextIO]]:
    loggers = [logging.getLogger()] + [
        # a copy: other threads (Prefect's services) may add loggers meanwhile
        logger
        for logger in list(logging.Logger.manager.loggerDict.values())
        if isinstance(logger, logging.Logger)
    ]
    found: dict[int, logging.StreamHandler[TextIO]] = {}
    for logger in loggers:
        for handler in logger.handlers:
            if isinstance(handler, logging.StreamHandler) and _is_terminal(handler.stream):
                found[id(handler)] = handler
    return list(found.values())


def _is_terminal(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
