"""JWT client authentication at the SSO (RFC 7523 2.2, OpenID Connect Core 9):
``client_secret_jwt`` (HS256 with the secret) and ``private_key_jwt`` (ES256 with
the client's registered key), per client as the scenario registers it. Authlib's
client gets tokens with each (post /uas/oauth2/token); every RFC error is
``invalid_client`` 401. docs/oauth.md, "JWT client authentication"."""

from __future__ import annotations

import asyncio
import time
import uuid

import aiohttp
import jwt
import pytest
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import ClientSecretJWT, PrivateKeyJWT
from joserfc.jwk import ECKey

from tests.customerid.test_oauth import RESOURCE_SERVER

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
JWT_CLIENT, JWT_SECRET = "jwt-client", "jwt-client-secret-at-least-32-bytes-long"
KEY_CLIENT = "key-client"
# the private half of key-client's registered key (default scenario; printed in docs/oauth.md)
KEY_CLIENT_PRIVATE_KEY = """-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgmFAZTrINJXtkwHay
+ZHCVxq3jjR70NelRPTHiFYeDU+hRANCAATq1zunqhDs5mt3W+hGJZkyonLuwlR4
ODZSNXEwFjQzI/0I7AAkohweNDf1notTYDRXOGWiTOLE2A+ec3k1/JAk
-----END PRIVATE KEY-----
"""
OTHER_PRIVATE_KEY = """-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgVEPeLUsARRaZeuXY
x2eO0AobuqzkLLSednVg3p1Pv2GhRANCAARAgjKCPXrgtudua8ZMvMv36/UwWGTH
rAvpaHucJmHaCqwJ5uYQpNi0IkqLpf1Q38CKtN2pfLjg1OjblnYDf+tL
-----END PRIVATE KEY-----
"""


@pytest.fixture
async def http(emulator):
    async with aiohttp.ClientSession(headers=emulator.headers) as session:
        yield session


def token_url(emulator) -> str:
    return emulator.url + "/uas/oauth2/token"


def assertion(emulator, client_id=JWT_CLIENT, *, key=JWT_SECRET, alg="HS256", **changes) -> str:
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": token_url(emulator),
        "exp": int(time.time()) + 300,
        "jti": uuid.uuid4().hex,
        **changes,
    }
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, key, algorithm=alg)


async def token_request(http, emulator, client_assertion: str, **extra) -> tuple[int, dict, aiohttp.ClientResponse]:
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": client_assertion,
        **extra,
    }
    async with http.post(token_url(emulator), data=form) as response:  # post /uas/oauth2/token
        return response.status, await response.json(), response


async def authlib_token(emulator, client_id: str, secret: str | ECKey, auth: ClientSecretJWT) -> dict:
    client = OAuth2Session(client_id, secret, token_endpoint_auth_method=auth.name, scope="customerid-api")
    client.register_client_auth_method(auth)  # Authlib's own is RS256; key-client's key is ES256
    client.headers.update(emulator.headers)
    return await asyncio.to_thread(client.fetch_token, token_url(emulator), grant_type="client_credentials")


async def test_authlib_gets_a_token_with_client_secret_jwt(emulator):
    token = await authlib_token(emulator, JWT_CLIENT, JWT_SECRET, ClientSecretJWT(token_url(emulator)))
    assert token["token_type"] == "Bearer"
    assert jwt.decode(token["access_token"], options={"verify_signature": False})["sub"] == JWT_CLIENT


async def test_authlib_gets_a_token_with_private_key_jwt(emulator, http):
    token = await authlib_token(
        emulator,
        KEY_CLIENT,
        ECKey.import_key(KEY_CLIENT_PRIVATE_KEY),  # Authlib reads a PEM string as RSA
        PrivateKeyJWT(token_url(emulator), alg="ES256"),
    )
    async with http.post(
        emulator.url + "/uas/oauth2/introspection", data={"token": token["access_token"]}, headers=RESOURCE_SERVER
    ) as response:
        info = await response.json()
    assert info["active"] is True and info["client_id"] == KEY_CLIENT


