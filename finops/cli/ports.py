"""Fails early, in one sentence, when a port we are about to listen on is taken."""

from __future__ import annotations

import errno
import socket

from finops.domain.errors import ConfigError


def ensure_port_free(host: str, port: int, setting: str) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise ConfigError(
                    f"port {port} on {host} is already in use: stop what holds it or set {setting} to a free port"
                ) from None
            raise ConfigError(f"cannot listen on {host}:{port} ({error.strerror}); check {setting}") from None
