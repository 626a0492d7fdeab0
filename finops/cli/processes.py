"""Child processes of `finops up`: each in its own process group, so stopping it stops its children too."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from finops.domain.errors import FinopsError
from finops.domain.redaction import redact

STOP_GRACE_SECONDS = 15.0


class ChildExited(FinopsError):
    pass


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def check_alive(self) -> None:
        code = self.process.poll()
        if code is not None:
            raise ChildExited(f"{self.name} stopped unexpectedly (exit code {code}): {self.last_words()}")

    def last_words(self, lines: int = 3) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return f"see {self.log_path}"
        tail = [line.strip() for line in text.splitlines() if line.strip()][-lines:]
        return redact(" | ".join(tail)) + f" (full log: {self.log_path})" if tail else f"see {self.log_path}"


def spawn(name: str, argv: Sequence[str], *, env: dict[str, str], log_dir: Path, cwd: Path) -> Child:
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name.replace(' ', '-')}.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
    return Child(name=name, process=process, log_path=log_path)


def stop_all(children: Sequence[Child], grace_seconds: float = STOP_GRACE_SECONDS) -> None:
    """SIGTERM every group (newest first), then SIGKILL whatever is left after the grace period."""
    running = [child for child in reversed(children) if child.process.poll() is None]
    for child in running:
        _signal_group(child, signal.SIGTERM)
    deadline = time.monotonic() + grace_seconds
    for child in running:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.process.wait(timeout=max(0.0, deadline - time.monotonic()))
    for child in children:
        # The group may outlive its leader (a grandchild that ignored SIGTERM).
        _signal_group(child, signal.SIGKILL)
        child.process.wait()


def _signal_group(child: Child, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.process.pid, signum)
