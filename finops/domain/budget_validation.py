"""The checks a budget passes before it is stored, beyond the shape of the request: each problem names its field.

Webhook URLs given through the API are called by the flows' workers, inside the operator's
network: they must be https (or a chat service's apprise scheme) to a host that is not an address
of this machine or of a private network. The operator's own FINOPS_ALERT_WEBHOOKS are not held to it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

MIN_AMOUNT = Decimal("0.01")
MAX_AMOUNT = Decimal(10) ** 15
MAX_PERCENT = Decimal(10_000)  # OCI's bound: 0 < x <= 10000 %
CHAT_SCHEMES = frozenset({"slack", "msteams", "discord", "mattermost", "mattermosts", "rocket", "rockets", "zulip"})


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
    provider: str | None,
    compartments: Sequence[str],
    tag: tuple[str | None, str | None],
    webhooks: Sequence[str],
) -> list[Problem]:
    problems = []
    if not _within(amount, MIN_AMOUNT, MAX_AMOUNT):
        problems.append(Problem("amount", f"must be from {MIN_AMOUNT} to {MAX_AMOUNT:,}"))
    problems += _rule_problems(rules)
    if compartments and provider not in (None, "oci"):
        problems.append(Problem("scope.compartments", "compartments are OCI's: set the provider to oci or none"))
    tag_key, tag_value = tag
    if (tag_key is None) != (tag_value is None):
        missing = "scope.tag_value" if tag_key else "scope.tag_key"
        problems.append(Problem(missing, "a tag scope needs a key and a value"))
    for index, url in enumerate(webhooks):
        reason = webhook_problem(url)
        if reason:
            problems.append(Problem(f"webhooks[{index}]", reason))
    return problems


def webhook_problem(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return "is not a URL"
    if parts.scheme in CHAT_SCHEMES:
        return None
    if parts.scheme != "https":
        return f"must be https (or one of {', '.join(sorted(CHAT_SCHEMES))}://)"
    if not host or not host.isascii():
        return "needs a host name in plain ASCII"
    if host == "localhost" or host.endswith(".localhost") or _is_internal_address(host):
        return "must not point at this machine or a private network"
    return None


def _rule_problems(rules: Sequence[RuleRequest]) -> list[Problem]:
    problems = []
    seen: set[tuple[str, str, Decimal]] = set()
    for index, rule in enumerate(rules):
        where = f"rules[{index}].threshold"
        limit = MAX_PERCENT if rule.threshold_type == "PERCENT" else MAX_AMOUNT
        if not _within(rule.threshold, MIN_AMOUNT, limit):
            problems.append(Problem(where, f"must be from {MIN_AMOUNT} to {limit:,}"))
            continue  # NaN and the like cannot be compared with the other rules
        key = (rule.basis, rule.threshold_type, rule.threshold)
        if key in seen:
            problems.append(Problem(where, "the same rule is there twice"))
        seen.add(key)
        if rule.notify_recovery and rule.basis != "FORECAST":
            problems.append(Problem(f"rules[{index}].notify_recovery", "only a forecast goes back under a threshold"))
    return problems


def _within(value: Decimal, low: Decimal, high: Decimal) -> bool:
    return value.is_finite() and low <= value <= high


def _is_internal_address(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global
