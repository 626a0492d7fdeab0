"""Rewrites `[tool.uv] constraint-dependencies` in pyproject.toml from a fresh `uv pip compile`.

uv.lock records download addresses and stays out of git, so the resolved versions live here instead.
Run: uv run python .ci/pin_versions.py   (then `uv sync` and the tests)
"""

import re
import subprocess
import sys
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
BLOCK = re.compile(r"(?ms)^\[tool\.uv\]\n.*?(?=^\[|\Z)")


def compile_pins(*requirements: str) -> list[str]:
    output = subprocess.run(
        [
            "uv",
            "pip",
            "compile",
            *requirements,
            "--universal",
            "--python-version",
            "3.11",
            "--no-header",
            "--no-annotate",
            "--quiet",
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=PYPROJECT.parent,
    ).stdout
    return [line.strip() for line in output.splitlines() if line.strip() and not line.startswith("#")]


def main() -> None:
    runtime = compile_pins("pyproject.toml", "--group", "pyproject.toml:dev")
    build = subprocess.run(
        ["uv", "pip", "compile", "-", "--python-version", "3.11", "--no-header", "--no-annotate", "--quiet"],
        input="hatchling\n",
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    if any("://" in pin for pin in runtime + build):
        sys.exit("a resolved requirement records an address; pin it by version instead")
    block = "[tool.uv]\nconstraint-dependencies = [\n" + "".join(f'    "{pin}",\n' for pin in runtime) + "]\n"
    block += "build-constraint-dependencies = [\n" + "".join(f'    "{pin}",\n' for pin in build) + "]\n\n"
    text = PYPROJECT.read_text()
    text = BLOCK.sub(block, text) if BLOCK.search(text) else text.rstrip() + "\n\n" + block
    PYPROJECT.write_text(text.rstrip() + "\n")
    print(f"pinned {len(runtime)} packages and {len(build)} build packages")


if __name__ == "__main__":
    main()
