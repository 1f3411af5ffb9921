"""The SSO's login sessions in the control API (GET /__emulator/customerid/sessions,
DELETE /__emulator/customerid/sessions/{id}; the dashboard's Sessions panel): a login
is listed with its user, clients and times; ending it makes the next authorization
(get /uas/oauth2/authorization) ask for the login again. The same routes on the DFS
identity server: tests/dfs/test_dfs_sessions.py."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest

SESSIONS = "/__emulator/customerid/sessions"
AUTHORIZE = {
    "response_type": "code",
    "client_id": "web-client",
    "redirect_uri": "http://localhost:8000/callback",
    "scope": "openid",
    "prompt": "none",
}


@pytest.fixture
async def http(emulator):
    async with aiohttp.ClientSession(headers=emulator.headers) as session:
        yield session


async def sessions(emulator, http, path=SESSIONS) -> list[dict]:
    async with http.get(emulator.url + path) as response:
        assert response.status == 200
        return (await response.json())["sessions"]


async def silent_authorization(emulator, http, cookies: dict, path="/uas/oauth2/authorization", **changes) -> dict:
    """prompt=none with the browser's cookie: what came back to the redirect URI."""
    cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    async with http.get(
        emulator.url + path, params={**AUTHORIZE, **changes}, headers={"Cookie": cookie}, allow_redirects=False
    ) as response:
        assert response.status == 302, await response.text()
        return {name: values[0] for name, values in parse_qs(urlsplit(response.headers["Location"]).query).items()}


async def test_a_login_is_listed_and_ending_it_asks_for_the_login_again(emulator, http):
    logged_in = await emulator.log_in("api-user")
    listed = await sessions(emulator, http)
    assert [(entry["username"], entry["clients"]) for entry in listed] == [("api-user", ["web-client"])]
    entry = listed[0]
    assert entry["createdAt"] <= entry["lastUsedAt"] < entry["expiresAt"]
    assert entry["id"] not in logged_in.session_cookie.values()  # the cookie's value is never shown
    assert "code" in await silent_authorization(emulator, http, logged_in.session_cookie)  # the session makes it silent
    async with http.delete(f"{emulator.url}{SESSIONS}/{entry['id']}") as response:
        assert response.status == 204
    assert await sessions(emulator, http) == []
    assert (await silent_authorization(emulator, http, logged_in.session_cookie))["error"] == "login_required"


async def test_last_used_follows_the_namespace_clock(emulator, http):
    logged_in = await emulator.log_in("api-user")
    await emulator.clock.advance(600)
    await silent_authorization(emulator, http, logged_in.session_cookie)
    (entry,) = await sessions(emulator, http)
    assert entry["lastUsedAt"] - entry["createdAt"] >= 600


async def test_ending_an_unknown_session_is_404(emulator, http):
    async with http.delete(f"{emulator.url}{SESSIONS}/no-such-session") as response:
        assert response.status == 404 and "no-such-session" in (await response.json())["error"]


async def test_sessions_are_per_namespace(emulator, http):
    await emulator.log_in("api-user")
    async with http.get(emulator.url + SESSIONS, headers={"X-Emulator-Namespace": "sessions-elsewhere"}) as response:
        assert (await response.json())["sessions"] == []


async def test_the_control_openapi_document_lists_the_session_routes(emulator, http):
    async with http.get(emulator.url + "/__emulator/openapi.json") as response:
        paths = (await response.json())["paths"]
    assert "get" in paths[SESSIONS] and "delete" in paths[SESSIONS + "/{sessionId}"]
    assert "get" in paths["/__emulator/dfs/sessions"]
