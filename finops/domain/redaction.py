"""Masks credentials in text before it reaches a log, an error or the terminal."""

from __future__ import annotations

import re
from urllib.parse import SplitResult, urlsplit, urlunsplit

MASK = "***"

_URL_PASSWORD = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^:/@\s]*):(?P<password>[^@\s]+)@")
_KEY_VALUE_SECRET = re.compile(
    r"(?P<key>\b(?:password|passwd|pwd|secret|secret_key|token|api_key|access_token)\b['\"]?\s*[=:]\s*)"
    r"(?P<quote>['\"]?)(?P<value>[^'\"\s&,;]+)(?P=quote)",
    re.IGNORECASE,
)
_QUERY_PASSWORD = re.compile(r"(?P<key>[?&]password=)(?P<value>[^&\s]+)", re.IGNORECASE)


def mask_url_password(url: str) -> str:
    """The URL with its password (user-info or ``password=`` query parameter) replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password:
        user_info, _, host = parts.netloc.rpartition("@")
        user = user_info.split(":", 1)[0]
        url = urlunsplit(SplitResult(parts.scheme, f"{user}:{MASK}@{host}", parts.path, parts.query, parts.fragment))
    url = _QUERY_PASSWORD.sub(lambda m: m["key"] + MASK, url)
    # libpq's key=value form: "host=db user=app password=secret".
    return _KEY_VALUE_SECRET.sub(lambda m: f"{m['key']}{m['quote']}{MASK}{m['quote']}", url)


def redact(text: str) -> str:
    """Text with URL passwords and ``key=value`` secrets masked."""
    text = _URL_PASSWORD.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", text)
    text = _QUERY_PASSWORD.sub(lambda m: m["key"] + MASK, text)
    return _KEY_VALUE_SECRET.sub(lambda m: f"{m['key']}{m['quote']}{MASK}{m['quote']}", text)
