"""CustomerID over OAuth2: the Ubisecure SSO beside it (/uas/...: discovery, token,
introspection, userinfo, JWKS) and Bearer tokens on every CustomerID version, as a
client sees them over HTTP. Operation codes: "post /uas/oauth2/token" & co.
(customerid/endpoints.yaml) and GET105 (2.1 Query User)."""

from __future__ import annotations

import aiohttp
import jwt
import pytest

from emulator.auth.signing import generate_key
from tests.support.customerid import ACME, MAIJA, MATTI


def basic(user: str, password: str) -> dict:
    return {"Authorization": aiohttp.encode_basic_auth(user, password)}


CLIENT = basic("ci-client", "ci-client-secret")
RESOURCE_SERVER = basic("customerid-api", "customerid-api-secret")
API_USER = {"username": "api-user", "password": "api-user-password"}
XML = "application/xml"


@pytest.fixture
async def http(emulator):
    async with aiohttp.ClientSession(headers=emulator.headers) as session:
        yield session


async def token_request(emulator, http, form: dict, auth=CLIENT, **kwargs):
    async with http.post(emulator.url + "/uas/oauth2/token", data=form, headers=auth or {}, **kwargs) as response:
        return response.status, await response.json(), response.headers


async def password_token(emulator, http, **extra) -> dict:
    status, body, _ = await token_request(emulator, http, {"grant_type": "password", **API_USER, **extra})
    assert status == 200, body
    return body


async def get105(emulator, http, token: str | None, version: str = "2.1", user: str = MAIJA):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with http.get(emulator.customerid_url(version) + f"/users/{user}", headers=headers) as response:
        return response.status, await response.text(), response.headers


def error_code(text: str) -> int:
    return int(text.split("<code>")[1].split("</code>")[0])


async def mint(emulator, http, **body) -> str:
    async with http.post(emulator.url + "/__emulator/customerid/tokens", json=body) as response:
        assert response.status == 200, await response.text()
        return (await response.json())["access_token"]


# -- the client flow --------------------------------------------------------------------


async def test_client_flow_discovery_token_then_get105(emulator, http):
    async with http.get(emulator.url + "/uas/.well-known/openid-configuration") as response:
        assert response.status == 200
        discovery = await response.json()
    assert discovery["token_endpoint"].endswith("/uas/oauth2/token")
    async with http.post(
        discovery["token_endpoint"],
        headers=CLIENT,
        data={"grant_type": "password", "scope": "customerid-api", **API_USER},
    ) as response:
        assert response.status == 200 and response.headers["Cache-Control"] == "no-store"
        issued = await response.json()
    assert issued["token_type"] == "Bearer" and issued["expires_in"] == 3600 and issued["refresh_token"]
    assert issued["scope"] == "customerid-api"
    status, text, _ = await get105(emulator, http, issued["access_token"])
    assert status == 200 and "maija.virtanen" in text
    journal = [entry["operation"] for entry in await emulator.requests()]
    assert journal[-2:] == ["post /uas/oauth2/token", "GET105"]


async def test_discovery_documents_agree_and_jwks_verifies_the_tokens(emulator, http):
    async with http.get(emulator.url + "/uas/.well-known/openid-configuration") as response:
        openid = await response.json()
    async with http.get(emulator.url + "/uas/.well-known/oauth-authorization-server") as response:
        assert await response.json() == openid
    assert set(openid["grant_types_supported"]) == {
        "authorization_code",
        "password",
        "client_credentials",
        "refresh_token",
    }
    async with http.get(openid["jwks_uri"]) as response:
        assert response.status == 200
        keys = (await response.json())["keys"]
    token = (await password_token(emulator, http))["access_token"]
    key = jwt.PyJWK(next(k for k in keys if k["kid"] == jwt.get_unverified_header(token)["kid"]))
    claims = jwt.decode(token, key.key, algorithms=["RS256"], audience="customerid-api")
    assert claims["sub"] == claims["usn"] == "api-user" and claims["client_id"] == "ci-client"
    assert claims["iss"] == openid["issuer"] and claims["exp"] - claims["iat"] == 3600
    async with http.get(emulator.url + "/uas/.well-known/nothing") as response:
        assert response.status == 404


