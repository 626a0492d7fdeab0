"""Sign-in with Outscale keys (checked by the real SDK against the emulator) or a local password, sessions, CSRF."""

from __future__ import annotations

import asyncio
import logging

import psycopg
import pytest

from finops.db.users import add_local_user
from finops.passwords import hash_password
from tests.api.conftest import ClientFactory, sign_in
from tests.emulators.outscale import OutscaleEmulator


def outscale_settings(outscale: OutscaleEmulator) -> dict[str, str]:
    return {"outscale_endpoint": outscale.endpoint}


def all_stored_text(dsn: str) -> str:
    with psycopg.connect(dsn) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        ).fetchall()
        return "\n".join(
            str(conn.execute(f'SELECT * FROM "{name}"').fetchall())  # noqa: S608 - names from the catalog
            for (name,) in tables
        )


async def test_outscale_keys_open_a_session_cookie_and_the_secret_key_is_kept_nowhere(
    api_client_for: ClientFactory, migrated_dsn: str, outscale: OutscaleEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with api_client_for(migrated_dsn, None, **outscale_settings(outscale)) as client:
        login = await client.post(
            "/api/auth/login",
            json={"access_key": outscale.access_key, "secret_key": outscale.secret_key, "region": "eu-west-2"},
        )
        me = await client.get("/api/auth/me")
    assert login.status_code == 200, login.text
    cookie = login.headers["set-cookie"]
    assert "finops_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain HTTP in the test; see the next test for HTTPS
    assert me.status_code == 200
    user = me.json()["data"]["user"]
    assert (user["kind"], user["login"], user["region"]) == ("outscale", outscale.account_id, "eu-west-2")
    assert me.json()["data"]["csrf_token"] == login.json()["data"]["csrf_token"]
    for place in (login.text, me.text, caplog.text, all_stored_text(migrated_dsn)):
        assert outscale.secret_key not in place
    session_token = cookie.split("finops_session=", 1)[1].split(";", 1)[0]
    assert session_token not in all_stored_text(migrated_dsn)  # only its hash


async def test_the_cookie_is_secure_when_asked(
    api_client_for: ClientFactory, migrated_dsn: str, outscale: OutscaleEmulator
) -> None:
    async with api_client_for(migrated_dsn, None, session_cookie_secure=True, **outscale_settings(outscale)) as client:
        response = await client.post(
            "/api/auth/login",
            json={"access_key": outscale.access_key, "secret_key": outscale.secret_key, "region": "eu-west-2"},
        )
    assert "Secure" in response.headers["set-cookie"]


async def test_wrong_keys_are_refused_and_the_sixth_bad_sign_in_in_a_minute_gets_429(
    api_client_for: ClientFactory, migrated_dsn: str, outscale: OutscaleEmulator
) -> None:
    wrong = {"access_key": outscale.access_key, "secret_key": "not-the-secret", "region": "eu-west-2"}
    right = {**wrong, "secret_key": outscale.secret_key}
    async with api_client_for(migrated_dsn, None, **outscale_settings(outscale)) as client:
        statuses = [(await client.post("/api/auth/login", json=wrong)).status_code for _ in range(5)]
        sixth = await client.post("/api/auth/login", json=right)
    assert statuses == [401] * 5
    assert sixth.status_code == 429
    assert sixth.json()["error"]["code"] == "too_many_attempts"
    assert sixth.headers["retry-after"] == "60"
    assert outscale.calls("ReadAccounts").count(401) == 5  # the sixth never reached Outscale


async def test_an_unknown_region_is_a_422_naming_the_field(
    api_client_for: ClientFactory, migrated_dsn: str, outscale: OutscaleEmulator
) -> None:
    async with api_client_for(migrated_dsn, None, **outscale_settings(outscale)) as client:
        response = await client.post(
            "/api/auth/login", json={"access_key": "AK", "secret_key": "SK", "region": "eu-west-3"}
        )
    assert response.status_code == 422
    assert [detail["field"] for detail in response.json()["error"]["details"]] == ["region"]


async def test_logout_needs_the_csrf_token_and_ends_the_session(
    api_client_for: ClientFactory, migrated_dsn: str, outscale: OutscaleEmulator
) -> None:
    async with api_client_for(migrated_dsn, None, **outscale_settings(outscale)) as client:
        csrf = await sign_in(client, outscale.access_key, outscale.secret_key)
        without_token = await client.post("/api/auth/logout")
        still_in = await client.get("/api/auth/me")
        logout = await client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})
        after = await client.get("/api/auth/me")
    assert without_token.status_code == 403
    assert without_token.json()["error"]["code"] == "csrf_token_missing"
    assert still_in.status_code == 200
    assert logout.status_code == 200
    assert after.status_code == 401


