"""The checks a budget passes before it is stored, beyond the shape of the request: each problem names its field."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

MAX_AMOUNT = Decimal(10) ** 15
MAX_PERCENT = Decimal(10_000)  # OCI's bound: 0 < x <= 10000 %


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


@dataclass(frozen=True)
class RuleRequest:
    basis: str
    threshold_type: str
    threshold: Decimal
    notify_recovery: bool


def budget_problems(
    amount: Decimal,
    rules: Sequence[RuleRequest],
    tag_key: str | None,
    tag_value: str | None,
    webhooks: Sequence[str],
) -> list[Problem]:
    problems = []
    if not amount.is_finite() or not 0 < amount < MAX_AMOUNT:
        problems.append(Problem("amount", f"must be more than 0 and less than {MAX_AMOUNT:,}"))
    seen: set[tuple[str, str, Decimal]] = set()
    for index, rule in enumerate(rules):
        where = f"rules[{index}].threshold"
        limit = MAX_PERCENT if rule.threshold_type == "PERCENT" else MAX_AMOUNT
        if not rule.threshold.is_finite() or not 0 < rule.threshold <= limit:
            problems.append(Problem(where, f"must be more than 0 and at most {limit:,}"))
        key = (rule.basis, rule.threshold_type, rule.threshold)
        if key in seen:
            problems.append(Problem(where, "the same rule is there twice"))
        seen.add(key)
        if rule.notify_recovery and rule.basis != "FORECAST":
            problems.append(
                Problem(f"rules[{index}].notify_recovery", "only a forecast can go back under its threshold")
            )
    if (tag_key is None) != (tag_value is None):
        problems.append(
            Problem("scope.tag_value" if tag_key else "scope.tag_key", "a tag scope needs a key and a value")
        )
    for index, url in enumerate(webhooks):
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and not parts.hostname:
            problems.append(Problem(f"webhooks[{index}]", "an http(s) webhook needs a host"))
    return problems
