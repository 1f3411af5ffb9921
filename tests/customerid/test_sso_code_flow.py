"""The SSO's authorization-code flow over HTTP: "get|post /uas/oauth2/authorization"
(RFC 6749 4.1, PKCE RFC 7636, OpenID Connect Core 3.1), the login page, the
"post /uas/oauth2/token" authorization_code grant, "post /uas/oauth2/revocation"
(RFC 7009), "get /uas/oauth2/logout" (RP-initiated logout), tokens that follow the
directory, and GET105 with the token a logged-in API user gets."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from urllib.parse import parse_qs, urlsplit

import aiohttp
import jwt
import pytest

from tests.support.customerid import MAIJA

SPA = {"client_id": "spa-client", "redirect_uri": "http://localhost:3000/callback"}
WEB = {"client_id": "web-client", "redirect_uri": "http://localhost:8000/callback"}
WEB_AUTH = {"Authorization": aiohttp.encode_basic_auth("web-client", "web-client-secret")}
RESOURCE_SERVER = {"Authorization": aiohttp.encode_basic_auth("customerid-api", "customerid-api-secret")}
SCOPE = "openid userinfo customerid-api"


def pkce(method: str = "S256") -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    if method == "plain":
        return verifier, verifier
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@pytest.fixture
async def http(emulator):
    jar = aiohttp.CookieJar(unsafe=True)  # the SSO session cookie of 127.0.0.1
    async with aiohttp.ClientSession(headers=emulator.headers, cookie_jar=jar) as session:
        yield session


class Answer:
    def __init__(self, status: int, headers, text: str) -> None:
        self.status, self.headers, self.text = status, headers, text

    @property
    def location(self) -> str:
        return self.headers["Location"]

    def redirect(self, separator: str = "?") -> dict[str, str]:
        """The parameters of the redirect back to the client (query or fragment)."""
        url = urlsplit(self.location)
        return {name: values[0] for name, values in parse_qs(url.fragment if separator == "#" else url.query).items()}

    def hidden(self) -> dict[str, str]:
        return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', self.text))


async def authorize(emulator, http, method: str = "GET", **params) -> Answer:
    url = emulator.url + "/uas/oauth2/authorization"
    if method == "GET":
        request = http.get(url, params=params, allow_redirects=False)
    else:
        request = http.post(url, data=params, allow_redirects=False)
    async with request as response:
        return Answer(response.status, response.headers, await response.text())


def request_params(client: dict = SPA, **extra) -> tuple[dict, str]:
    verifier, challenge = pkce()
    params = {
        "response_type": "code",
        **client,
        "scope": SCOPE,
        "state": "st-1",
        "nonce": "n-1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **extra,
    }
    return {name: value for name, value in params.items() if value is not None}, verifier


async def log_in(emulator, http, params: dict, **login) -> Answer:
    """The login page, then its form posted with ``login`` (login_as or login_username/login_password)."""
    page = await authorize(emulator, http, **params)
    assert page.status == 200 and "log in" in page.text, page.text
    return await authorize(emulator, http, "POST", **page.hidden(), **login)


async def exchange(emulator, http, code: str, verifier: str | None, client: dict = SPA, auth=None, **extra):
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": client["redirect_uri"], **extra}
    if verifier:
        form["code_verifier"] = verifier
    if auth is None:
        form["client_id"] = client["client_id"]
    async with http.post(emulator.url + "/uas/oauth2/token", data=form, headers=auth or {}) as response:
        return response.status, await response.json()


async def code_tokens(emulator, http, username: str = "api-user", client: dict = SPA, auth=None) -> dict:
    params, verifier = request_params(client)
    answer = await log_in(emulator, http, params, login_as=username)
    assert answer.status == 302, answer.text
    status, tokens = await exchange(emulator, http, answer.redirect()["code"], verifier, client, auth)
    assert status == 200, tokens
    return tokens


async def jwks_key(emulator, http, kid: str):
    async with http.get(emulator.url + "/uas/oauth2/metadata.jwks") as response:
        keys = {key["kid"]: key for key in (await response.json())["keys"]}
    return jwt.PyJWK(keys[kid]).key


async def introspect(emulator, http, token: str) -> dict:
    async with http.post(
        emulator.url + "/uas/oauth2/introspection", data={"token": token}, headers=RESOURCE_SERVER
    ) as response:
        return await response.json()


async def refresh(emulator, http, token: str, client: dict = SPA) -> tuple[int, dict]:
    form = {"grant_type": "refresh_token", "refresh_token": token, "client_id": client["client_id"]}
    async with http.post(emulator.url + "/uas/oauth2/token", data=form) as response:
        return response.status, await response.json()


async def userinfo(emulator, http, token: str) -> tuple[int, dict]:
    async with http.get(emulator.url + "/uas/oauth2/userinfo", headers={"Authorization": f"Bearer {token}"}) as got:
        return got.status, await got.json()


# -- the flow ------------------------------------------------------------------------


async def test_public_client_logs_in_with_pkce_and_calls_get105(emulator, http):
    params, verifier = request_params()
    answer = await log_in(emulator, http, params, login_as="api-user")
    assert answer.status == 302 and answer.location.startswith("http://localhost:3000/callback?")
    back = answer.redirect()
    assert back["state"] == "st-1" and back["code"]
    status, tokens = await exchange(emulator, http, back["code"], verifier)
    assert status == 200, tokens
    assert tokens["token_type"] == "Bearer" and tokens["refresh_token"] and tokens["scope"] == SCOPE
    header = jwt.get_unverified_header(tokens["id_token"])
    claims = jwt.decode(
        tokens["id_token"], await jwks_key(emulator, http, header["kid"]), algorithms=["RS256"], audience="spa-client"
    )
    assert claims["iss"] == emulator.url + "/uas" and claims["sub"] == "api-user" and claims["nonce"] == "n-1"
    assert {"exp", "iat", "auth_time", "at_hash", "sid"} <= set(claims)
    digest = hashlib.sha256(tokens["access_token"].encode()).digest()
    assert claims["at_hash"] == base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()
    async with http.get(
        emulator.customerid_url() + f"/users/{MAIJA}", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    ) as response:  # GET105 with the logged-in API user's token
        assert response.status == 200 and "maija.virtanen" in await response.text()
    journal = [entry["operation"] for entry in await emulator.requests()]
    assert journal[-5:] == [
        "get /uas/oauth2/authorization",
        "post /uas/oauth2/authorization",
        "post /uas/oauth2/token",
        "get /uas/oauth2/metadata.jwks",
        "GET105",
    ]


async def test_directory_user_gets_claims_from_the_stored_record_but_not_the_api(emulator, http):
    tokens = await code_tokens(emulator, http, "maija.virtanen")
    claims = jwt.decode(tokens["id_token"], options={"verify_signature": False})
    assert (claims["sub"], claims["given_name"], claims["family_name"]) == ("maija.virtanen", "Maija", "Virtanen")
    assert (claims["email"], claims["phone_number"], claims["locale"]) == (
        "maija.virtanen@example.org",
        "+358401234567",
        "fi",
    )
    assert claims["customerid_user_id"] == MAIJA and claims["organization"] and claims["roles"]
    status, info = await userinfo(emulator, http, tokens["access_token"])
    assert status == 200 and info["email"] == "maija.virtanen@example.org" and info["name"] == "Maija Virtanen"
    async with http.get(
        emulator.customerid_url() + f"/users/{MAIJA}", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    ) as response:  # not in "CustomerID API Users": 403 code 3
        assert response.status == 403 and "<code>3</code>" in await response.text()


@pytest.mark.parametrize("mode", ["query", "fragment", "form_post"])
async def test_response_modes(emulator, http, mode):
    params, verifier = request_params(response_mode=mode)
    answer = await log_in(emulator, http, params, login_as="api-user")
    if mode == "form_post":
        assert answer.status == 200 and 'action="http://localhost:3000/callback"' in answer.text
        back = answer.hidden()
    else:
        assert answer.status == 302
        back = answer.redirect("#" if mode == "fragment" else "?")
    assert back["state"] == "st-1"
    assert (await exchange(emulator, http, back["code"], verifier))[0] == 200


async def test_confidential_client_with_basic_and_a_post_client_with_the_form(emulator, http):
    tokens = await code_tokens(emulator, http, client=WEB, auth=WEB_AUTH)
    assert tokens["id_token"]
    await emulator.load_scenario(
        {
            "customerid": {
                "sso": {
                    "clients": {
                        "post-client": {
                            "secret": "post-secret",
                            "authMethod": "client_secret_post",
                            "redirectUris": ["https://app.example/cb"],
                        }
                    }
                }
            }
        }
    )
    client = {"client_id": "post-client", "redirect_uri": "https://app.example/cb"}
    params, verifier = request_params(client, scope="openid")
    answer = await authorize(emulator, http, **params)  # the session cookie: no login page this time
    assert answer.status == 302, answer.text
    code = answer.redirect()["code"]
    status, body = await exchange(emulator, http, code, verifier, client, auth=WEB_AUTH)
    assert (status, body["error"]) == (400, "invalid_grant")  # web-client may not spend post-client's code
    basic = {"Authorization": aiohttp.encode_basic_auth("post-client", "post-secret")}
    status, body = await exchange(emulator, http, code, verifier, client, auth=basic)
    assert (status, body["error"]) == (401, "invalid_client")  # registered for client_secret_post
    status, tokens = await exchange(emulator, http, code, verifier, client, client_secret="post-secret")
    assert status == 200 and tokens["scope"] == "openid", tokens


# -- errors that cannot go back to the client: an error page ------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"client_id": None},
        {"client_id": "nobody"},
        {"redirect_uri": "http://evil.example/callback"},
        {"redirect_uri": "http://localhost:3000/callback/"},  # exact match only
    ],
)
async def test_no_redirect_to_an_unknown_client_or_unregistered_uri(emulator, http, change):
    params, _ = request_params(**change)
    answer = await authorize(emulator, http, **params)
    assert answer.status == 400 and "Location" not in answer.headers
    assert 'id="error"' in answer.text and "evil.example" not in answer.text.split("<body>")[1].split("</p>")[0]


async def test_a_repeated_parameter_is_an_error_page(emulator, http):
    async with http.get(
        emulator.url + "/uas/oauth2/authorization?client_id=spa-client&client_id=web-client", allow_redirects=False
    ) as response:
        assert response.status == 400 and "more than once" in await response.text()


# -- errors that go back to the client (RFC 6749 4.1.2.1, OIDC Core 3.1.2.6) ------------------


@pytest.mark.parametrize(
    "change, error",
    [
        ({"response_type": None}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "openid admin"}, "invalid_scope"),
        ({"code_challenge": None, "code_challenge_method": None}, "invalid_request"),  # public client: PKCE
        ({"code_challenge_method": "plain"}, "invalid_request"),  # the client registers S256
        ({"code_challenge_method": "S512"}, "invalid_request"),
        ({"code_challenge": "short"}, "invalid_request"),
        ({"response_mode": "web_message"}, "invalid_request"),
        ({"prompt": "none login"}, "invalid_request"),
        ({"max_age": "soon"}, "invalid_request"),
        ({"request": "eyJ..."}, "request_not_supported"),
        ({"request_uri": "https://x/r"}, "request_uri_not_supported"),
        ({"prompt": "none"}, "login_required"),  # nobody is logged in
    ],
)
async def test_authorization_errors_go_back_with_state(emulator, http, change, error):
    params, _ = request_params(**change)
    answer = await authorize(emulator, http, **params)
    assert answer.status == 302 and answer.location.startswith("http://localhost:3000/callback?")
    back = answer.redirect()
    assert (back["error"], back["state"]) == (error, "st-1") and back["error_description"]


async def test_a_client_without_the_code_grant_is_unauthorized(emulator, http):
    await emulator.load_scenario(
        {
            "customerid": {
                "sso": {
                    "clients": {
                        "pw": {"secret": "s", "grantTypes": ["password"], "redirectUris": ["https://a.example/cb"]}
                    }
                }
            }
        }
    )
    params, _ = request_params({"client_id": "pw", "redirect_uri": "https://a.example/cb"})
    answer = await authorize(emulator, http, **params)
    assert answer.redirect()["error"] == "unauthorized_client"


# -- the login page and the SSO session ---------------------------------------------------


async def test_login_page_lists_users_and_checks_the_password(emulator, http):
    params, verifier = request_params(login_hint="maija.virtanen")
    page = await authorize(emulator, http, **params)
    assert page.status == 200 and page.headers["Content-Type"].startswith("text/html")
    assert 'value="api-user"' in page.text and 'value="maija.virtanen"' in page.text  # one click away
    assert 'name="login_username" value="maija.virtanen"' in page.text  # login_hint fills the form
    wrong = await authorize(
        emulator, http, "POST", **page.hidden(), login_username="maija.virtanen", login_password="x"
    )
    assert wrong.status == 401 and 'role="alert"' in wrong.text and "Location" not in wrong.headers
    right = await authorize(
        emulator, http, "POST", **page.hidden(), login_username="maija.virtanen", login_password="Secret123!"
    )
    assert right.status == 302 and (await exchange(emulator, http, right.redirect()["code"], verifier))[0] == 200
    unknown = await authorize(emulator, http, "POST", **page.hidden(), login_as="nobody")
    assert unknown.status == 401


async def test_wrong_passwords_on_the_login_page_lock_the_account(emulator, http):
    params, _ = request_params()
    page = await authorize(emulator, http, **params)
    for _ in range(5):
        await authorize(emulator, http, "POST", **page.hidden(), login_username="maija.virtanen", login_password="no")
    locked = await authorize(
        emulator, http, "POST", **page.hidden(), login_username="maija.virtanen", login_password="Secret123!"
    )
    assert locked.status == 401 and "not enabled" in locked.text
    async with http.get(emulator.customerid_url() + f"/users/{MAIJA}", headers=emulator.auth_headers) as response:
        assert "<Value>Locked</Value>" in await response.text()


async def test_the_session_makes_the_next_authorization_silent_until_prompt_login_or_max_age(emulator, http):
    await code_tokens(emulator, http)
    params, _ = request_params(prompt="none")
    assert "code" in (await authorize(emulator, http, **params)).redirect()  # silent
    params, _ = request_params(prompt="login")
    assert (await authorize(emulator, http, **params)).status == 200  # the login page again
    await emulator.clock.advance(120)
    params, _ = request_params(max_age="60")
    assert (await authorize(emulator, http, **params)).status == 200
    params, _ = request_params(max_age="60", prompt="none")
    assert (await authorize(emulator, http, **params)).redirect()["error"] == "login_required"
    params, _ = request_params(login_hint="maija.virtanen", prompt="none")  # someone else is logged in
    assert (await authorize(emulator, http, **params)).redirect()["error"] == "login_required"


# -- the code at the token endpoint ------------------------------------------------------


async def test_codes_are_single_use_and_a_reused_code_revokes_its_tokens(emulator, http):
    params, verifier = request_params()
    code = (await log_in(emulator, http, params, login_as="api-user")).redirect()["code"]
    status, tokens = await exchange(emulator, http, code, verifier)
    assert status == 200 and (await introspect(emulator, http, tokens["access_token"]))["active"] is True
    status, body = await exchange(emulator, http, code, verifier)
    assert (status, body["error"]) == (400, "invalid_grant")
    assert (await introspect(emulator, http, tokens["access_token"]))["active"] is False
    assert (await introspect(emulator, http, tokens["refresh_token"]))["active"] is False


async def test_codes_expire_on_the_namespace_clock(emulator, http):
    params, verifier = request_params()
    code = (await log_in(emulator, http, params, login_as="api-user")).redirect()["code"]
    await emulator.clock.advance(61)
    status, body = await exchange(emulator, http, code, verifier)
    assert (status, body["error"]) == (400, "invalid_grant") and "expired" in body["error_description"]


@pytest.mark.parametrize(
    "tamper, error",
    [
        ({"code_verifier": "A" * 43}, "invalid_grant"),  # does not match the challenge
        ({"code_verifier": None}, "invalid_grant"),  # PKCE verifier missing
        ({"redirect_uri": "http://127.0.0.1:3000/callback"}, "invalid_grant"),  # registered, but not the one used
        ({"code": "not-a-code"}, "invalid_grant"),
        ({"code": None}, "invalid_request"),
    ],
)
async def test_token_request_errors(emulator, http, tamper, error):
    params, verifier = request_params()
    code = (await log_in(emulator, http, params, login_as="api-user")).redirect()["code"]
    form = {
        "grant_type": "authorization_code",
        "client_id": "spa-client",
        "code": code,
        "code_verifier": verifier,
        "redirect_uri": SPA["redirect_uri"],
        **tamper,
    }
    async with http.post(
        emulator.url + "/uas/oauth2/token", data={k: v for k, v in form.items() if v is not None}
    ) as response:
        assert response.status == 400 and (await response.json())["error"] == error


async def test_a_code_cannot_be_redeemed_by_another_client_or_without_authentication(emulator, http):
    params, verifier = request_params()
    code = (await log_in(emulator, http, params, login_as="api-user")).redirect()["code"]
    status, body = await exchange(emulator, http, code, verifier, WEB, auth=WEB_AUTH)
    assert (status, body["error"]) == (400, "invalid_grant")
    params, verifier = request_params(WEB, code_challenge=None, code_challenge_method=None)  # PKCE optional here
    code = (await authorize(emulator, http, **params)).redirect()["code"]
    status, body = await exchange(emulator, http, code, None, WEB)  # no secret: registered for Basic
    assert (status, body["error"]) == (401, "invalid_client")


# -- tokens follow the directory ---------------------------------------------------------


@pytest.mark.parametrize(
    "event",
    ["lock", "disable", "delete", "password"],
)
async def test_directory_events_turn_the_users_tokens_inactive(emulator, http, event):
    tokens = await code_tokens(emulator, http, "maija.virtanen")
    assert (await introspect(emulator, http, tokens["access_token"]))["active"] is True
    base = emulator.customerid_url() + f"/users/{MAIJA}"
    if event == "lock":
        await emulator.action("customerid", f"users/{MAIJA}/lock")
    elif event == "delete":
        async with http.delete(base, headers=emulator.auth_headers) as response:  # DEL102
            assert response.status == 200
    else:
        change = {"status": "Disabled"} if event == "disable" else {"pwd": "An0ther!Secret"}
        async with http.put(base, params=change, headers=emulator.auth_headers) as response:  # PUT103
            assert response.status == 200
    assert (await introspect(emulator, http, tokens["access_token"]))["active"] is False
    assert (await userinfo(emulator, http, tokens["access_token"]))[0] == 401
    status, body = await refresh(emulator, http, tokens["refresh_token"])
    assert (status, body["error"]) == (400, "invalid_grant")
    params, _ = request_params(prompt="none")  # the SSO session ends with it
    assert (await authorize(emulator, http, **params)).redirect()["error"] == "login_required"


async def test_an_unchanged_user_keeps_tokens_and_refreshes(emulator, http):
    tokens = await code_tokens(emulator, http, "maija.virtanen")
    async with http.put(
        emulator.customerid_url() + f"/users/{MAIJA}",
        params={"firstname": "Maija-Liisa"},
        headers=emulator.auth_headers,
    ) as response:
        assert response.status == 200
    status, info = await userinfo(emulator, http, tokens["access_token"])
    assert status == 200 and info["given_name"] == "Maija-Liisa"  # userinfo reads the record as it is now
    assert (await refresh(emulator, http, tokens["refresh_token"]))[0] == 200


# -- revocation (RFC 7009) ----------------------------------------------------------------


async def revoke(emulator, http, token: str, client: dict = SPA, auth=None, **extra) -> tuple[int, str]:
    form = {"token": token, **extra}
    if auth is None:
        form["client_id"] = client["client_id"]
    async with http.post(emulator.url + "/uas/oauth2/revocation", data=form, headers=auth or {}) as response:
        return response.status, await response.text()


async def test_revoking_a_refresh_token_revokes_its_access_tokens(emulator, http):
    tokens = await code_tokens(emulator, http)
    status, refreshed = await refresh(emulator, http, tokens["refresh_token"])
    assert status == 200
    assert await revoke(emulator, http, tokens["refresh_token"], token_type_hint="access_token") == (200, "")
    for token in (tokens["access_token"], refreshed["access_token"], tokens["refresh_token"]):
        assert (await introspect(emulator, http, token))["active"] is False
    assert (await revoke(emulator, http, "unknown-token"))[0] == 200  # RFC 7009 2.2: unknown is fine


async def test_revoking_an_access_token_leaves_the_refresh_token(emulator, http):
    tokens = await code_tokens(emulator, http)
    assert (await revoke(emulator, http, tokens["access_token"]))[0] == 200
    assert (await introspect(emulator, http, tokens["access_token"]))["active"] is False
    assert (await introspect(emulator, http, tokens["refresh_token"]))["active"] is True


async def test_revocation_errors(emulator, http):
    tokens = await code_tokens(emulator, http)
    status, text = await revoke(emulator, http, tokens["access_token"], WEB, auth=WEB_AUTH)  # not web-client's
    assert status == 400 and "invalid_request" in text
    async with http.post(emulator.url + "/uas/oauth2/revocation", data={"token": "x"}) as response:
        assert response.status == 401 and (await response.json())["error"] == "invalid_client"
    assert (await revoke(emulator, http, ""))[0] == 400  # token missing
    assert (await introspect(emulator, http, tokens["access_token"]))["active"] is True


# -- RP-initiated logout -------------------------------------------------------------------


async def logout(emulator, http, **params) -> Answer:
    async with http.get(emulator.url + "/uas/oauth2/logout", params=params, allow_redirects=False) as response:
        return Answer(response.status, response.headers, await response.text())


async def test_logout_ends_the_session_and_goes_back_to_a_registered_uri(emulator, http):
    tokens = await code_tokens(emulator, http)
    answer = await logout(
        emulator,
        http,
        id_token_hint=tokens["id_token"],
        post_logout_redirect_uri="http://localhost:3000/",
        state="bye",
    )
    assert answer.status == 302 and answer.location == "http://localhost:3000/?state=bye"
    params, _ = request_params(prompt="none")
    assert (await authorize(emulator, http, **params)).redirect()["error"] == "login_required"


async def test_logout_without_a_redirect_shows_a_page(emulator, http):
    await code_tokens(emulator, http)
    answer = await logout(emulator, http)
    assert answer.status == 200 and "logged out" in answer.text
    params, _ = request_params(prompt="none")
    assert (await authorize(emulator, http, **params)).redirect()["error"] == "login_required"


@pytest.mark.parametrize(
    "params",
    [
        {"post_logout_redirect_uri": "http://evil.example/"},  # no client named
        {"post_logout_redirect_uri": "http://evil.example/", "client_id": "spa-client"},
        {"id_token_hint": "not.a.token"},
    ],
)
async def test_logout_errors_never_redirect(emulator, http, params):
    await code_tokens(emulator, http)
    answer = await logout(emulator, http, **params)
    assert answer.status == 400 and "Location" not in answer.headers
    silent, _ = request_params(prompt="none")
    assert "code" in (await authorize(emulator, http, **silent)).redirect()  # still logged in
