"""The DFS identity server's authorization-code flow over HTTP: "get|post /connect/authorize"
(RFC 6749 4.1, PKCE RFC 7636, OpenID Connect Core 3.1) with the login page of the
scenario's identities, the "post /connect/token" authorization_code grant, "get
/connect/endsession" (RP-initiated logout), discovery that Authlib's validators accept,
and the Admin API ("get /v1.0/identities/{identityId}") called with the token a
logged-in identity gets. The engine is the SSO's (auth/authorization.py); these tests
check the DFS data it serves."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from authlib.jose import JsonWebKey, jwt
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
from authlib.oidc.core import CodeIDToken
from authlib.oidc.discovery import OpenIDProviderMetadata

from tests.support.dfs import ADMIN, GLOBEX_UID, SARAH, TENANT_UID

WEB = {"client_id": "dfs-web-client", "redirect_uri": "http://localhost:8000/callback"}
WEB_AUTH = {"Authorization": aiohttp.encode_basic_auth("dfs-web-client", "dfs-web-client-secret")}
SPA = {"client_id": "dfs-spa-client", "redirect_uri": "http://localhost:3000/callback"}
SCOPE = "openid profile email DfsAdmin"
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@pytest.fixture
async def http(emulator):
    jar = aiohttp.CookieJar(unsafe=True)  # the login session cookie of 127.0.0.1
    async with aiohttp.ClientSession(headers=emulator.headers, cookie_jar=jar) as session:
        yield session


async def get_json(emulator, http, path: str) -> dict:
    async with http.get(emulator.url + path) as response:
        assert response.status == 200
        return await response.json()


async def login_page(emulator, http, **params) -> tuple[int, str]:
    async with http.get(emulator.url + "/connect/authorize", params=params, allow_redirects=False) as response:
        return response.status, await response.text()


async def post_login(emulator, http, fields: dict) -> aiohttp.ClientResponse:
    async with http.post(emulator.url + "/connect/authorize", data=fields, allow_redirects=False) as response:
        await response.read()
        return response


def callback_params(location: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}


async def code_for(emulator, http, username: str, client: dict = WEB, **extra) -> tuple[str, str, str]:
    """(code, verifier, nonce): the authorization request, the login page, a click on ``username``."""
    verifier, challenge = pkce()
    nonce = secrets.token_urlsafe(8)
    params = {"response_type": "code", **client, "scope": SCOPE, "state": "st", "nonce": nonce}
    params |= {"code_challenge": challenge, "code_challenge_method": "S256", "login_hint": username, **extra}
    status, page = await login_page(emulator, http, **params)
    assert status == 200, page
    response = await post_login(emulator, http, {**dict(HIDDEN.findall(page)), "login_as": username})
    assert response.status == 302
    answer = callback_params(response.headers["Location"])
    assert answer["state"] == "st"
    return answer["code"], verifier, nonce


async def redeem(emulator, http, code: str, verifier: str, client: dict = WEB, headers=WEB_AUTH, **extra):
    form = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier, **client, **extra}
    if headers:
        form.pop("client_id")
    async with http.post(emulator.url + "/connect/token", data=form, headers=headers or {}) as response:
        return response.status, await response.json()


async def test_discovery_passes_authlibs_validators_and_lists_the_code_flow(emulator, http):
    document = await get_json(emulator, http, "/.well-known/openid-configuration")
    AuthorizationServerMetadata(document).validate()
    OpenIDProviderMetadata(document).validate()
    assert document["authorization_endpoint"] == emulator.url + "/connect/authorize"
    assert document["end_session_endpoint"] == emulator.url + "/connect/endsession"
    assert document["response_types_supported"] == ["code"]
    assert document["code_challenge_methods_supported"] == ["S256", "plain"]
    # the default scenario's clients: secrets (Basic or form) and the public dfs-spa-client
    assert document["token_endpoint_auth_methods_supported"] == ["client_secret_basic", "client_secret_post", "none"]
    assert {"sub", "name", "email", "tenant_uid"} <= set(document["claims_supported"])


async def test_discovery_without_response_types_is_refused_by_the_validator(emulator, http):
    document = await get_json(emulator, http, "/.well-known/openid-configuration")
    del document["response_types_supported"]
    with pytest.raises(ValueError, match="response_types_supported"):
        OpenIDProviderMetadata(document).validate()


async def test_code_flow_id_token_from_the_identity_and_the_token_works_on_the_admin_api(emulator, http):
    document = await get_json(emulator, http, "/.well-known/openid-configuration")
    code, verifier, nonce = await code_for(emulator, http, "sconnor")
    status, tokens = await redeem(emulator, http, code, verifier)
    assert status == 200, tokens
    assert tokens["token_type"] == "Bearer" and tokens["scope"] == SCOPE
    keys = JsonWebKey.import_key_set(await get_json(emulator, http, "/.well-known/openid-configuration/jwks"))
    claims = jwt.decode(
        tokens["id_token"],
        keys,
        claims_cls=CodeIDToken,
        claims_options={"iss": {"value": document["issuer"]}},
        claims_params={"nonce": nonce, "client_id": WEB["client_id"], "access_token": tokens["access_token"]},
    )
    claims.validate(leeway=5)  # iss, aud, exp, iat, nonce, at_hash (OpenID Connect Core 3.1.3.7)
    assert claims["sub"] == SARAH and claims["name"] == "Sarah Connor" and claims["email"] == "sconnor@additiv.com"
    assert claims["preferred_username"] == "sconnor" and claims["tenant_uid"] == TENANT_UID
    # get /v1.0/identities/{identityId} with the code flow's access token (dfs/auth.py: aud, scope, tenant)
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    async with http.get(f"{emulator.url}/v1.0/identities/{SARAH}", headers=bearer) as response:
        assert response.status == 200
    journal = [entry["operation"] for entry in await emulator.requests()]
    assert {"get /connect/authorize", "post /connect/authorize", "post /connect/token"} <= set(journal)


async def test_the_token_request_may_name_another_tenant_of_the_identity(emulator, http):
    code, verifier, _ = await code_for(emulator, http, "sconnor")
    status, tokens = await redeem(emulator, http, code, verifier, acr_values="tenant:GlobexWealth")
    assert status == 200, tokens
    keys = JsonWebKey.import_key_set(await get_json(emulator, http, "/.well-known/openid-configuration/jwks"))
    claims = jwt.decode(tokens["access_token"], keys)
    assert claims["tenant_uid"] == GLOBEX_UID and claims["sub"] == SARAH


async def test_a_tenant_the_identity_cannot_access_is_invalid_grant(emulator, http):
    code, verifier, _ = await code_for(emulator, http, "additiv")
    status, tokens = await redeem(emulator, http, code, verifier, tenant="NoSuchTenant")
    assert status == 400 and tokens["error"] == "invalid_grant"


async def test_public_client_code_flow_and_the_code_is_single_use(emulator, http):
    code, verifier, _ = await code_for(emulator, http, "additiv", SPA)
    status, tokens = await redeem(emulator, http, code, verifier, SPA, headers=None)
    assert status == 200, tokens
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    async with http.get(f"{emulator.url}/v1.0/identities/{ADMIN}", headers=bearer) as response:
        assert response.status == 200
    status, again = await redeem(emulator, http, code, verifier, SPA, headers=None)
    assert status == 400 and again["error"] == "invalid_grant"
    # a reused code revokes the access token it gave (RFC 6749 4.1.2)
    async with http.get(f"{emulator.url}/v1.0/identities/{ADMIN}", headers=bearer) as response:
        assert response.status == 401


async def test_a_public_client_that_sends_a_secret_is_invalid_client(emulator, http):
    code, verifier, _ = await code_for(emulator, http, "additiv", SPA)
    status, answer = await redeem(emulator, http, code, verifier, SPA, headers=None, client_secret="guess")
    assert status == 401 and answer["error"] == "invalid_client"


async def test_a_client_credentials_only_client_may_not_use_the_code(emulator, http):
    auth = {"Authorization": aiohttp.encode_basic_auth("dfs-ci-client", "dfs-ci-secret")}
    async with http.post(
        emulator.url + "/connect/token", data={"grant_type": "authorization_code", "code": "x"}, headers=auth
    ) as response:
        assert response.status == 400 and (await response.json())["error"] == "unauthorized_client"


async def test_login_page_lists_identities_with_a_password_and_checks_it(emulator, http):
    verifier, challenge = pkce()
    params = {"response_type": "code", **WEB, "scope": SCOPE, "code_challenge": challenge}
    status, page = await login_page(emulator, http, **params)
    assert status == 200 and "sconnor" in page and "additiv" in page
    assert "system.sync" not in page  # no password in the scenario
    fields = dict(HIDDEN.findall(page))
    wrong = await post_login(emulator, http, {**fields, "login_username": "sconnor", "login_password": "nope"})
    assert wrong.status == 401
    right = await post_login(
        emulator, http, {**fields, "login_username": "SConnor", "login_password": "Sarah.Password1"}
    )
    assert right.status == 302 and "code" in callback_params(right.headers["Location"])
    refused = await post_login(emulator, http, {**fields, "login_as": "system.sync"})
    assert refused.status == 401


async def test_an_unregistered_redirect_uri_gets_an_error_page_not_a_redirect(emulator, http):
    status, page = await login_page(
        emulator, http, response_type="code", client_id="dfs-web-client", redirect_uri="http://evil.example/cb"
    )
    assert status == 400 and "redirect_uri" in page


async def test_prompt_none_without_a_session_is_login_required(emulator, http):
    async with http.get(
        emulator.url + "/connect/authorize",
        params={"response_type": "code", **WEB, "scope": SCOPE, "prompt": "none", "state": "s"},
        allow_redirects=False,
    ) as response:
        assert response.status == 302
        assert callback_params(response.headers["Location"]) == {
            "error": "login_required",
            "error_description": "the user is not logged in (or not as asked) and prompt is none",
            "state": "s",
        }


async def test_endsession_ends_the_session_and_goes_back_to_a_registered_uri(emulator, http):
    code, verifier, _ = await code_for(emulator, http, "sconnor")
    _, tokens = await redeem(emulator, http, code, verifier)
    silent = {"response_type": "code", **WEB, "scope": SCOPE, "prompt": "none"}
    async with http.get(emulator.url + "/connect/authorize", params=silent, allow_redirects=False) as response:
        assert "code" in callback_params(response.headers["Location"])  # the session makes it silent
    logout = {"id_token_hint": tokens["id_token"], "post_logout_redirect_uri": "http://localhost:8000/", "state": "bye"}
    async with http.get(emulator.url + "/connect/endsession", params=logout, allow_redirects=False) as response:
        assert response.status == 302 and response.headers["Location"] == "http://localhost:8000/?state=bye"
    async with http.get(emulator.url + "/connect/authorize", params=silent, allow_redirects=False) as response:
        assert callback_params(response.headers["Location"])["error"] == "login_required"


async def test_endsession_refuses_an_unregistered_post_logout_uri(emulator, http):
    logout = {"client_id": "dfs-web-client", "post_logout_redirect_uri": "http://evil.example/"}
    async with http.get(emulator.url + "/connect/endsession", params=logout, allow_redirects=False) as response:
        assert response.status == 400


async def test_the_plugin_logs_a_dfs_identity_in_without_a_browser(emulator, http):
    logged_in = await emulator.log_in(
        "sconnor",
        client_id="dfs-web-client",
        client_secret="dfs-web-client-secret",
        scope=SCOPE,
        issuer_path="",
    )
    bearer = {"Authorization": f"Bearer {logged_in.access_token}"}
    async with http.get(f"{emulator.url}/v1.0/identities/{SARAH}", headers=bearer) as response:
        assert response.status == 200


async def test_authorization_endpoint_takes_faults(emulator, http):
    async with emulator.fault(operation="get /connect/authorize", status=503, times=1):
        status, _ = await login_page(emulator, http, response_type="code", **WEB)
    assert status == 503