async def test_a_session_idle_past_the_timeout_gets_401(
    api_client_for: ClientFactory, migrated_dsn: str, outscale: OutscaleEmulator
) -> None:
    async with api_client_for(migrated_dsn, None, **outscale_settings(outscale)) as client:
        await sign_in(client, outscale.access_key, outscale.secret_key)
        with psycopg.connect(migrated_dsn) as conn:
            conn.execute("UPDATE sessions SET last_seen_at = now() - interval '31 minutes'")
        expired = await client.get("/api/auth/me")
        client.cookies.clear()
        no_cookie = await client.get("/api/auth/me")
    assert expired.status_code == 401
    assert expired.json()["error"]["code"] == "session_expired"
    assert no_cookie.json()["error"]["code"] == "not_signed_in"


async def test_local_users_sign_in_with_their_password_only(api_client_for: ClientFactory, migrated_dsn: str) -> None:
    with psycopg.connect(migrated_dsn) as conn:
        add_local_user(conn, "analyst", hash_password("correct horse battery"))
    async with api_client_for(migrated_dsn, None) as client:
        wrong = await client.post("/api/auth/login/local", json={"username": "analyst", "password": "wrong one!"})
        unknown = await client.post("/api/auth/login/local", json={"username": "nobody", "password": "whatever"})
        right = await client.post(
            "/api/auth/login/local", json={"username": "analyst", "password": "correct horse battery"}
        )
        me = await client.get("/api/auth/me")
    assert (wrong.status_code, unknown.status_code) == (401, 401)
    assert wrong.json()["error"]["message"] == unknown.json()["error"]["message"]  # no hint which one exists
    assert right.status_code == 200
    assert me.json()["data"]["user"]["login"] == "analyst"
    assert "correct horse battery" not in all_stored_text(migrated_dsn)


async def test_a_burst_of_bad_sign_ins_cannot_slip_past_the_limit(
    api_client_for: ClientFactory, migrated_dsn: str, outscale: OutscaleEmulator
) -> None:
    wrong = {"access_key": outscale.access_key, "secret_key": "not-the-secret", "region": "eu-west-2"}
    async with api_client_for(migrated_dsn, None, **outscale_settings(outscale)) as client:
        answers = await asyncio.gather(*(client.post("/api/auth/login", json=wrong) for _ in range(12)))
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [401] * 5 + [429] * 7
    assert len(outscale.calls("ReadAccounts")) == 5


async def test_bad_sign_ins_count_per_client_whatever_the_user_name(
    api_client_for: ClientFactory, migrated_dsn: str
) -> None:
    with psycopg.connect(migrated_dsn) as conn:
        add_local_user(conn, "analyst", hash_password("correct horse battery"))
    async with api_client_for(migrated_dsn, None) as client:
        guesses = [
            await client.post("/api/auth/login/local", json={"username": f"user{n}", "password": "guess"})
            for n in range(5)
        ]
        right_but_late = await client.post(
            "/api/auth/login/local", json={"username": "analyst", "password": "correct horse battery"}
        )
    assert [guess.status_code for guess in guesses] == [401] * 5
    assert right_but_late.status_code == 429