async def test_client_credentials_and_refresh_grants(emulator, http):
    status, issued, _ = await token_request(emulator, http, {"grant_type": "client_credentials"})
    assert status == 200 and "refresh_token" not in issued  # RFC 6749 4.4.3
    assert (await get105(emulator, http, issued["access_token"]))[0] == 200
    first = await password_token(emulator, http)
    status, refreshed, _ = await token_request(
        emulator, http, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    )
    assert status == 200 and refreshed["access_token"] != first["access_token"]
    assert (await get105(emulator, http, refreshed["access_token"]))[0] == 200
    # a refresh token of someone else, or made up, is invalid_grant
    status, error, _ = await token_request(emulator, http, {"grant_type": "refresh_token", "refresh_token": "nope"})
    assert (status, error["error"]) == (400, "invalid_grant")
    status, error, _ = await token_request(
        emulator,
        http,
        {
            "grant_type": "refresh_token",
            "refresh_token": first["refresh_token"],
            "scope": "openid customerid-api other",
        },
    )
    assert (status, error["error"]) == (400, "invalid_scope")


@pytest.mark.parametrize(
    "form, auth, status, error",
    [
        ({"grant_type": "password", **API_USER}, basic("ci-client", "wrong"), 401, "invalid_client"),
        ({"grant_type": "password", **API_USER}, basic("nobody", "x"), 401, "invalid_client"),
        ({"grant_type": "password", **API_USER}, None, 401, "invalid_client"),
        (
            {"grant_type": "password", "client_id": "ci-client", "client_secret": "ci-client-secret", **API_USER},
            None,
            401,
            "invalid_client",
        ),  # registered for client_secret_basic
        ({"grant_type": "password", "username": "api-user", "password": "wrong"}, CLIENT, 400, "invalid_grant"),
        ({"grant_type": "password", "username": "api-user"}, CLIENT, 400, "invalid_request"),
        ({"grant_type": "authorization_code", "code": "x"}, CLIENT, 400, "invalid_grant"),  # no such code
        ({"grant_type": "device_code", "code": "x"}, CLIENT, 400, "unsupported_grant_type"),
        ({}, CLIENT, 400, "invalid_request"),
        ({"grant_type": "password", "scope": "admin", **API_USER}, CLIENT, 400, "invalid_scope"),
    ],
)
async def test_token_endpoint_errors_are_rfc_6749(emulator, http, form, auth, status, error):
    got, body, headers = await token_request(emulator, http, form, auth=auth)
    assert (got, body["error"]) == (status, error), body
    assert body["error_description"] and headers["Cache-Control"] == "no-store"
    if status == 401:
        assert headers["WWW-Authenticate"] == 'Basic realm="Ubisecure SSO"'


async def test_token_endpoint_refuses_what_is_not_a_form(emulator, http):
    async with http.post(
        emulator.url + "/uas/oauth2/token", headers=CLIENT, json={"grant_type": "password"}
    ) as response:
        assert response.status == 400 and (await response.json())["error"] == "invalid_request"
    async with http.post(
        emulator.url + "/uas/oauth2/token",
        data="grant_type=password&grant_type=password",
        headers={**CLIENT, "Content-Type": "application/x-www-form-urlencoded"},
    ) as response:
        assert (await response.json())["error"] == "invalid_request"
    async with http.get(emulator.url + "/uas/oauth2/token") as response:
        assert response.status == 405 and "POST" in response.headers["Allow"]


async def test_token_parameters_sent_without_a_value_are_omitted(emulator, http):
    """RFC 6749 3.1, as Swagger UI's form sends them: post /uas/oauth2/token."""
    status, body, _ = await token_request(
        emulator,
        http,
        {"grant_type": "password", **API_USER, "scope": "", "client_id": "", "client_secret": "", "refresh_token": ""},
    )
    assert status == 200 and body["scope"] == "openid customerid-api", body
    status, body, _ = await token_request(emulator, http, {"grant_type": "password", **API_USER, "password": ""})
    assert (status, body["error"]) == (400, "invalid_request") and "password" in body["error_description"]


