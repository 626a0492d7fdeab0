"""Draws the progress a flow tells (finops.progress) on stderr: a bar on a terminal, a line per step elsewhere."""

from __future__ import annotations

import sys
from typing import TextIO

from finops.progress import ProgressUpdate

BAR_WIDTH = 30


class ProgressBar:
    def __init__(self, stream: TextIO = sys.stderr) -> None:
        self.stream = stream
        self.interactive = stream.isatty()

    def __call__(self, update: ProgressUpdate) -> None:
        filled = BAR_WIDTH * update.done // update.total if update.total else BAR_WIDTH
        text = f"{update.work} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {update.done}/{update.total}"
        if update.current:
            text += f" {update.current}"
        if self.interactive:
            ending = "\n" if update.done >= update.total else ""
            self.stream.write(f"\r\x1b[2K{text}{ending}")
        else:
            self.stream.write(text + "\n")
        self.stream.flush()
