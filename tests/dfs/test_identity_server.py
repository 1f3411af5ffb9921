"""The DFS identity server beside the Admin API: "post /connect/token",
"get /.well-known/openid-configuration" and its JWKS; bad tokens on demand from
POST /__emulator/dfs/token {"kind"}; tokens on the namespace clock."""

from __future__ import annotations

import aiohttp
import jwt
import pytest

from emulator.auth.signing import generate_key
from tests.support.dfs import ADMIN, GLOBEX_UID, TENANT_UID

CLIENT = {"Authorization": aiohttp.encode_basic_auth("dfs-ci-client", "dfs-ci-secret")}
ROLES = "/v2.0/roles"  # get /v2.0/roles


@pytest.fixture
async def http(emulator):
    async with aiohttp.ClientSession(headers=emulator.headers) as session:
        yield session


async def connect_token(emulator, http, form: dict, headers=CLIENT):
    async with http.post(emulator.url + "/connect/token", data=form, headers=headers or {}) as response:
        return response.status, await response.json(), response.headers


async def call_roles(emulator, http, token: str) -> tuple[int, dict]:
    async with http.get(emulator.url + ROLES, headers={"Authorization": f"Bearer {token}"}) as response:
        return response.status, await response.json()


async def test_client_flow_discovery_connect_token_then_a_dfs_operation(emulator, http):
    async with http.get(emulator.url + "/.well-known/openid-configuration") as response:
        assert response.status == 200
        discovery = await response.json()
    assert discovery["grant_types_supported"] == ["authorization_code", "client_credentials"]
    async with http.post(
        discovery["token_endpoint"], headers=CLIENT, data={"grant_type": "client_credentials", "scope": "DfsAdmin"}
    ) as response:
        assert response.status == 200 and response.headers["Cache-Control"] == "no-store"
        issued = await response.json()
    assert issued["token_type"] == "Bearer" and issued["expires_in"] == 3600 and issued["scope"] == "DfsAdmin"
    status, roles = await call_roles(emulator, http, issued["access_token"])
    assert status == 200 and roles
    journal = [entry["operation"] for entry in await emulator.requests()]
    assert journal[-2:] == ["post /connect/token", "get /v2.0/roles"]


async def test_jwks_verifies_the_token_and_claims_name_tenant_identity_client(emulator, http):
    async with http.get(emulator.url + "/.well-known/openid-configuration") as response:
        discovery = await response.json()
    async with http.get(discovery["jwks_uri"]) as response:
        keys = (await response.json())["keys"]
    _, issued, _ = await connect_token(emulator, http, {"grant_type": "client_credentials"})
    token = issued["access_token"]
    key = jwt.PyJWK(next(k for k in keys if k["kid"] == jwt.get_unverified_header(token)["kid"]))
    claims = jwt.decode(token, key.key, algorithms=["RS256"], audience="DfsAdmin", issuer=discovery["issuer"])
    assert claims["tenant_uid"] == TENANT_UID and claims["tenant_id"] == 2 and claims["sub"] == ADMIN
    assert claims["client_id"] == "dfs-ci-client" and claims["scope"] == "DfsAdmin"


async def test_the_client_picks_one_of_its_tenants(emulator, http):
    status, issued, _ = await connect_token(
        emulator, http, {"grant_type": "client_credentials", "acr_values": f"tenant:{GLOBEX_UID}"}
    )
    assert status == 200
    assert jwt.decode(issued["access_token"], options={"verify_signature": False})["tenant_uid"] == GLOBEX_UID
    status, error = await call_roles(emulator, http, issued["access_token"])
    assert (status, error["Code"]) == (403, "Forbidden")  # the client's identity has no access to Globex
    status, error, _ = await connect_token(emulator, http, {"grant_type": "client_credentials", "tenant": "Nowhere"})
    assert (status, error["error"]) == (400, "invalid_grant")