@pytest.mark.parametrize(
    "method, path, status, allow",
    [
        ("GET", "/uas/oauth2/token", 405, "OPTIONS, POST"),  # post /uas/oauth2/token
        ("PUT", "/uas/oauth2/introspection", 405, "OPTIONS, POST"),  # post /uas/oauth2/introspection
        ("DELETE", "/uas/oauth2/userinfo", 405, "GET, HEAD, OPTIONS, POST"),  # get|post /uas/oauth2/userinfo
        ("POST", "/uas/oauth2/metadata.jwks", 405, "GET, HEAD, OPTIONS"),  # get /uas/oauth2/metadata.jwks
        ("PATCH", "/uas/.well-known/openid-configuration", 405, "GET, HEAD, OPTIONS"),
        ("GET", "/uas/oauth2/authorize", 404, None),  # not emulated (browser flows)
        ("POST", "/uas/", 404, None),
    ],
)
async def test_sso_misses_and_wrong_methods_answer_oauth2_json(emulator, http, method, path, status, allow):
    """The SSO's router misses speak OAuth2 like its other errors, not CustomerID's <error> XML."""
    async with http.request(method, emulator.url + path) as response:
        assert response.status == status and response.content_type == "application/json"
        body = await response.json()
        assert response.headers.get("Allow") == allow
        assert response.headers["Cache-Control"] == "no-store"
    assert body["error"] == ("not_found" if status == 404 else "invalid_request")
    assert path in body["error_description"] and set(body) == {"error", "error_description"}


async def test_customerid_users_log_in_with_their_own_password_but_are_not_api_users(emulator, http):
    status, issued, _ = await token_request(
        emulator, http, {"grant_type": "password", "username": "maija.virtanen", "password": "Secret123!"}
    )
    assert status == 200
    status, text, _ = await get105(emulator, http, issued["access_token"])
    assert (status, error_code(text)) == (403, 3)  # not in "CustomerID API Users"


# -- introspection and userinfo ---------------------------------------------------------


async def introspect(emulator, http, token: str, auth=RESOURCE_SERVER):
    async with http.post(
        emulator.url + "/uas/oauth2/introspection", data={"token": token}, headers=auth or {}
    ) as response:
        return response.status, await response.json(), response.headers


async def test_introspection_answers_rfc_7662(emulator, http):
    issued = await password_token(emulator, http)
    status, answer, _ = await introspect(emulator, http, issued["access_token"])
    assert status == 200 and answer["active"] is True
    assert {"client_id": "ci-client", "usn": "api-user", "token_type": "Bearer"}.items() <= answer.items()
    assert answer["exp"] - answer["iat"] == 3600 and 0 < answer["expires_in"] <= 3600
    assert "customerid-api" in answer["aud"] and answer["iss"].endswith("/uas")
    assert (await introspect(emulator, http, "not-a-token"))[1] == {"active": False}
    revoked = await mint(emulator, http, kind="revoked")
    assert (await introspect(emulator, http, revoked))[1] == {"active": False}
    refresh = (await introspect(emulator, http, issued["refresh_token"]))[1]
    assert refresh["active"] is True and refresh["token_type"] == "refresh_token"


async def test_introspection_needs_an_authenticated_resource_server(emulator, http):
    status, answer, headers = await introspect(emulator, http, "x", auth=None)
    assert (status, answer["error"]) == (401, "invalid_client") and headers["WWW-Authenticate"].startswith("Basic")
    status, answer, _ = await introspect(emulator, http, "x", auth=basic("customerid-api", "bad"))
    assert status == 401
    async with http.post(emulator.url + "/uas/oauth2/introspection", data={}, headers=RESOURCE_SERVER) as response:
        assert response.status == 400 and (await response.json())["error"] == "invalid_request"


async def test_userinfo_with_and_without_a_valid_token(emulator, http):
    token = (await password_token(emulator, http))["access_token"]
    async with http.get(
        emulator.url + "/uas/oauth2/userinfo", headers={"Authorization": f"Bearer {token}"}
    ) as response:
        assert response.status == 200
        info = await response.json()
    assert info["sub"] == "api-user" and info["name"] == "CustomerID API integration"
    async with http.get(emulator.url + "/uas/oauth2/userinfo") as response:
        assert response.status == 401 and response.headers["WWW-Authenticate"] == 'Bearer realm="Ubisecure SSO"'
    expired = await mint(emulator, http, kind="expired")
    async with http.post(
        emulator.url + "/uas/oauth2/userinfo", headers={"Authorization": f"Bearer {expired}"}
    ) as response:
        assert response.status == 401
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


# -- Bearer on CustomerID ---------------------------------------------------------------


async def test_bearer_works_on_every_version(emulator, http):
    token = (await password_token(emulator, http))["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    for version, path in (
        ("2.1", f"/users/{MAIJA}"),
        ("2.0", f"/organizations/{ACME}"),
        ("1.0", "/orgs/"),
        ("1.2", "/registrations/"),
    ):
        async with http.get(emulator.customerid_url(version) + path, headers=headers) as response:
            assert response.status == 200, (version, await response.text())
        async with http.get(
            emulator.customerid_url(version) + path, headers={"Authorization": "Bearer nonsense"}
        ) as response:
            assert response.status == 401, version
            assert response.headers["WWW-Authenticate"].startswith('Bearer realm="CustomerID REST API"')


