"""The CLI's progress bar on a terminal: log lines go above it, never onto its line."""

from __future__ import annotations

import io
import logging

from finops.cli.progress_bar import ProgressBar
from finops.progress import ProgressUpdate


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True

    def screen(self) -> list[str]:
        """The lines as a terminal shows them: a carriage return and a clear start the line anew."""
        return [line.split("\r\x1b[2K")[-1] for line in self.getvalue().split("\n") if line.split("\r\x1b[2K")[-1]]


def test_log_lines_written_while_the_bar_stands_are_printed_above_it() -> None:
    terminal = Terminal()
    logger = logging.getLogger("test.progress_bar")
    logger.propagate = False
    handler = logging.StreamHandler(terminal)
    logger.addHandler(handler)
    bar = ProgressBar(terminal)
    try:
        with bar.below_the_logs():
            bar(ProgressUpdate("files loaded", 0, 2))
            logger.warning("loading a.csv")
            bar(ProgressUpdate("files loaded", 1, 2, "a.csv"))
            logger.warning("loading b.csv")
            bar(ProgressUpdate("files loaded", 2, 2, "b.csv"))
        logger.warning("after the run")
    finally:
        logger.removeHandler(handler)
    assert terminal.screen() == [
        "loading a.csv",
        "loading b.csv",
        "files loaded [" + "#" * 30 + "] 2/2 b.csv",
        "after the run",
    ]
