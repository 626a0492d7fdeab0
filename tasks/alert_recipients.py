"""Who is told of drift and anomaly findings: the operator's FINOPS_ALERT_EMAILS and FINOPS_ALERT_WEBHOOKS."""

from __future__ import annotations

from finops.config import Settings
from finops.db.alerts import Recipients
from finops.notify.webhooks import webhook_label
from finops.secret_box import SecretBox


def operator_recipients(settings: Settings) -> Recipients:
    urls = [url.get_secret_value() for url in settings.alert_webhooks]
    if not urls:
        return Recipients(tuple(settings.alert_emails))
    box = SecretBox.from_settings(settings)
    return Recipients(tuple(settings.alert_emails), tuple((box.seal(url), webhook_label(url)) for url in urls))
