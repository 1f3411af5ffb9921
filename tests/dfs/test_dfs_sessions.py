"""The DFS identity server's login sessions in the control API (GET
/__emulator/dfs/sessions, DELETE /__emulator/dfs/sessions/{id}): ending one makes the
next authorization at get /connect/authorize ask for the login again."""

from __future__ import annotations

import aiohttp

from tests.customerid.test_sso_sessions import silent_authorization

SESSIONS = "/__emulator/dfs/sessions"
WEB = {"client_id": "dfs-web-client", "redirect_uri": "http://localhost:8000/callback", "scope": "openid DfsAdmin"}


async def test_a_dfs_login_is_listed_and_can_be_ended(emulator):
    logged_in = await emulator.log_in(
        "sconnor",
        client_id="dfs-web-client",
        client_secret="dfs-web-client-secret",
        scope="openid profile DfsAdmin",
        issuer_path="",
    )
    async with aiohttp.ClientSession(headers=emulator.headers) as http:
        async with http.get(emulator.url + SESSIONS) as response:
            (entry,) = (await response.json())["sessions"]
        assert entry["username"] == "sconnor" and entry["clients"] == ["dfs-web-client"]
        assert "code" in await silent_authorization(
            emulator, http, logged_in.session_cookie, "/connect/authorize", **WEB
        )
        async with http.delete(f"{emulator.url}{SESSIONS}/{entry['id']}") as response:
            assert response.status == 204
        back = await silent_authorization(emulator, http, logged_in.session_cookie, "/connect/authorize", **WEB)
        assert back["error"] == "login_required"
        async with http.delete(f"{emulator.url}{SESSIONS}/{entry['id']}") as response:
            assert response.status == 404
