"""A third-party client against the SSO: Authlib validates the discovery documents
(RFC 8414 and OpenID Connect Discovery) and runs the code flow with PKCE,
checking the ID token as an OpenID Connect relying party does. Authlib's
requests client is synchronous: it runs in a thread, beside the in-process emulator."""

from __future__ import annotations

import asyncio
import re
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
from authlib.oidc.core import CodeIDToken
from authlib.oidc.discovery import OpenIDProviderMetadata

METADATA_PATHS = (
    "/uas/.well-known/openid-configuration",
    "/uas/.well-known/oauth-authorization-server",
    "/uas/oauth2/metadata.json",
)


async def get_json(emulator, path: str) -> dict:
    async with aiohttp.ClientSession(headers=emulator.headers) as http, http.get(emulator.url + path) as response:
        assert response.status == 200
        return await response.json()


async def test_every_metadata_document_passes_authlibs_validators(emulator):
    documents = [await get_json(emulator, path) for path in METADATA_PATHS]
    assert documents[0] == documents[1] == documents[2]
    AuthorizationServerMetadata(documents[0]).validate()
    OpenIDProviderMetadata(documents[0]).validate()
    assert documents[0]["response_types_supported"] == ["code"]
    assert documents[0]["code_challenge_methods_supported"] == ["S256", "plain"]
    assert "none" in documents[0]["token_endpoint_auth_methods_supported"]


async def test_discovery_lists_only_the_client_authentication_the_clients_accept(emulator):
    """Issue 21: client_secret_post was advertised while the default client refused it."""
    document = await get_json(emulator, METADATA_PATHS[0])
    assert document["token_endpoint_auth_methods_supported"] == [
        "client_secret_basic",
        "client_secret_jwt",
        "private_key_jwt",
        "none",
    ]
    form = {"grant_type": "client_credentials", "client_id": "ci-client", "client_secret": "ci-client-secret"}
    async with (
        aiohttp.ClientSession(headers=emulator.headers) as http,
        http.post(document["token_endpoint"], data=form) as response,
    ):
        assert response.status == 401 and (await response.json())["error"] == "invalid_client"


async def test_the_validator_refuses_what_the_old_document_lacked(emulator):
    document = await get_json(emulator, METADATA_PATHS[0])
    del document["response_types_supported"]
    with pytest.raises(ValueError, match="response_types_supported"):
        AuthorizationServerMetadata(document).validate()


async def browser_login(emulator, url: str, username: str) -> str:
    """What a browser does: open the authorization URL, click the user, land on the callback."""
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(headers=emulator.headers, cookie_jar=jar) as http:
        async with http.get(url, allow_redirects=False) as response:
            page = await response.text()
            assert response.status == 200, page
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
        async with http.post(
            emulator.url + "/uas/oauth2/authorization", data={**fields, "login_as": username}, allow_redirects=False
        ) as response:
            assert response.status == 302, await response.text()
            return response.headers["Location"]


@pytest.mark.parametrize(
    "client_id, secret, method, redirect_uri",
    [
        ("spa-client", None, "none", "http://localhost:3000/callback"),
        ("web-client", "web-client-secret", "client_secret_basic", "http://127.0.0.1:8000/callback"),
    ],
)
async def test_authlib_code_flow_with_pkce(emulator, client_id, secret, method, redirect_uri):
    metadata = await get_json(emulator, METADATA_PATHS[0])
    client = OAuth2Session(
        client_id,
        secret,
        scope="openid userinfo customerid-api",
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method=method,
    )
    verifier, nonce = generate_token(48), generate_token(16)
    url, state = client.create_authorization_url(
        metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    callback = await browser_login(emulator, url, "api-user")
    assert parse_qs(urlsplit(callback).query)["state"] == [state]
    token = await asyncio.to_thread(
        client.fetch_token, metadata["token_endpoint"], authorization_response=callback, code_verifier=verifier
    )
    jwks = await get_json(emulator, "/uas/oauth2/metadata.jwks")
    claims = jwt.decode(
        token["id_token"],
        JsonWebKey.import_key_set(jwks),
        claims_cls=CodeIDToken,
        claims_options={"iss": {"value": metadata["issuer"]}},
        claims_params={"nonce": nonce, "client_id": client_id, "access_token": token["access_token"]},
    )
    claims.validate(leeway=5)  # iss, aud, exp, iat, nonce, at_hash (OpenID Connect Core 3.1.3.7)
    assert claims["sub"] == "api-user"
    info = await asyncio.to_thread(client.get, metadata["userinfo_endpoint"])
    assert info.status_code == 200 and info.json()["sub"] == "api-user"
    refreshed = await asyncio.to_thread(client.refresh_token, metadata["token_endpoint"])
    assert refreshed["access_token"] != token["access_token"]
    await asyncio.to_thread(client.revoke_token, metadata["revocation_endpoint"], refreshed["refresh_token"])
    assert (await asyncio.to_thread(client.get, metadata["userinfo_endpoint"])).status_code == 401


async def test_authlib_sees_a_wrong_verifier_refused(emulator):
    metadata = await get_json(emulator, METADATA_PATHS[0])
    client = OAuth2Session(
        "spa-client",
        scope="openid",
        redirect_uri="http://localhost:3000/callback",
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
    )
    url, _ = client.create_authorization_url(metadata["authorization_endpoint"], code_verifier=generate_token(48))
    callback = await browser_login(emulator, url, "api-user")
    with pytest.raises(OAuthError, match="invalid_grant"):
        await asyncio.to_thread(
            client.fetch_token,
            metadata["token_endpoint"],
            authorization_response=callback,
            code_verifier=generate_token(48),
        )