@pytest.mark.parametrize(
    "kind, status, code",
    [
        ("valid", 200, None),
        ("expired", 401, 2),
        ("not_yet_valid", 401, 2),
        ("wrong_audience", 401, 2),
        ("other_tenant", 401, 2),
        ("bad_signature", 401, 2),
        ("revoked", 401, 2),
        ("wrong_scope", 403, 3),
        ("outside_group", 403, 3),
    ],
)
async def test_bad_credentials_on_demand(emulator, http, kind, status, code):
    token = await mint(emulator, http, kind=kind)
    got, text, headers = await get105(emulator, http, token)
    assert got == status, text
    if code is not None:
        assert error_code(text) == code
    if status == 401:
        assert headers["WWW-Authenticate"].startswith('Bearer realm="CustomerID REST API", error="invalid_token"')


async def test_missing_credentials_name_both_schemes(emulator, http):
    status, text, headers = await get105(emulator, http, None)
    assert (status, error_code(text)) == (401, 2)
    assert headers.getall("WWW-Authenticate") == [
        'Basic realm="CustomerID REST API"',
        'Bearer realm="CustomerID REST API"',
    ]


async def test_control_mint_refuses_unknown_kinds_users_and_bodies(emulator, http):
    url = emulator.url + "/__emulator/customerid/tokens"
    async with http.post(url, json={"kind": "weird"}) as response:
        assert response.status == 400 and "expired" in (await response.json())["kinds"]
    async with http.post(url, json={"username": "ghost"}) as response:
        assert response.status == 404
    async with http.post(url, data=b"[1]") as response:
        assert response.status == 400
    async with http.post(url, json={"kind": 5}) as response:
        assert response.status == 400


async def test_tokens_follow_the_namespace_clock_and_refresh_works(emulator, http):
    issued = await password_token(emulator, http)
    assert (await get105(emulator, http, issued["access_token"]))[0] == 200
    await emulator.clock.advance(3601)
    status, text, _ = await get105(emulator, http, issued["access_token"])
    assert (status, error_code(text)) == (401, 2)
    status, refreshed, _ = await token_request(
        emulator, http, {"grant_type": "refresh_token", "refresh_token": issued["refresh_token"]}
    )
    assert status == 200
    assert (await get105(emulator, http, refreshed["access_token"]))[0] == 200
    await emulator.clock.advance(86400)  # the refresh token's own lifetime is over too
    status, error, _ = await token_request(
        emulator, http, {"grant_type": "refresh_token", "refresh_token": issued["refresh_token"]}
    )
    assert (status, error["error"]) == (400, "invalid_grant")


async def test_tokens_belong_to_their_namespace_and_reset_forgets_them(emulator, http):
    token = (await password_token(emulator, http))["access_token"]
    async with http.get(
        emulator.customerid_url() + f"/users/{MAIJA}",
        headers={"Authorization": f"Bearer {token}", "X-Emulator-Namespace": "other"},
    ) as response:
        assert response.status == 401
    await emulator.reset()
    assert (await get105(emulator, http, token))[0] == 401


async def test_password_authentication_off_leaves_bearer_only(emulator, http):
    await emulator.load_scenario({"customerid": {"settings": {"passwordAuthentication": False}}})
    async with http.get(emulator.customerid_url() + f"/users/{MAIJA}", headers=emulator.auth_headers) as response:
        assert response.status == 401 and response.headers["WWW-Authenticate"] == 'Bearer realm="CustomerID REST API"'
        assert error_code(await response.text()) == 2
    async with http.get(
        emulator.customerid_url() + f"/users/{MAIJA}", params={"username": "restuser", "password": "secret"}
    ) as response:
        assert response.status == 401
    token = (await password_token(emulator, http))["access_token"]
    assert (await get105(emulator, http, token))[0] == 200


