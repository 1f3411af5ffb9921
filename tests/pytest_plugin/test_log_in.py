"""emulator.log_in: a user logged in through the SSO's code flow without a browser
(emulator/pytest_plugin/codeflow.py), and what it refuses."""

from __future__ import annotations

import aiohttp
import pytest

from emulator.pytest_plugin.codeflow import LoginFailed
from tests.support.customerid import MAIJA


async def test_log_in_gives_tokens_that_call_get105(emulator):
    logged_in = await emulator.log_in("api-user")
    assert logged_in.id_token and logged_in.tokens["refresh_token"] and logged_in.session_cookie
    async with (
        aiohttp.ClientSession() as http,
        http.get(
            emulator.customerid_url() + f"/users/{MAIJA}", headers={**emulator.headers, **logged_in.bearer_headers}
        ) as response,
    ):  # GET105
        assert response.status == 200
    operations = [entry["operation"] for entry in await emulator.requests()]
    assert "post /uas/oauth2/token" in operations and operations[-1] == "GET105"


async def test_log_in_as_a_public_client_and_a_directory_user(emulator):
    logged_in = await emulator.log_in(
        "maija.virtanen", client_id="spa-client", client_secret=None, redirect_uri="http://localhost:3000/callback"
    )
    assert logged_in.tokens["scope"] == "openid userinfo customerid-api"


@pytest.mark.parametrize(
    "username, options",
    [
        ("nobody", {}),
        ("api-user", {"client_secret": "wrong"}),
        ("api-user", {"client_id": "no-such-client"}),
    ],
)
async def test_log_in_failures_say_why(emulator, username, options):
    with pytest.raises(LoginFailed):
        await emulator.log_in(username, **options)


def test_log_in_from_sync_tests(emulator_sync):
    assert emulator_sync.log_in("api-user").access_token
