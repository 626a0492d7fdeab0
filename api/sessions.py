"""Who is calling: the session behind the cookie, with its CSRF check on every state-changing request.

Controllers that need a signed-in user declare the ``session`` dependency; it answers 401 when there
is no live session and 403 when a POST, PUT, PATCH or DELETE (or a GET that changes something) lacks
the session's CSRF token.
"""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta
from typing import Any

from litestar import Request, Response
from litestar.datastructures import Cookie, State
from litestar.di import NamedDependency, Provide

from api.errors import ApiError
from finops.config import Settings
from finops.db.sessions import Session, resume_session

COOKIE = "finops_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def idle_timeout(settings: Settings) -> timedelta:
    return timedelta(minutes=settings.session_idle_minutes)


def expires_at(last_seen_at: datetime, settings: Settings) -> datetime:
    return last_seen_at + idle_timeout(settings)


async def current_session(request: Request[Any, Any, State], settings: NamedDependency[Settings]) -> Session:
    return await _session(request, settings, changes_state=request.method not in SAFE_METHODS)


async def session_for_a_change(request: Request[Any, Any, State], settings: NamedDependency[Settings]) -> Session:
    """For a GET that changes something (loading a quote activates it): the CSRF token is required too."""
    return await _session(request, settings, changes_state=True)


async def _session(request: Request[Any, Any, State], settings: Settings, *, changes_state: bool) -> Session:
    token = request.cookies.get(COOKIE)
    if not token:
        raise ApiError(401, "not_signed_in", "sign in first")
    async with request.app.state.pool.connection() as conn:
        session = await resume_session(conn, token, idle_timeout(settings))
    if session is None:
        raise ApiError(401, "session_expired", "the session has expired: sign in again")
    if changes_state:
        sent = request.headers.get(CSRF_HEADER) or ""
        if not hmac.compare_digest(sent.encode(), session.csrf_token.encode()):
            raise ApiError(403, "csrf_token_missing", f"send the session's CSRF token in the {CSRF_HEADER} header")
    return session


SESSION_DEPENDENCY = {"session": Provide(current_session)}
CHANGING_SESSION_DEPENDENCY = {"session": Provide(session_for_a_change)}


def session_cookie(token: str, request: Request[Any, Any, Any], settings: Settings) -> Cookie:
    secure = settings.session_cookie_secure
    if secure is None:
        secure = request.url.scheme == "https"
    return Cookie(key=COOKIE, value=token, path="/", httponly=True, samesite="lax", secure=secure)


def forget_cookie(response: Response[Any]) -> None:
    response.delete_cookie(COOKIE, path="/")
