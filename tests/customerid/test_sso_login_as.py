"""Pre-selecting the login page's user (POST /__emulator/customerid/login-as, the
plugin's ``emulator.login_as`` and the ``emulator_login`` marker; docs/oauth.md):
the next authorization request of the namespace logs that user in without the page,
once; unknown users and bad bodies are refused."""

import jwt
import pytest

from tests.customerid.test_sso_code_flow import authorize, exchange, http, request_params  # noqa: F401 (a fixture)

LOGIN_AS = "/__emulator/customerid/login-as"


async def subject(emulator, http, answer, verifier: str) -> str:  # noqa: F811
    """Whom the code of a redirect back to the client was issued for (its ID token's sub)."""
    assert answer.status == 302, answer.text[:300]
    status, tokens = await exchange(emulator, http, answer.redirect()["code"], verifier)
    assert status == 200, tokens
    return jwt.decode(tokens["id_token"], options={"verify_signature": False})["sub"]


async def test_login_as_logs_the_user_in_without_the_page_once(emulator, http):  # noqa: F811
    assert await emulator.login_as("maija.virtanen") == {"username": "maija.virtanen"}
    params, verifier = request_params()
    first = await authorize(emulator, http, **params)
    assert first.status == 302 and first.redirect()["state"] == "st-1"
    assert await subject(emulator, http, first, verifier) == "maija.virtanen"
    again = await authorize(emulator, http, **{**params, "prompt": "login"})  # single use: the page is back
    assert again.status == 200 and "<form" in again.text


@pytest.mark.emulator_login("api-user")
async def test_the_marker_preselects_the_user(emulator, http):  # noqa: F811
    params, verifier = request_params()
    assert await subject(emulator, http, await authorize(emulator, http, **params), verifier) == "api-user"


async def test_login_as_none_shows_the_page_again(emulator, http):  # noqa: F811
    await emulator.login_as("maija.virtanen")
    await emulator.login_as(None)
    params, _ = request_params()
    assert (await authorize(emulator, http, **params)).status == 200


async def test_login_as_applies_to_its_namespace_only(emulator, http):  # noqa: F811
    async with http.post(
        emulator.url + LOGIN_AS, json={"username": "maija.virtanen"}, headers={"X-Emulator-Namespace": "elsewhere"}
    ) as response:
        assert response.status == 200
    params, _ = request_params()
    assert (await authorize(emulator, http, **params)).status == 200  # the page, here


@pytest.mark.parametrize(
    ("body", "status"),
    [({"username": "nobody-here"}, 404), ({"username": ""}, 400), ({"username": 5}, 400), ({}, 400), (["x"], 400)],
)
async def test_a_bad_login_as_is_refused(emulator, http, body, status):  # noqa: F811
    async with http.post(emulator.url + LOGIN_AS, json=body) as response:
        assert response.status == status and (await response.json())["error"]
    params, _ = request_params()
    assert (await authorize(emulator, http, **params)).status == 200  # nothing pre-selected
