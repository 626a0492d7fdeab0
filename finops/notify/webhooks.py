"""Webhook notifications: our JSON to any HTTP(S) receiver; Slack, Teams and other chat targets through apprise.

A URL of a chat service (hooks.slack.com, *.webhook.office.com, discord.com/api/webhooks) or of an
apprise scheme (slack://, msteams://, ...) gets the digest as text through apprise; any other
http(s) URL gets the JSON body POSTed. A webhook URL holds its own secret, so errors and logs name
only its label (scheme and host).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

import httpx

from finops.domain.errors import WebhookError

TIMEOUT_SECONDS = 10.0
_CHAT_HOSTS = ("hooks.slack.com", ".webhook.office.com", "discord.com", "discordapp.com")
# httpx logs every request's URL at INFO, and a webhook's URL is its secret.
logging.getLogger("httpx").setLevel(logging.WARNING)


def webhook_label(url: str) -> str:
    try:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.hostname or ''}"
    except ValueError:
        return "(not a URL)"


def is_chat_target(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return True
    host = (parts.hostname or "").lower()
    return any(host == known.lstrip(".") or host.endswith(known) for known in _CHAT_HOSTS)


def post_json(url: str, body: dict[str, Any], *, idempotency_key: str, timeout: float = TIMEOUT_SECONDS) -> None:
    """``idempotency_key`` is the same for a digest sent again (after a crash), so a receiver can drop the copy."""
    label = webhook_label(url)
    headers = {"User-Agent": "finops-flows", "Idempotency-Key": idempotency_key}
    try:
        response = httpx.post(url, json=body, timeout=timeout, follow_redirects=False, headers=headers)
    except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError):
        raise WebhookError(f"{label} is not a URL that can be called", transient=False) from None
    except httpx.TimeoutException:
        raise WebhookError(f"{label} did not answer within {timeout:.0f} s", transient=True) from None
    except httpx.HTTPError as error:
        raise WebhookError(f"{label} is unreachable ({type(error).__name__})", transient=True) from None
    if response.status_code == 429 or response.status_code >= 500:
        raise WebhookError(f"{label} answered {response.status_code}", transient=True)
    if not 200 <= response.status_code < 300:
        raise WebhookError(f"{label} refused the notification ({response.status_code})", transient=False)


def post_chat(url: str, title: str, text: str) -> None:
    import apprise  # only chat targets need it (it comes with Prefect)

    notifier = apprise.Apprise()
    if not notifier.add(url):
        raise WebhookError(f"{webhook_label(url)} is not a webhook URL apprise knows", transient=False)
    if not notifier.notify(title=title, body=text):
        raise WebhookError(f"{webhook_label(url)} did not take the notification", transient=True)
