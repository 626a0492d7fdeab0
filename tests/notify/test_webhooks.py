"""Webhook notifications against a real receiver on loopback: our JSON, apprise's chat path, and errors that
name the receiver without its secret."""

from __future__ import annotations

import socket

import pytest

from finops.domain.errors import WebhookError
from finops.notify.webhooks import is_chat_target, post_chat, post_json, webhook_label
from tests.emulators.webhooks import WebhookReceiver


@pytest.mark.parametrize(
    ("url", "chat"),
    [
        ("https://hooks.slack.com/services/T0/B0/secret", True),
        ("https://acme.webhook.office.com/webhookb2/secret", True),
        ("https://discord.com/api/webhooks/1/secret", True),
        ("slack://T0/B0/secret", True),
        ("https://receiver.example.com/finops", False),
        ("https://notslack.com.example/hooks.slack.com", False),
    ],
)
def test_chat_services_go_through_apprise_and_other_urls_get_our_json(url: str, chat: bool) -> None:
    assert is_chat_target(url) is chat


def test_a_label_keeps_scheme_and_host_only() -> None:
    assert webhook_label("https://user:pw@hooks.slack.com:443/services/T0/B0/s3cret?x=1") == "https://hooks.slack.com"


def test_the_json_body_reaches_the_receiver(webhook_receiver: WebhookReceiver) -> None:
    post_json(webhook_receiver.url, {"schema": "finops-flows.alerts/1", "alerts": []}, idempotency_key="k1")
    assert webhook_receiver.bodies == [{"schema": "finops-flows.alerts/1", "alerts": []}]
    assert webhook_receiver.paths == ["/hooks/T0KEN-s3cret-path"]
    assert webhook_receiver.idempotency_keys == ["k1"]


def test_a_503_is_transient_and_names_only_the_host(webhook_receiver: WebhookReceiver) -> None:
    webhook_receiver.fail_next(1)
    with pytest.raises(WebhookError) as raised:
        post_json(webhook_receiver.url, {}, idempotency_key="k1")
    assert raised.value.transient and "answered 503" in raised.value.message
    assert "s3cret" not in raised.value.message


def test_a_receiver_that_is_not_there_is_transient() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(WebhookError) as raised:
        post_json(f"http://127.0.0.1:{port}/hook/s3cret", {}, idempotency_key="k1", timeout=2)
    assert raised.value.transient and "s3cret" not in raised.value.message


def test_a_chat_target_gets_the_digest_as_text_through_apprise(webhook_receiver: WebhookReceiver) -> None:
    # apprise's json:// target posts {"title", "message", ...}: the same path Slack and Teams URLs take.
    target = webhook_receiver.url.replace("http://", "json://")
    post_chat(target, "[finops] Budget prod: actual 80 % crossed", "- The actual spend of budget prod reached ...")
    (body,) = webhook_receiver.bodies
    assert body["title"] == "[finops] Budget prod: actual 80 % crossed"
    assert body["message"].startswith("- The actual spend of budget prod")


def test_an_unknown_scheme_is_refused_without_retry() -> None:
    with pytest.raises(WebhookError) as raised:
        post_chat("nosuchscheme://x/secret", "t", "b")
    assert not raised.value.transient


def test_a_url_httpx_cannot_call_is_a_clear_refusal() -> None:
    with pytest.raises(WebhookError) as raised:
        post_json("http://exa\u00admple.com/s3cret", {}, idempotency_key="k1")
    assert not raised.value.transient and "s3cret" not in raised.value.message
