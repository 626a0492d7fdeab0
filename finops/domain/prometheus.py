"""The Prometheus text exposition format (version 0.0.4): gauges with escaped label values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def gauge(name: str, help_text: str, samples: Iterable[tuple[Mapping[str, str], Decimal | int]]) -> str:
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
    for labels, value in samples:
        rendered = ",".join(f'{key}="{_escaped(text)}"' for key, text in labels.items())
        lines.append(f"{name}{{{rendered}}} {value}")
    return "\n".join(lines) + "\n"


def _escaped(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
