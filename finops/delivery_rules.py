"""The delivery rules in force: FINOPS_DELIVERY_RULES, or the seed's single-rule variables."""

from __future__ import annotations

from finops.config import Settings
from finops.domain.delivery import DEFAULT_PATTERN, DEFAULT_SUBJECT, DeliveryRule, SourceLocation
from finops.domain.errors import ConfigError

SEED_RULE_NAME = "default"


def delivery_rules(settings: Settings) -> list[DeliveryRule]:
    rules = [
        DeliveryRule(
            name=entry.name,
            source=SourceLocation.parse(entry.source),
            recipients=tuple(entry.recipients),
            sender=entry.sender,
            pattern=entry.pattern,
            subject_template=entry.subject,
        )
        for entry in settings.delivery_rules
    ]
    seed = _seed_rule(settings)
    if seed:
        rules.append(seed)
    names = [rule.name for rule in rules]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ConfigError(f"delivery rule names must be unique, repeated: {', '.join(repeated)}")
    return rules


def _seed_rule(settings: Settings) -> DeliveryRule | None:
    seed = {
        "BUCKET_NAME": settings.bucket_name,
        "NAMESPACE": settings.namespace,
        "EMAIL_FROM": settings.email_from,
        "EMAIL_TO": settings.email_to,
    }
    if not any(seed.values()):
        return None
    missing = [name for name, value in seed.items() if not value]
    if missing:
        raise ConfigError(f"the single-rule shortcut needs {', '.join(missing)} as well")
    return DeliveryRule(
        name=SEED_RULE_NAME,
        source=SourceLocation("oci", str(settings.namespace), str(settings.bucket_name), ""),
        recipients=tuple(address.strip() for address in str(settings.email_to).split(",") if address.strip()),
        sender=str(settings.email_from),
        pattern=DEFAULT_PATTERN,
        subject_template=DEFAULT_SUBJECT,
    )