async def test_the_issuer_is_accepted_as_audience(emulator, http):
    status, body, _ = await token_request(http, emulator, assertion(emulator, aud=emulator.url + "/uas"))
    assert status == 200, body


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"aud": "https://elsewhere.example/token"}, "aud"),
        ({"exp": int(time.time()) - 10}, "expired"),
        ({"exp": None}, "exp"),
        ({"jti": None}, "jti"),
        ({"iss": "ci-client"}, "iss and sub"),
    ],
)
async def test_a_bad_assertion_is_invalid_client(emulator, http, changes, reason):
    status, body, response = await token_request(http, emulator, assertion(emulator, **changes))
    assert status == 401 and body["error"] == "invalid_client" and reason in body["error_description"]
    assert response.headers["WWW-Authenticate"].startswith("Basic realm=")


async def test_a_jti_is_single_use_until_it_expires(emulator, http):
    once = assertion(emulator)
    assert (await token_request(http, emulator, once))[0] == 200
    status, body, _ = await token_request(http, emulator, once)
    assert status == 401 and "used already" in body["error_description"]


async def test_expiry_follows_the_namespace_clock(emulator, http):
    await emulator.clock.advance(301)
    status, body, _ = await token_request(http, emulator, assertion(emulator))
    assert status == 401 and "expired" in body["error_description"]


async def test_the_wrong_secret_or_key_is_refused(emulator, http):
    status, body, _ = await token_request(http, emulator, assertion(emulator, key="not-the-secret-" * 3))
    assert status == 401 and "signature" in body["error_description"]
    forged = assertion(emulator, KEY_CLIENT, key=OTHER_PRIVATE_KEY, alg="ES256")
    status, body, _ = await token_request(http, emulator, forged)
    assert status == 401 and "signature" in body["error_description"]


async def test_a_client_uses_only_its_registered_method(emulator, http):
    # an HS256 assertion for the private_key_jwt client (its "secret" would be guessable: a public key)
    status, body, _ = await token_request(http, emulator, assertion(emulator, KEY_CLIENT, key="x" * 40))
    assert status == 401 and "private_key_jwt" in body["error_description"]
    # a secret for the client_secret_jwt client
    async with http.post(
        token_url(emulator), data={"grant_type": "client_credentials"}, auth=aiohttp.BasicAuth(JWT_CLIENT, JWT_SECRET)
    ) as response:
        answer = await response.json()
    assert response.status == 401 and "client_secret_jwt" in answer["error_description"]
    # an assertion for a client registered for client_secret_basic
    status, body, _ = await token_request(http, emulator, assertion(emulator, "ci-client", key="ci-client-secret"))
    assert status == 401 and "client_secret_basic" in body["error_description"]


async def test_a_wrong_assertion_type_or_a_second_credential_is_refused(emulator, http):
    status, body, _ = await token_request(http, emulator, assertion(emulator), client_assertion_type="urn:other")
    assert status == 401 and body["error"] == "invalid_client"
    status, body, _ = await token_request(http, emulator, "not.a.jwt")
    assert status == 401 and body["error"] == "invalid_client"
    status, body, _ = await token_request(http, emulator, assertion(emulator), client_secret=JWT_SECRET)
    assert status == 400 and body["error"] == "invalid_request"


async def test_revocation_takes_the_assertion_too(emulator, http):
    _, issued, _ = await token_request(http, emulator, assertion(emulator))
    form = {"token": issued["access_token"], "client_assertion_type": ASSERTION_TYPE}
    revocation = emulator.url + "/uas/oauth2/revocation"
    async with http.post(
        revocation, data={**form, "client_assertion": assertion(emulator, aud=revocation)}
    ) as response:
        assert response.status == 200  # post /uas/oauth2/revocation
    async with http.post(revocation, data={**form, "client_assertion": assertion(emulator, aud="x")}) as response:
        assert response.status == 401


async def test_discovery_lists_the_jwt_methods_and_their_algorithms(emulator, http):
    async with http.get(emulator.url + "/uas/.well-known/openid-configuration") as response:
        document = await response.json()
    assert {"client_secret_jwt", "private_key_jwt"} <= set(document["token_endpoint_auth_methods_supported"])
    assert document["token_endpoint_auth_signing_alg_values_supported"] == ["HS256", "RS256", "ES256"]
