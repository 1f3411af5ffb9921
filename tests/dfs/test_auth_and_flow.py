"""DFS cross-cutting behaviour (Bearer auth, correlation ids, bad input, OpenAPI) and a realistic flow."""

import time

import aiohttp
import jwt
import pytest

from emulator.app import create_app, default_apis
from emulator.auth.signing import run_key
from emulator.config import DEFAULT_SCENARIO, EmulatorConfig
from emulator.world.scenarios import load_baseline, parse_scenario_text
from tests.support.dfs import ADMIN, BLAIR, DANNY, GLOBEX_UID, MILES, ROLE_HEAD, SARAH
from tests.support.vendored import vendored_lines


async def test_token_endpoint_mints_a_jwt_with_documented_claims(emulator):
    async with aiohttp.ClientSession() as http:
        async with http.post(emulator.url + "/__emulator/dfs/token", json={}) as response:
            token = (await response.json())["access_token"]
        async with http.post(
            emulator.url + "/__emulator/dfs/token", json={"tenantUid": GLOBEX_UID, "identityId": None}
        ) as response:
            app_token = (await response.json())["access_token"]
        async with http.post(emulator.url + "/__emulator/dfs/token", json={"identityId": "nobody"}) as response:
            assert response.status == 404
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["tenant_uid"] == "4ffd1a62-2c9e-4c2d-b495-18d00141498e" and claims["tenant_id"] == 2
    assert claims["sub"] == ADMIN and "client_id" in claims and "exp" in claims
    assert "sub" not in jwt.decode(app_token, options={"verify_signature": False})


async def test_every_answer_has_a_fresh_correlation_id(dfs):
    first = (await dfs.get("/v2.0/roles/999")).expect(404)
    second = (await dfs.get("/v2.0/roles/999")).expect(404)
    ok = (await dfs.get("/v2.0/roles")).expect(200)
    ids = {first.json["CorrelationId"], second.json["CorrelationId"], ok.headers["X-Correlation-ID"]}
    assert len(ids) == 3


def signed(claims: dict) -> dict:
    """A token with exactly these claims, signed by the identity server's key of this run."""
    return {"Authorization": "Bearer " + run_key("dfs-identity").sign(claims)}


async def test_tenant_claim_alternatives_and_identities_without_access(dfs):
    for claims in ({"tenantId": 2}, {"tenant": "Additiv"}, {"tenant_uid": "4FFD1A62-2C9E-4C2D-B495-18D00141498E"}):
        (await dfs.get("/v2.0/roles", headers=signed(claims))).expect(200)
    for missing in ({"sub": ADMIN}, {"tenant_id": 2, "sub": "01000000-0000-0000-0000-00000000ffff"}):
        (await dfs.get("/v2.0/roles", headers=signed(missing))).expect(401)
    (await dfs.get("/v2.0/roles", headers=dfs.token(identity_id=DANNY))).expect(403, "Forbidden")  # access disabled
    (await dfs.get("/v2.0/roles", headers=dfs.token(identity_id=BLAIR))).expect(403)  # sign-in disabled
    (await dfs.get("/v2.0/roles", headers={"Accept-Language": "de"})).expect(200)


async def test_an_expired_token_is_refused_even_after_it_was_accepted(dfs, emulator):
    # Verified tokens are cached; their time claims must still be checked on every use,
    # against the namespace's clock.
    soon = int(time.time()) + 60
    headers = signed({"tenant_id": 2, "exp": soon})
    (await dfs.get("/v2.0/roles", headers=headers)).expect(200)
    await emulator.clock.advance(61)
    (await dfs.get("/v2.0/roles", headers=headers)).expect(401, "Unauthorized")
    (await dfs.get("/v2.0/roles", headers=signed({"tenant_id": 2, "nbf": soon + 3600}))).expect(401)


async def test_tokens_signed_with_an_unknown_key_are_refused(dfs):
    forged = jwt.encode({"tenant_id": 2}, "k" * 32, algorithm="HS256")
    (await dfs.get("/v2.0/roles", headers={"Authorization": f"Bearer {forged}"})).expect(401, "Unauthorized")


async def test_signatures_are_checked_when_the_scenario_configures_a_key(aiohttp_server):
    extra = parse_scenario_text("dfs: {settings: {signingKey: 'a-very-secret-key-of-32-bytes-!!'}}", "signed")
    baseline = load_baseline([DEFAULT_SCENARIO], default_apis(), documents=[("signed", extra)])
    server = await aiohttp_server(create_app(EmulatorConfig(), baseline=baseline))
    url = str(server.make_url("/v2.0/roles"))
    forged = jwt.encode({"tenant_id": 2}, "another-key-another-key-another!", algorithm="HS256")
    good = jwt.encode({"tenant_id": 2}, "a-very-secret-key-of-32-bytes-!!", algorithm="HS256")
    async with aiohttp.ClientSession() as http:
        async with http.get(url, headers={"Authorization": f"Bearer {forged}"}) as response:
            assert response.status == 401
        async with http.get(url, headers={"Authorization": f"Bearer {good}"}) as response:
            assert response.status == 200