async def test_token_server_fault_is_seen_by_a_retrying_client(emulator, http):
    async with emulator.fault(operation="post /uas/oauth2/token", status=503, times=1):
        attempts = []
        for _ in range(2):  # the client under test: one retry on 5xx
            status, body, _ = await token_request(emulator, http, {"grant_type": "password", **API_USER})
            attempts.append((status, body.get("error")))
            if status == 200:
                break
    assert attempts == [(503, "temporarily_unavailable"), (200, None)] and body["access_token"]
    assert await emulator.count(operation="post /uas/oauth2/token") == 2


# -- statuses that change with time -----------------------------------------------------


async def test_a_locked_user_returns_to_enabled_after_the_lock_duration(emulator, http):
    await emulator.clock.freeze()  # wall time must not move the clock past the lock while the test runs
    async with http.post(emulator.url + f"/__emulator/customerid/users/{MAIJA}/lock") as response:
        assert (await response.json())["result"]["status"] == "Locked"
    status, error, _ = await token_request(
        emulator, http, {"grant_type": "password", "username": "maija.virtanen", "password": "Secret123!"}
    )
    assert (status, error["error"]) == (400, "invalid_grant")  # a locked account cannot log in
    await emulator.clock.advance(1799)
    async with http.get(emulator.customerid_url() + f"/users/{MAIJA}", headers=emulator.auth_headers) as response:
        assert "<Value>Locked</Value>" in await response.text()
    await emulator.clock.advance(1)
    async with http.get(emulator.customerid_url() + f"/users/{MAIJA}", headers=emulator.auth_headers) as response:
        assert "<Value>Enabled</Value>" in await response.text()
    status, _, _ = await token_request(
        emulator, http, {"grant_type": "password", "username": "maija.virtanen", "password": "Secret123!"}
    )
    assert status == 200


async def test_a_lock_that_runs_out_before_the_earliest_one_known_is_lifted_first(emulator, http):
    """Lifting remembers the earliest expiry until the locks change (models/locks.py):
    a lock added later that runs out sooner (the clock was set back) must still win."""

    async def status_of(user_id: str) -> str:
        async with http.get(emulator.customerid_url() + f"/users/{user_id}", headers=emulator.auth_headers) as response:
            text = await response.text()
        return "Locked" if "<Value>Locked</Value>" in text else "Enabled" if "<Value>Enabled</Value>" in text else text

    await emulator.clock.freeze("2030-01-01T01:00:00Z")
    await emulator.action("customerid", f"users/{MAIJA}/lock")  # until 01:30
    assert await status_of(MAIJA) == "Locked"  # the earliest expiry (01:30) is now remembered
    await emulator.clock.freeze("2030-01-01T00:00:00Z")
    await emulator.action("customerid", f"users/{MATTI}/lock")  # until 00:30, sooner
    await emulator.clock.advance(1800)
    assert (await status_of(MATTI), await status_of(MAIJA)) == ("Enabled", "Locked")
    await emulator.clock.freeze("2030-01-01T01:30:00Z")
    assert await status_of(MAIJA) == "Enabled"


async def test_scenario_lock_time_and_duration(emulator, http):
    await emulator.clock.set("2030-01-01T00:00:00Z", freeze=True)
    await emulator.load_scenario(
        {
            "customerid": {
                "settings": {"lockDurationSeconds": 60},
                "users": {
                    "locked-one": {
                        "organization": "acme",
                        "status": "Locked",
                        "login": "locked.one",
                        "lockedAt": "2030-01-01T00:00:00Z",
                    }
                },
            }
        }
    )
    user_id = (await emulator.control("GET", "/state"))["customerid"]["users"]["locked-one"]["id"]
    url = emulator.customerid_url() + f"/users/{user_id}"
    async with http.get(url, headers=emulator.auth_headers) as response:
        assert "<Value>Locked</Value>" in await response.text()
    await emulator.clock.advance(60)
    async with http.get(url, headers=emulator.auth_headers) as response:
        assert "<Value>Enabled</Value>" in await response.text()
    async with http.post(
        emulator.url + "/__emulator/scenarios",
        json={
            "customerid": {
                "users": {"x": {"organization": "acme", "status": "Enabled", "lockedAt": "2030-01-01T00:00:00Z"}}
            }
        },
    ) as response:
        assert response.status == 400 and "lockedAt" in await response.text()


