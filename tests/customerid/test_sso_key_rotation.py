"""Rotating the SSO's signing key on demand (POST /__emulator/customerid/keys/rotate,
docs/oauth.md "Rotating the signing key"): a new kid signs, the retired one stays
in JWKS for the grace period on the namespace's clock or is dropped at once, and
tokens signed with it then fail at the API (GET105) and at introspection. Per
namespace. The identity endpoints take the pipeline's faults like any operation."""

import aiohttp
import jwt
import pytest

from tests.customerid.test_oauth import RESOURCE_SERVER, get105, password_token

ROTATE = "/__emulator/customerid/keys/rotate"


@pytest.fixture
async def http(emulator):
    async with aiohttp.ClientSession(headers=emulator.headers) as session:
        yield session


async def rotate(emulator, http, body=None, status=200) -> dict:
    async with http.post(emulator.url + ROTATE, json=body) as response:
        answer = await response.json()
        assert response.status == status, answer
        return answer


async def published_kids(emulator, http) -> list[str]:
    async with http.get(emulator.url + "/uas/oauth2/metadata.jwks") as response:  # get /uas/oauth2/metadata.jwks
        return [key["kid"] for key in (await response.json())["keys"]]


async def introspect(emulator, http, token: str) -> dict:
    async with http.post(
        emulator.url + "/uas/oauth2/introspection", data={"token": token}, headers=RESOURCE_SERVER
    ) as response:
        return await response.json()


def kid(token: str) -> str:
    return jwt.get_unverified_header(token)["kid"]


async def test_a_rotation_signs_with_a_new_kid_and_keeps_the_old_one_for_the_grace_period(emulator, http):
    old_token = (await password_token(emulator, http))["access_token"]
    old_kid = kid(old_token)
    rotated = await rotate(emulator, http, {"graceSeconds": 120})
    assert rotated["retiredKid"] == old_kid and rotated["kid"] != old_kid
    assert await published_kids(emulator, http) == [rotated["kid"], old_kid]
    new_token = (await password_token(emulator, http))["access_token"]
    assert kid(new_token) == rotated["kid"]
    for token in (old_token, new_token):  # both verify while the old key is in its grace period
        assert (await get105(emulator, http, token))[0] == 200
        assert (await introspect(emulator, http, token))["active"] is True
    await emulator.clock.advance(121)
    assert await published_kids(emulator, http) == [rotated["kid"]]
    status, body, _ = await get105(emulator, http, old_token)
    assert status == 401, body
    assert (await introspect(emulator, http, old_token)) == {"active": False}
    assert (await get105(emulator, http, new_token))[0] == 200


async def test_grace_seconds_zero_drops_the_old_key_at_once(emulator, http):
    old_token = (await password_token(emulator, http))["access_token"]
    rotated = await rotate(emulator, http, {"graceSeconds": 0})
    assert rotated["retiredUntil"] is None and await published_kids(emulator, http) == [rotated["kid"]]
    assert (await get105(emulator, http, old_token))[0] == 401
    assert (await introspect(emulator, http, old_token)) == {"active": False}


async def test_the_default_grace_period_is_300_seconds(emulator, http):
    old_token = (await password_token(emulator, http))["access_token"]
    await rotate(emulator, http)
    await emulator.clock.advance(299)
    assert (await introspect(emulator, http, old_token))["active"] is True
    await emulator.clock.advance(2)
    assert (await introspect(emulator, http, old_token)) == {"active": False}


async def test_a_rotation_in_one_namespace_leaves_another_namespaces_tokens_alone(emulator, http):
    token = (await password_token(emulator, http))["access_token"]
    other = {"X-Emulator-Namespace": "rotation-elsewhere"}
    async with http.post(emulator.url + ROTATE, json={"graceSeconds": 0}, headers=other) as response:
        assert response.status == 200
        rotated_elsewhere = (await response.json())["kid"]
    assert rotated_elsewhere not in await published_kids(emulator, http)
    assert (await get105(emulator, http, token))[0] == 200


async def test_a_reset_undoes_the_rotation(emulator, http):
    before = await published_kids(emulator, http)
    await rotate(emulator, http, {"graceSeconds": 0})
    await emulator.reset()
    assert await published_kids(emulator, http) == before


@pytest.mark.parametrize(
    "body",
    [{"graceSeconds": -1}, {"graceSeconds": "soon"}, {"graceSeconds": True}, {"grace": 5}, [1], {"graceSeconds": 1e9}],
)
async def test_a_bad_rotation_body_is_refused_with_400(emulator, http, body):
    before = await published_kids(emulator, http)
    answer = await rotate(emulator, http, body, status=400)
    assert answer["error"]
    assert await published_kids(emulator, http) == before


async def test_the_control_openapi_document_lists_the_rotation(emulator, http):
    async with http.get(emulator.url + "/__emulator/openapi.json") as response:
        document = await response.json()
    operation = document["paths"][ROTATE]["post"]
    assert "graceSeconds" in str(operation)


@pytest.mark.parametrize(
    ("operation", "method", "path", "data"),
    [
        ("get /uas/oauth2/metadata.jwks", "GET", "/uas/oauth2/metadata.jwks", None),
        ("get /uas/.well-known/openid-configuration", "GET", "/uas/.well-known/openid-configuration", None),
        ("get /uas/oauth2/authorization", "GET", "/uas/oauth2/authorization?client_id=web-client", None),
        ("post /uas/oauth2/token", "POST", "/uas/oauth2/token", {"grant_type": "client_credentials"}),
    ],
)
async def test_the_identity_endpoints_take_status_delay_and_reset_faults(emulator, http, operation, method, path, data):
    async with emulator.fault(operation=operation, status=503, times=1):
        async with http.request(method, emulator.url + path, data=data, allow_redirects=False) as response:
            assert response.status == 503
    async with emulator.fault(operation=operation, kind="delay", delay_ms=50, times=1):
        async with http.request(method, emulator.url + path, data=data, allow_redirects=False) as response:
            assert response.status != 503  # delayed, then answered as usual
    # times=2: aiohttp retries an idempotent request once when its connection drops
    async with emulator.fault(operation=operation, kind="reset", times=2):
        with pytest.raises(aiohttp.ClientConnectionError):
            async with http.request(method, emulator.url + path, data=data, allow_redirects=False) as response:
                await response.read()