@pytest.mark.parametrize(
    "body",
    [b"[", b"null", b'"text"', b'{"Page": 1e400}', b"\xff\xfe", b'{"SortOrder": null}', b'{"RoleIds": [99999999999]}'],
)
async def test_malformed_search_bodies_are_400_never_500(dfs, body):
    (await dfs.post("/v1.0/identities/search", data=body)).expect(400, "BadRequest")


async def test_unknown_paths_and_methods_get_the_error_document(dfs):
    (await dfs.get("/v1.0/nowhere")).expect(404, "NotFound")
    (await dfs.call("PUT", "/v2.0/roles")).expect(405, "MethodNotAllowed")


async def test_openapi_document_lists_all_43_operations(emulator):
    async with aiohttp.ClientSession() as http:
        async with http.get(emulator.url + "/__emulator/dfs/openapi.json") as response:
            document = await response.json()
    operations = {f"{method} {path}" for path, item in document["paths"].items() for method in item}
    assert len(operations) == 43
    documented = set(vendored_lines("dfs-documented-operations.txt"))  # "DFS Admin Services API (latest)"
    assert documented == operations
    assert document["paths"]["/v1.3/identities/{identityId}"]["patch"]["responses"].keys() >= {"204", "422"}
    jsonschema_ok = __import__("jsonschema").Draft202012Validator.check_schema
    for _name, schema in document["components"]["schemas"].items():
        jsonschema_ok(schema)


async def test_flow_role_identity_search_patch_sync_participant_hierarchy_delete(dfs, emulator):
    # create role, lowest in the hierarchy
    role = (await dfs.post("/v2.0/roles", {"ShortName": "Junior-Advisor", "RoleKey": "junior"})).expect(200).json
    # create an identity in it
    created = (
        await dfs.post(
            "/v1.2/identities",
            {
                "firstName": "Ada",
                "lastName": "Lovelace",
                "username": "alovelace",
                "email": "ada@additiv.com",
                "identityRoleId": role["Id"],
            },
        )
    ).expect(200)
    ada = created.json["IdentityId"]
    # find it
    found = (await dfs.post("/v1.0/identities/search", {"SearchTerm": "Junior", "SearchIdentityBy": "RoleName"})).json
    assert [i["IdentityId"] for i in found["Results"]] == [ada]
    # patch it
    (await dfs.patch(f"/v1.3/identities/{ada}", {"UpdateProperties": ["LastName"], "LastName": "King"})).expect(204)
    # sync its member
    synced = (
        (await dfs.post(f"/v3.1/identities/{ada}/sync-member", {"Context": {"Createdby": "Flow"}})).expect(200).json
    )
    member = (await dfs.get(f"/v1.0/members/{synced['MemberId']}")).expect(200).json
    assert member["LastName"] == "King" and member["IdentityId"] == ada
    # tie it to a participant; the participant lists it, it lists the participant
    participant = (await dfs.post("/v1.0/participants", {"name": "Flow Desk", "identityInternalUserIds": [ada]})).json
    assert (await dfs.get(f"/v1.0/identities/{ada}")).json["ParticipantIds"] == [participant["Id"]]
    by_participant = (await dfs.post("/v1.0/identities/search", {"ParticipantIds": [participant["Id"]]})).json
    assert [i["IdentityId"] for i in by_participant["Results"]] == [ada]
    # hierarchy: Miles (advisor) reaches Ada; after moving the junior role up past everyone below advisor
    # it stays below; excluding the role drops Ada from Sarah's and the role hierarchy
    assert ada in {
        i["IdentityId"] for i in (await dfs.get(f"/v1.0/identities/{MILES}/hierarchy")).json["HierarchyItems"]
    }
    for _ in range(4):
        (await dfs.patch(f"/v2.0/roles/{role['Id']}/hierarchy-level/Up")).expect(204)
    assert (await dfs.get(f"/v2.0/roles/{role['Id']}/hierarchy")).json["Base"]["HierarchyLevel"] == 3
    assert ada in {i["IdentityId"] for i in (await dfs.get(f"/v1.0/identities/{MILES}/hierarchy")).json["Superiors"]}
    assert (await dfs.get(f"/v1.0/identities/{MILES}/hierarchy/{synced['MemberId']}/exists")).json is False
    (await dfs.put(f"/v2.0/roles/{ROLE_HEAD}/hierarchy/exclude", [role["Id"]])).expect(204)
    assert role["Id"] not in [
        r["Id"] for r in (await dfs.get(f"/v2.0/roles/{ROLE_HEAD}/hierarchy")).json["HierarchyItems"]
    ]
    assert ada not in {
        i["IdentityId"] for i in (await dfs.get(f"/v1.0/identities/{SARAH}/hierarchy")).json["HierarchyItems"]
    }
    # delete: the role is held, so 422; move Ada to another role, then the role can go
    (await dfs.delete(f"/v2.0/roles/{role['Id']}")).expect(422)
    (await dfs.patch(f"/v1.3/identities/{ada}", {"IdentityRoleId": 4})).expect(204)
    (await dfs.delete(f"/v2.0/roles/{role['Id']}")).expect(204)
    assert (await dfs.get(f"/v2.0/roles/{ROLE_HEAD}/hierarchy")).json["Base"]["HierarchyLevel"] == 2
