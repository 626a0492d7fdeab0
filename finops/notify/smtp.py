"""Sends a message over SMTP: STARTTLS or implicit TLS, never credentials in clear, timeouts on every call."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from pydantic import SecretStr

from finops.config import SmtpSecurity
from finops.domain.errors import ConfigError, SmtpError


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    security: SmtpSecurity = "starttls"
    timeout_seconds: float = 30.0
    ca_file: Path | None = None
    username: str | None = None
    password: SecretStr | None = None

    def __post_init__(self) -> None:
        if self.security == "none" and self.username:
            raise ConfigError("SMTP credentials are only sent over TLS: set FINOPS_SMTP_SECURITY to starttls or tls")

    def __repr__(self) -> str:
        return f"SmtpServer(host={self.host!r}, port={self.port}, security={self.security!r})"


def send(message: EmailMessage, server: SmtpServer) -> list[str]:
    """Sends the message and returns the recipients the server refused while accepting it for the others."""
    where = f"{server.host}:{server.port}"
    try:
        smtp = _connect(server)
        try:
            if server.username and server.password is not None:
                smtp.login(server.username, server.password.get_secret_value())
            refused = smtp.send_message(message)
        finally:
            _hang_up(smtp)
    except smtplib.SMTPAuthenticationError as error:
        raise SmtpError(f"{where} refused the SMTP credentials ({error.smtp_code})", transient=False) from None
    except smtplib.SMTPRecipientsRefused as error:
        codes = sorted({code for code, _ in error.recipients.values()})
        raise SmtpError(
            f"{where} refused the recipients (codes {codes})", transient=all(400 <= c < 500 for c in codes)
        ) from None
    except smtplib.SMTPResponseException as error:
        text = (
            error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else str(error.smtp_error)
        )
        raise SmtpError(f"{where} answered {error.smtp_code}: {text}", transient=400 <= error.smtp_code < 500) from None
    except ssl.SSLError as error:
        raise SmtpError(f"TLS with {where} failed: {error.reason or error}", transient=False) from None
    except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, TimeoutError, OSError) as error:
        raise SmtpError(f"{where} is unreachable ({type(error).__name__})", transient=True) from None
    except smtplib.SMTPException as error:
        raise SmtpError(f"{where}: {error}", transient=False) from None
    return sorted(refused)


def _hang_up(smtp: smtplib.SMTP) -> None:
    """Once the message is accepted, a failing QUIT must not turn into a resend."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _connect(server: SmtpServer) -> smtplib.SMTP:
    context = ssl.create_default_context(cafile=str(server.ca_file) if server.ca_file else None)
    if server.security == "tls":
        return smtplib.SMTP_SSL(server.host, server.port, timeout=server.timeout_seconds, context=context)
    smtp = smtplib.SMTP(server.host, server.port, timeout=server.timeout_seconds)
    try:
        smtp.ehlo()
        if server.security == "starttls":
            if not smtp.has_extn("starttls"):
                raise SmtpError(f"{server.host}:{server.port} does not offer STARTTLS; refusing to send in clear")
            smtp.starttls(context=context)
            smtp.ehlo()
    except BaseException:
        smtp.close()
        raise
    return smtp
