from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

FINOPS = str(Path(sys.executable).parent / "finops")
FIXTURE_PROJECT = Path(__file__).resolve().parent.parent / "fixtures" / "project"
OUR_VARIABLES = ("DATABASE_URL", "PREFECT_API_URL", "PREFECT_HOME")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def finops_env(tmp_path: Path) -> dict[str, str]:
    """A clean environment for the `finops` command: its own home, free ports, nothing inherited of ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FINOPS_") and k not in OUR_VARIABLES}
    env.update(
        {
            "FINOPS_HOME": str(tmp_path / "home"),
            "FINOPS_API_PORT": str(free_port()),
            "FINOPS_PREFECT_PORT": str(free_port()),
        }
    )
    return env


def run_finops(
    args: list[str], env: dict[str, str], cwd: Path, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run([FINOPS, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)


def meaningful_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]