@pytest.mark.parametrize(
    "form, headers, status, error",
    [
        (
            {"grant_type": "client_credentials"},
            {"Authorization": aiohttp.encode_basic_auth("dfs-ci-client", "wrong")},
            401,
            "invalid_client",
        ),
        ({"grant_type": "client_credentials"}, None, 401, "invalid_client"),
        (
            {"grant_type": "client_credentials", "client_id": "dfs-ci-client", "client_secret": "nope"},
            None,
            401,
            "invalid_client",
        ),
        ({"grant_type": "password", "username": "a", "password": "b"}, CLIENT, 400, "unsupported_grant_type"),
        ({"scope": "DfsAdmin"}, CLIENT, 400, "invalid_request"),
        ({"grant_type": "client_credentials", "scope": "DfsAdmin Payments"}, CLIENT, 400, "invalid_scope"),
    ],
)
async def test_connect_token_errors_are_rfc_6749(emulator, http, form, headers, status, error):
    got, body, answer_headers = await connect_token(emulator, http, form, headers)
    assert (got, body["error"]) == (status, error), body
    if status == 401:
        assert answer_headers["WWW-Authenticate"].startswith("Basic")


async def test_client_secret_post_works_too(emulator, http):
    status, issued, _ = await connect_token(
        emulator,
        http,
        {"grant_type": "client_credentials", "client_id": "dfs-ci-client", "client_secret": "dfs-ci-secret"},
        None,
    )
    assert status == 200 and (await call_roles(emulator, http, issued["access_token"]))[0] == 200


@pytest.mark.parametrize(
    "kind, status",
    [
        ("valid", 200),
        ("expired", 401),
        ("not_yet_valid", 401),
        ("wrong_audience", 401),
        ("other_tenant", 401),
        ("bad_signature", 401),
        ("revoked", 401),
        ("wrong_scope", 403),
    ],
)
async def test_bad_credentials_on_demand(emulator, http, kind, status):
    async with http.post(emulator.url + "/__emulator/dfs/token", json={"kind": kind}) as response:
        assert response.status == 200
        minted = await response.json()
    assert minted["kind"] == kind
    got, body = await call_roles(emulator, http, minted["access_token"])
    assert got == status, body
    if status != 200:
        assert body["Code"] == ("Unauthorized" if status == 401 else "Forbidden")


async def test_unknown_kind_is_refused(emulator, http):
    async with http.post(emulator.url + "/__emulator/dfs/token", json={"kind": "outside_group"}) as response:
        assert response.status == 400 and "expired" in (await response.json())["Message"]


async def test_a_client_id_that_is_not_a_string_is_refused(emulator, http):
    async with http.post(emulator.url + "/__emulator/dfs/token", json={"clientId": {"x": 1}}) as response:
        assert response.status == 400 and "clientId" in (await response.json())["Message"]


async def test_connect_tokens_expire_on_the_namespace_clock(emulator, http):
    _, issued, _ = await connect_token(emulator, http, {"grant_type": "client_credentials"})
    assert (await call_roles(emulator, http, issued["access_token"]))[0] == 200
    await emulator.clock.advance(3600)
    status, body = await call_roles(emulator, http, issued["access_token"])
    assert status == 401 and "expired" in body["Message"]
    _, again, _ = await connect_token(emulator, http, {"grant_type": "client_credentials"})  # a fresh one works
    assert (await call_roles(emulator, http, again["access_token"]))[0] == 200


async def test_identity_server_fault_is_seen_by_the_client(emulator, http):
    async with emulator.fault(operation="post /connect/token", status=503, times=1):
        status, body, _ = await connect_token(emulator, http, {"grant_type": "client_credentials"})
        assert (status, body["error"]) == (503, "temporarily_unavailable")
        status, body, _ = await connect_token(emulator, http, {"grant_type": "client_credentials"})
        assert status == 200
    async with http.get(emulator.url + "/connect/nothing") as response:
        assert response.status == 404 and (await response.json())["error"] == "not_found"


async def test_a_scenario_key_signs_and_is_published(emulator, http):
    key = generate_key()
    await emulator.load_scenario({"dfs": {"settings": {"signingKeyPem": key.private_pem()}}})
    async with http.get(emulator.url + "/.well-known/openid-configuration/jwks") as response:
        assert [k["kid"] for k in (await response.json())["keys"]] == [key.kid]
    own = key.sign({"tenant_id": 2, "aud": "DfsAdmin", "scope": "DfsAdmin"})  # a client holding the scenario's key
    assert (await call_roles(emulator, http, own))[0] == 200
    async with http.post(
        emulator.url + "/__emulator/scenarios", json={"dfs": {"settings": {"signingKeyPem": "not a key"}}}
    ) as response:
        assert response.status == 400 and "signingKeyPem" in await response.text()
