"""A real SMTP server (aiosmtpd) that demands STARTTLS before AUTH, and keeps what it receives."""

from __future__ import annotations

import socket
import ssl
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.emulators.certificates import CertificatePair


@dataclass
class MailServer:
    certificate: CertificatePair
    username: str
    password: str
    messages: list[EmailMessage] = field(default_factory=list)
    refusals_left: int = 0
    refusal: str = "421 4.3.0 Service not available, try again later"
    failed_logins: int = 0
    _controller: Controller | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def port(self) -> int:
        assert self._controller is not None
        return int(self._controller.port)

    def start(self, port: int | None = None) -> MailServer:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.certificate.certificate, self.certificate.private_key)
        self._controller = Controller(
            self,
            hostname="127.0.0.1",
            port=port or _free_port(),
            tls_context=context,
            require_starttls=True,
            auth_required=True,
            auth_require_tls=True,
            authenticator=self._authenticate,
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller:
            self._controller.stop()

    def refuse_next(self, count: int, reply: str | None = None) -> None:
        """The next ``count`` messages are answered with a transient 421 (or ``reply``)."""
        self.refusals_left = count
        if reply:
            self.refusal = reply

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd hook name
        with self._lock:
            if self.refusals_left > 0:
                self.refusals_left -= 1
                return self.refusal
            parsed = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
            assert isinstance(parsed, EmailMessage)
            self.messages.append(parsed)
        return "250 2.0.0 OK"

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            ok = auth_data.login.decode() == self.username and auth_data.password.decode() == self.password
            if not ok:
                self.failed_logins += 1
            return AuthResult(success=ok, handled=False)
        return AuthResult(success=False, handled=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