async def test_a_scenario_key_signs_the_sso_tokens_and_a_bad_one_is_refused(emulator, http):
    key = generate_key()
    await emulator.load_scenario(
        {"customerid": {"sso": {"signingKey": key.private_pem(), "accessTokenLifetimeSeconds": 60}}}
    )
    async with http.get(emulator.url + "/uas/oauth2/metadata.jwks") as response:
        assert [k["kid"] for k in (await response.json())["keys"]] == [key.kid]
    issued = await password_token(emulator, http)
    assert issued["expires_in"] == 60
    assert (
        jwt.decode(issued["access_token"], key.private.public_key(), algorithms=["RS256"], audience="customerid-api")[
            "usn"
        ]
        == "api-user"
    )
    async with http.post(
        emulator.url + "/__emulator/scenarios", json={"customerid": {"sso": {"signingKey": "-----BEGIN nonsense"}}}
    ) as response:
        assert response.status == 400 and "customerid.sso.signingKey" in await response.text()


async def test_a_timed_lock_survives_a_state_dump_round_trip(emulator, http):
    await emulator.clock.freeze("2030-01-01T00:00:00Z")
    await emulator.action("customerid", f"users/{MAIJA}/lock")
    dumped = await emulator.control("GET", "/state")
    maija = next(user for user in dumped["customerid"]["users"].values() if user.get("id") == MAIJA)
    assert maija["status"] == "Locked" and maija["lockedAt"] == "2030-01-01T00:00:00.000Z"
    assert dumped["customerid"]["sso"]["clients"]["ci-client"]["secret"] == "ci-client-secret"
    await emulator.load_scenario(dumped, replace=True)
    await emulator.clock.advance(1800)
    async with http.get(emulator.customerid_url() + f"/users/{MAIJA}", headers=emulator.auth_headers) as response:
        assert "<Value>Enabled</Value>" in await response.text()


async def test_too_many_wrong_passwords_lock_the_account_until_the_lock_lifts(emulator, http):
    wrong = {"grant_type": "password", "username": "maija.virtanen", "password": "guess"}
    right = {**wrong, "password": "Secret123!"}
    for _ in range(4):
        assert (await token_request(emulator, http, wrong))[1]["error"] == "invalid_grant"
    assert (await token_request(emulator, http, right))[0] == 200  # a success starts the count again
    for _ in range(5):
        await token_request(emulator, http, wrong)
    status, error, _ = await token_request(emulator, http, right)
    assert (status, error["error"]) == (400, "invalid_grant") and "not enabled" in error["error_description"]
    async with http.get(emulator.customerid_url() + f"/users/{MAIJA}", headers=emulator.auth_headers) as response:
        assert "<Value>Locked</Value>" in await response.text()
    await emulator.clock.advance(1800)
    assert (await token_request(emulator, http, right))[0] == 200


async def test_non_ascii_credentials_are_refused_not_crashed_on(emulator, http):
    status, error, _ = await token_request(
        emulator, http, {"grant_type": "password", "username": "api-user", "password": "sälasana"}
    )
    assert (status, error["error"]) == (400, "invalid_grant")
    status, error, _ = await token_request(
        emulator, http, {"grant_type": "password", **API_USER}, auth=basic("ci-client", "sälasana")
    )
    assert (status, error["error"]) == (401, "invalid_client")
    async with http.get(
        emulator.customerid_url() + f"/users/{MAIJA}", headers=basic("restuser", "sälasana")
    ) as response:
        assert response.status == 401  # HTTP Basic: code 2, not a crash
    async with http.post(
        emulator.url + "/connect/token",
        data={"grant_type": "client_credentials"},
        headers=basic("dfs-ci-client", "sälasana"),
    ) as response:
        assert response.status == 401


@pytest.mark.parametrize(
    "token",
    [
        "a.b.c",
        "eyJhbGciOiJSUzI1NiJ9.W10.c2ln",
        "eyJhbGciOlsiUlMyNTYiXX0.e30.c2ln",
        "x" * 5000,
        "eyJhbGciOiJub25lIn0.eyJqdGkiOjV9.",
        "eyJhbGciOiJIUzI1NiJ9.eyJ0ZW5hbnRfaWQiOjJ9.c2ln",
    ],
)
async def test_malformed_bearer_tokens_are_401_on_both_apis(emulator, http, token):
    headers = {"Authorization": f"Bearer {token}"}
    status, text, _ = await get105(emulator, http, token)
    assert (status, error_code(text)) == (401, 2)
    async with http.get(emulator.url + "/v2.0/roles", headers=headers) as response:
        assert response.status == 401
    async with http.get(emulator.url + "/uas/oauth2/userinfo", headers=headers) as response:
        assert response.status == 401
    assert (await introspect(emulator, http, token))[1] == {"active": False}
