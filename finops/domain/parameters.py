"""`--param key=value` arguments: values are JSON when they parse as JSON, text otherwise."""

from __future__ import annotations

import json
from typing import Any

from finops.domain.errors import UsageError


class ParameterError(UsageError):
    pass


def parse_parameter(text: str) -> tuple[str, Any]:
    key, separator, raw = text.partition("=")
    key = key.strip()
    if not separator or not key.isidentifier():
        raise ParameterError(f"parameter {text!r} must look like name=value (name a Python identifier)")
    try:
        return key, json.loads(raw)
    except json.JSONDecodeError:
        return key, raw


def parse_parameters(texts: list[str]) -> dict[str, Any]:
    return dict(parse_parameter(text) for text in texts)
