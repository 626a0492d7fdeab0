"""Sign-in with Outscale keys or as a local user, sign-out, and who is signed in.

The Outscale secret key is used for one ReadAccounts call and never stored. Bad sign-ins are
counted per client address and per key; past the limit a minute, the answer is 429 whatever the keys.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

import anyio
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody

from api.errors import ApiError
from api.schemas.auth import LocalLogin, OutscaleLogin, SessionInfo, SignedInUser
from api.schemas.envelope import Envelope, ErrorEnvelope
from api.sessions import (
    COOKIE,
    SESSION_DEPENDENCY,
    current_session,
    expires_at,
    forget_cookie,
    idle_timeout,
    session_cookie,
)
from finops.clouds.outscale.api import OutscaleApi
from finops.config import Settings
from finops.db.sessions import Session, claim_attempt, close_session, forget_idle_sessions, forgive, open_session
from finops.db.users import User, local_user_and_hash, mark_signed_in, outscale_user
from finops.domain.errors import AuthError, CloudError
from finops.passwords import check_password

FAILURE_WINDOW = timedelta(minutes=1)
FAILURE_MEMORY = timedelta(hours=1)
REFUSED = {
    401: ResponseSpec(data_container=ErrorEnvelope, description="The keys or the password are wrong"),
    429: ResponseSpec(data_container=ErrorEnvelope, description="Too many bad sign-ins in the last minute"),
}


class AuthController(Controller):
    path = "/api/auth"
    tags = ["auth"]

    @post(
        "/login",
        operation_id="loginWithOutscaleKeys",
        summary="Sign in with an Outscale access key and secret key, checked for the region",
        status_code=200,
        responses={**REFUSED, 503: ResponseSpec(data_container=ErrorEnvelope, description="Outscale does not answer")},
    )
    async def login(
        self, request: Request[Any, Any, State], data: JSONBody[OutscaleLogin], settings: NamedDependency[Settings]
    ) -> Response[Envelope[SessionInfo]]:
        attempt = await _attempt(request, [_client(request), "key:" + _digest(data.access_key)], settings)
        try:
            account_id = await anyio.to_thread.run_sync(_account_of, data, settings.outscale_endpoint)
        except AuthError:
            raise ApiError(401, "invalid_credentials", f"Outscale refused these keys for {data.region}") from None
        except CloudError:
            await _forgive(request, attempt)
            raise ApiError(503, "outscale_unavailable", "Outscale did not answer: try again in a moment") from None
        async with request.app.state.pool.connection() as conn:
            await forgive(conn, attempt)
            user = await outscale_user(conn, account_id)
        return await _signed_in(request, user, data.region, settings)

    @post(
        "/login/local",
        operation_id="loginAsLocalUser",
        summary="Sign in as a local user (made with `finops users add`)",
        status_code=200,
        responses=REFUSED,
    )
    async def login_local(
        self, request: Request[Any, Any, State], data: JSONBody[LocalLogin], settings: NamedDependency[Settings]
    ) -> Response[Envelope[SessionInfo]]:
        attempt = await _attempt(request, [_client(request), "user:" + _digest(data.username.lower())], settings)
        async with request.app.state.pool.connection() as conn:
            found = await local_user_and_hash(conn, data.username)
        user, stored_hash = found if found else (None, None)
        matches, fresh_hash = await anyio.to_thread.run_sync(check_password, stored_hash, data.password)
        if user is None or not matches:
            raise ApiError(401, "invalid_credentials", "unknown user or wrong password")
        async with request.app.state.pool.connection() as conn:
            await forgive(conn, attempt)
            await mark_signed_in(conn, user, fresh_hash)
        return await _signed_in(request, user, None, settings)

    @post(
        "/logout",
        operation_id="logout",
        summary="End the session",
        status_code=200,
        dependencies=SESSION_DEPENDENCY,
    )
    async def logout(
        self, request: Request[Any, Any, State], session: NamedDependency[Session]
    ) -> Response[Envelope[dict[str, bool]]]:
        async with request.app.state.pool.connection() as conn:
            await close_session(conn, request.cookies[COOKIE])
        response = Response(Envelope(data={"signed_out": True}))
        forget_cookie(response)
        return response

    @get(
        "/me",
        operation_id="getSession",
        summary="The signed-in user and the CSRF token",
        dependencies=SESSION_DEPENDENCY,
    )
    async def me(self, session: NamedDependency[Session], settings: NamedDependency[Settings]) -> Envelope[SessionInfo]:
        return Envelope(data=_info(session.user, session.region, session.csrf_token, session.last_seen_at, settings))

    @get(
        "/session",
        operation_id="getSessionIfAny",
        summary="The signed-in user and the CSRF token, or null when signed out (never a 401)",
    )
    async def session_if_any(
        self, request: Request[Any, Any, State], settings: NamedDependency[Settings]
    ) -> Envelope[SessionInfo | None]:
        try:
            session = await current_session(request, settings)
        except ApiError:
            return Envelope(data=None)
        return Envelope(data=_info(session.user, session.region, session.csrf_token, session.last_seen_at, settings))


def _account_of(login: OutscaleLogin, endpoint_template: str) -> str:
    with OutscaleApi(login.access_key, login.secret_key, login.region, endpoint_template) as api:
        return api.account_id()


async def _signed_in(
    request: Request[Any, Any, State], user: User, region: str | None, settings: Settings
) -> Response[Envelope[SessionInfo]]:
    token, csrf_token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    async with request.app.state.pool.connection() as conn:
        await forget_idle_sessions(conn, idle_timeout(settings))
        last_seen_at = await open_session(conn, user, token, csrf_token, region)
    info = _info(user, region, csrf_token, last_seen_at, settings)
    return Response(Envelope(data=info), cookies=[session_cookie(token, request, settings)])


def _info(user: User, region: str | None, csrf_token: str, last_seen_at: datetime, settings: Settings) -> SessionInfo:
    return SessionInfo(
        user=SignedInUser(id=user.id, kind=user.kind, login=user.login, region=region),  # type: ignore[arg-type]
        csrf_token=csrf_token,
        expires_at=expires_at(last_seen_at, settings),
    )


async def _attempt(request: Request[Any, Any, State], subjects: list[str], settings: Settings) -> list[int]:
    async with request.app.state.pool.connection() as conn:
        attempt = await claim_attempt(
            conn, subjects, FAILURE_WINDOW, settings.login_failures_per_minute, FAILURE_MEMORY
        )
    if attempt is None:
        raise ApiError(429, "too_many_attempts", "too many bad sign-ins: wait a minute", headers={"Retry-After": "60"})
    return attempt


async def _forgive(request: Request[Any, Any, State], attempt: list[int]) -> None:
    async with request.app.state.pool.connection() as conn:
        await forgive(conn, attempt)


def _client(request: Request[Any, Any, Any]) -> str:
    return "client:" + (request.client.host if request.client else "unknown")


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()
