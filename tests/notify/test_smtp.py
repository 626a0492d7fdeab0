"""Sending over a real SMTP server that requires STARTTLS and AUTH."""

from __future__ import annotations

import socket
from email.message import EmailMessage

import pytest
from pydantic import SecretStr

from finops.domain.errors import ConfigError, SmtpError
from finops.notify.smtp import SmtpServer, send
from tests.emulators.certificates import CertificatePair
from tests.emulators.smtp import MailServer


def a_message() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "reports@tenant.example"
    message["To"] = "finops@tenant.example"
    message["Subject"] = "hello"
    message["Message-ID"] = "<abc@finops-flows>"
    message.set_content("body")
    return message


def server_for(mail: MailServer, cert: CertificatePair, **overrides: object) -> SmtpServer:
    values: dict[str, object] = {
        "host": "127.0.0.1",
        "port": mail.port,
        "security": "starttls",
        "timeout_seconds": 5,
        "ca_file": cert.certificate,
        "username": mail.username,
        "password": SecretStr(mail.password),
    }
    values.update(overrides)
    return SmtpServer(**values)  # type: ignore[arg-type]


def test_a_message_goes_through_starttls_and_auth(mail_server: MailServer, tls_certificate: CertificatePair) -> None:
    send(a_message(), server_for(mail_server, tls_certificate))
    assert [m["Message-ID"] for m in mail_server.messages] == ["<abc@finops-flows>"]


def test_wrong_credentials_are_a_permanent_smtp_error(
    mail_server: MailServer, tls_certificate: CertificatePair
) -> None:
    with pytest.raises(SmtpError, match="refused the SMTP credentials") as raised:
        send(a_message(), server_for(mail_server, tls_certificate, password=SecretStr("wrong")))
    assert raised.value.transient is False
    assert "wrong" not in str(raised.value)
    assert mail_server.messages == []


def test_a_4xx_reply_is_transient(mail_server: MailServer, tls_certificate: CertificatePair) -> None:
    mail_server.refuse_next(1)
    with pytest.raises(SmtpError, match="421") as raised:
        send(a_message(), server_for(mail_server, tls_certificate))
    assert raised.value.transient is True


def test_a_5xx_reply_is_permanent(mail_server: MailServer, tls_certificate: CertificatePair) -> None:
    mail_server.refuse_next(1, "554 5.7.1 Message rejected")
    with pytest.raises(SmtpError, match="554") as raised:
        send(a_message(), server_for(mail_server, tls_certificate))
    assert raised.value.transient is False


def test_an_untrusted_certificate_is_refused(mail_server: MailServer, tls_certificate: CertificatePair) -> None:
    with pytest.raises(SmtpError, match="TLS"):
        send(a_message(), server_for(mail_server, tls_certificate, ca_file=None))
    assert mail_server.messages == []


def test_a_server_that_is_down_is_transient(tls_certificate: CertificatePair) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    down = SmtpServer(host="127.0.0.1", port=port, timeout_seconds=2, ca_file=tls_certificate.certificate)
    with pytest.raises(SmtpError, match="unreachable") as raised:
        send(a_message(), down)
    assert raised.value.transient is True


def test_credentials_are_never_sent_without_tls() -> None:
    with pytest.raises(ConfigError, match="only sent over TLS"):
        SmtpServer(host="127.0.0.1", port=25, security="none", username="u", password=SecretStr("p"))


def test_the_password_stays_out_of_the_server_description(
    mail_server: MailServer, tls_certificate: CertificatePair
) -> None:
    described = repr(server_for(mail_server, tls_certificate)) + str(server_for(mail_server, tls_certificate))
    assert mail_server.password not in described
