"""The database credentials kept as one secret: JSON {"host", "port", "dbname", "username", "password"}.

That is the shape Oracle's serverless cost loaders keep in OCI Vault, so an existing secret can be
reused as it is. Errors name the missing or wrong key, never a value.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from finops.domain.errors import ConfigError

REQUIRED_KEYS = ("host", "dbname", "username", "password")
DEFAULT_PORT = 5432


def dsn_from_secret(content: str) -> str:
    try:
        document = json.loads(content)
    except ValueError:
        raise ConfigError(
            "the database secret is not JSON; it must hold host, port, dbname, username, password"
        ) from None
    if not isinstance(document, dict):
        raise ConfigError("the database secret must be a JSON object with host, port, dbname, username, password")
    missing = [key for key in REQUIRED_KEYS if not isinstance(document.get(key), str) or not document[key]]
    if missing:
        raise ConfigError(f"the database secret lacks {', '.join(missing)} (or they are not text)")
    port = document.get("port", DEFAULT_PORT)
    if isinstance(port, str) and port.isdigit():
        port = int(port)
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        raise ConfigError("the database secret's port must be a number between 1 and 65535")
    user = quote(document["username"], safe="")
    password = quote(document["password"], safe="")
    host = document["host"]
    if host.startswith("/"):
        host = quote(host, safe="")  # a Unix socket folder
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address
    return f"postgresql://{user}:{password}@{host}:{port}/{quote(document['dbname'], safe='')}"
