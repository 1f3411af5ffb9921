"""Rotating the DFS identity server's signing key on demand (POST
/__emulator/dfs/keys/rotate, docs/oauth.md "Rotating the signing key"): /connect/token,
ID tokens and /__emulator/dfs/token sign with the new kid; the JWKS at the discovery's
jwks_uri keeps the retired kid for the grace period on the namespace's clock (or drops
it at once), and tokens signed with it then fail at the Admin API (get /v2.0/roles),
even those its verified-caller cache already knows. Per namespace, undone by a reset.
The identity endpoints take the pipeline's faults like any operation."""

from __future__ import annotations

import aiohttp
import jwt
import pytest

ROTATE = "/__emulator/dfs/keys/rotate"
CLIENT = {"Authorization": aiohttp.encode_basic_auth("dfs-ci-client", "dfs-ci-secret")}
ROLES = "/v2.0/roles"  # get /v2.0/roles


@pytest.fixture
async def http(emulator):
    async with aiohttp.ClientSession(headers=emulator.headers) as session:
        yield session


async def rotate(emulator, http, body=None, status=200, headers=None) -> dict:
    async with http.post(emulator.url + ROTATE, json=body, headers=headers) as response:
        answer = await response.json()
        assert response.status == status, answer
        return answer


async def published_kids(emulator, http) -> list[str]:
    async with http.get(emulator.url + "/.well-known/openid-configuration") as response:
        jwks_uri = (await response.json())["jwks_uri"]
    async with http.get(jwks_uri) as response:  # get /.well-known/openid-configuration/jwks
        return [key["kid"] for key in (await response.json())["keys"]]


async def app_token(emulator, http) -> str:
    async with http.post(
        emulator.url + "/connect/token", data={"grant_type": "client_credentials"}, headers=CLIENT
    ) as response:  # post /connect/token
        assert response.status == 200
        return (await response.json())["access_token"]


async def roles_status(emulator, http, token: str) -> int:
    async with http.get(emulator.url + ROLES, headers={"Authorization": f"Bearer {token}"}) as response:
        return response.status


def kid(token: str) -> str:
    return jwt.get_unverified_header(token)["kid"]


async def test_a_rotation_signs_with_a_new_kid_and_keeps_the_old_one_for_the_grace_period(emulator, http):
    old_token = await app_token(emulator, http)
    assert await roles_status(emulator, http, old_token) == 200  # now in the verified-caller cache
    rotated = await rotate(emulator, http, {"graceSeconds": 120})
    assert rotated["retiredKid"] == kid(old_token) != rotated["kid"]
    assert await published_kids(emulator, http) == [rotated["kid"], kid(old_token)]
    new_token = await app_token(emulator, http)
    assert kid(new_token) == rotated["kid"]
    for token in (old_token, new_token):
        assert await roles_status(emulator, http, token) == 200
    await emulator.clock.advance(121)
    assert await published_kids(emulator, http) == [rotated["kid"]]
    assert await roles_status(emulator, http, old_token) == 401  # the cache let go of it too
    assert await roles_status(emulator, http, new_token) == 200


async def test_grace_seconds_zero_drops_the_old_key_at_once(emulator, http):
    old_token = await app_token(emulator, http)
    assert await roles_status(emulator, http, old_token) == 200
    rotated = await rotate(emulator, http, {"graceSeconds": 0})
    assert rotated["retiredUntil"] is None and await published_kids(emulator, http) == [rotated["kid"]]
    assert await roles_status(emulator, http, old_token) == 401


async def test_control_minted_and_code_flow_tokens_use_the_new_key(emulator, http):
    rotated = await rotate(emulator, http, {"graceSeconds": 0})
    async with http.post(emulator.url + "/__emulator/dfs/token", json={}) as response:
        minted = (await response.json())["access_token"]
    assert kid(minted) == rotated["kid"] and await roles_status(emulator, http, minted) == 200
    logged_in = await emulator.log_in(
        "sconnor",
        client_id="dfs-web-client",
        client_secret="dfs-web-client-secret",
        scope="openid profile DfsAdmin",
        issuer_path="",
    )
    assert kid(logged_in.access_token) == kid(logged_in.id_token) == rotated["kid"]


async def test_a_rotation_is_per_namespace_and_a_reset_undoes_it(emulator, http):
    before = await published_kids(emulator, http)
    token = await app_token(emulator, http)
    await rotate(emulator, http, {"graceSeconds": 0}, headers={"X-Emulator-Namespace": "dfs-rotation-elsewhere"})
    assert await published_kids(emulator, http) == before
    assert await roles_status(emulator, http, token) == 200
    await rotate(emulator, http, {"graceSeconds": 0})
    await emulator.reset()
    assert await published_kids(emulator, http) == before


@pytest.mark.parametrize("body", [{"graceSeconds": -1}, {"graceSeconds": "soon"}, {"grace": 5}, [1]])
async def test_a_bad_rotation_body_is_refused_with_400(emulator, http, body):
    before = await published_kids(emulator, http)
    assert (await rotate(emulator, http, body, status=400))["error"]
    assert await published_kids(emulator, http) == before


async def test_the_control_openapi_document_lists_the_rotation(emulator, http):
    async with http.get(emulator.url + "/__emulator/openapi.json") as response:
        document = await response.json()
    assert "graceSeconds" in str(document["paths"][ROTATE]["post"])


@pytest.mark.parametrize(
    ("operation", "method", "path", "data"),
    [
        ("get /.well-known/openid-configuration/jwks", "GET", "/.well-known/openid-configuration/jwks", None),
        ("get /.well-known/openid-configuration", "GET", "/.well-known/openid-configuration", None),
        ("get /connect/authorize", "GET", "/connect/authorize?client_id=dfs-web-client", None),
        ("post /connect/token", "POST", "/connect/token", {"grant_type": "client_credentials"}),
    ],
)
async def test_the_identity_endpoints_take_status_and_delay_faults(emulator, http, operation, method, path, data):
    async with emulator.fault(operation=operation, status=503, times=1):
        async with http.request(method, emulator.url + path, data=data, allow_redirects=False) as response:
            assert response.status == 503
    async with emulator.fault(operation=operation, kind="delay", delay_ms=50, times=1):
        async with http.request(method, emulator.url + path, data=data, allow_redirects=False) as response:
            assert response.status != 503  # delayed, then answered as usual
    async with http.request(method, emulator.url + path, data=data, allow_redirects=False) as response:
        assert response.status != 503  # times=1: the fault is spent
