"""The DFS part of the state dump (GET /__emulator/state): after writes over HTTP it
loads back (POST /__emulator/scenarios?replace=true) into identical records in every
dfs.* collection, identical settings, and an identical second dump."""

import asyncio
import base64

import yaml

from tests.support.dfs import (
    ADMIN,
    BLAIR,
    GLOBEX_ROLE,
    HANK,
    MILES,
    PETER,
    ROLE_ADVISOR,
    ROLE_ASSISTANT,
    ROLE_HEAD,
    ROLE_TRAINEE,
    SARAH,
    TARISSA,
)

JPEG = base64.b64encode(b"\xff\xd8\xff\xe0fake-jpeg").decode()


def dfs_records(emulator) -> dict:
    store = emulator.state.world.store
    return {kind: dict(zip(store[kind].ids(), store[kind])) for kind in store.kinds() if kind.startswith("dfs.")}


def without_description(document: dict) -> dict:
    return {key: value for key, value in document.items() if key != "description"}


async def round_trip(control, emulator, *, as_yaml: bool = False) -> dict:
    """Dump, reload the dump in place of the state, and check nothing changed."""
    records, settings = dfs_records(emulator), emulator.state.world.settings["dfs"]
    dumped = await control.get("/state")
    if as_yaml:
        text = await control.get("/state", params={"format": "yaml"})
        assert without_description(yaml.safe_load(text)) == without_description(dumped)
        await control.post(
            "/scenarios", data=text, params={"replace": "true"}, headers={"Content-Type": "application/yaml"}
        )
    else:
        await control.post("/scenarios", dumped, params={"replace": "true"})
    after = dfs_records(emulator)
    for kind, rows in records.items():
        assert after[kind] == rows, kind
    assert emulator.state.world.settings["dfs"] == settings
    again = await control.get("/state")
    assert without_description(again) == without_description(dumped)
    return dumped["dfs"]


async def test_dfs_writes_survive_the_state_round_trip(dfs, control, emulator):
    # create a role (no RoleKey), exclude it from a senior role's hierarchy
    role = (await dfs.post("/v2.0/roles", {"ShortName": "Junior-Advisor", "LongName": "Junior"})).expect(200).json
    (await dfs.put(f"/v2.0/roles/{ROLE_HEAD}/hierarchy/exclude", [role["Id"], ROLE_ASSISTANT])).expect(204)
    (await dfs.patch(f"/v2.0/roles/{ROLE_ADVISOR}", {"AccessPolicyIds": [7, 6, 10]})).expect(204)
    (
        await dfs.patch(
            f"/v1.0/roles/{ROLE_ASSISTANT}/back-office-permissions",
            {"DefaultMenuItemId": 2454, "MenuItemIds": [2454, 2455], "FunctionalityIds": [102]},
        )
    ).expect(204)
    # a deleted role leaves a gap the id counter remembers; the new role moves up past the auditor
    (await dfs.delete(f"/v2.0/roles/{ROLE_TRAINEE}")).expect(204)
    (await dfs.patch(f"/v2.0/roles/{role['Id']}/hierarchy-level/Up")).expect(204)
    # create an identity in the new role, patch it, sync its member with other values
    ada = (
        (
            await dfs.post(
                "/v1.2/identities",
                {
                    "firstName": "Ada",
                    "lastName": "Lovelace",
                    "username": "alovelace",
                    "email": "ada@additiv.com",
                    "bankBranchId": 2,
                    "password": "Pw.1",
                    "identityRoleId": role["Id"],
                },
            )
        )
        .expect(200)
        .json["IdentityId"]
    )
    (
        await dfs.post(
            f"/v3.1/identities/{ada}/sync-member",
            {"Member": {"FirstName": "Adelaide"}, "Context": {"Createdby": "Flow"}},
        )
    ).expect(200)
    (
        await dfs.patch(
            f"/v1.3/identities/{ada}",
            {
                "UpdateProperties": ["LastName", "Email", "BankBranchId"],
                "LastName": "King",
                "Email": None,
                "BankBranchId": None,
            },
        )
    ).expect(204)
    (
        await dfs.patch(
            f"/v1.3/identities/{PETER}",
            {"IsSignInEnabled": False, "Mobile": "41|790000000", "ResetPassword": {"NewPassword": "Peter.Reset1"}},
        )
    ).expect(204)
    (await dfs.put(f"/v1.0/identities/{ada}/profilepicture", {"ImageContentBase64": JPEG})).expect(204)
    (
        await dfs.patch(
            f"/v1.0/identities/{MILES}/back-office-permissions", {"MenuItemIds": [], "FunctionalityIds": []}
        )
    ).expect(204)
    # an identity of Globex gets access to Additiv and a member there; Sarah excludes it
    (
        await dfs.patch(
            f"/v1.0/tenants/2/identities/{HANK}/access",
            {"TenantId": 2, "IdentityRoleId": ROLE_ASSISTANT, "IsEnabled": False},
        )
    ).expect(204)
    (await dfs.post(f"/v3.1/identities/{HANK}/sync-member", {})).expect(200)
    (await dfs.put(f"/v1.0/identities/{SARAH}/hierarchy/exclude", [MILES, HANK, BLAIR])).expect(204)
    # participants: a new one, and links through the identity
    participant = (
        await dfs.post("/v1.0/participants", {"name": "Flow Desk", "identityInternalUserIds": [ada, HANK]})
    ).json
    (await dfs.patch(f"/v1.3/identities/{TARISSA}", {"ParticipantIds": [participant["Id"], 1]})).expect(204)
    (await dfs.patch("/v1.0/participants/3", {"isActive": True})).expect(204)
    # audit contexts and a long-running request
    (
        await dfs.post(
            "/v3.0/audit-context/generate",
            {"AuthorizedAppId": "jGER285mdgZuDq50PadB1ITWv3tM9Y", "PersonIds": [5], "InternalIds": [ADMIN]},
        )
    ).expect(200)
    request_id = (await dfs.post("/v1.0/identities/import-members")).expect(200).json["longRunningRequestId"]
    for _ in range(100):
        if emulator.state.world.store["dfs.long_running"].get(request_id).status == "Completed":
            break
        await asyncio.sleep(0.02)

    before = dfs_records(emulator)
    section = await round_trip(control, emulator)

    # what the dump says, in scenario terms
    additiv = section["tenants"]["additiv"]
    new_role = additiv["roles"][f"role-{role['Id']}"]
    assert new_role["roleKey"] is None and new_role["shortName"] == "Junior-Advisor"
    assert "unused" not in additiv["roles"]  # deleted
    assert list(additiv["roles"]).index(f"role-{role['Id']}") < list(additiv["roles"]).index("auditor")  # moved up
    assert additiv["roles"]["head-advisor"]["excludes"] == [f"role-{role['Id']}", "assistant"]
    assert section["sequences"]["role"] >= 7 and "audit-context:2" in section["sequences"]
    ada_entry = additiv["identities"][ada]
    assert ada_entry["picture"] == JPEG and ada_entry["lastName"] == "King" and "email" not in ada_entry
    assert ada_entry["member"]["firstName"] == "Adelaide" and ada_entry["member"]["lastName"] == "Lovelace"
    assert ada_entry["member"]["email"] == "ada@additiv.com" and ada_entry["member"]["bankBranch"] == "geneva"
    assert additiv["identities"]["miles"]["backOffice"] == {}
    assert "hank" in additiv["identities"]  # listed in the first tenant it has access to
    globex = section["tenants"]["globex"]
    assert [grant["identity"] for grant in globex["access"]] == ["sarah", "hank"]  # by identity id
    assert additiv["longRunningRequests"][0]["status"] == "Completed"

    # the reloaded state answers the API as before
    assert dfs_records(emulator) == before
    identity = (await dfs.get(f"/v1.0/identities/{ada}")).expect(200).json
    assert identity["ParticipantIds"] == [participant["Id"]]
    next_role = (await dfs.post("/v2.0/roles", {"ShortName": "After-Reload"})).expect(200).json
    assert next_role["Id"] == role["Id"] + 1
    # three contexts so far: two sync-member calls and the generate call
    assert (await dfs.post("/v3.0/audit-context/generate", {})).json["AuditContextId"] == 1004


async def test_state_round_trip_as_yaml_and_twice(dfs, control, emulator):
    (await dfs.put(f"/v1.0/identities/{SARAH}/profilepicture", {"ImageContentBase64": JPEG})).expect(204)
    await round_trip(control, emulator, as_yaml=True)
    await round_trip(control, emulator)


async def test_generated_identities_dump_as_explicit_entities(control, emulator):
    scenario = {
        "name": "small-bulk",
        "seed": 3,
        "dfs": {
            "settings": {"signingKey": "k" * 32, "longRunningDelaySeconds": 0.25, "defaultPageSize": 5},
            "tenants": {
                "bulk": {
                    "id": 30,
                    "name": "Bulk Tenant",
                    "roles": {
                        "bulk-admin": {"shortName": "Administrator", "roleKey": "admin", "allowAllPolicies": True},
                        "bulk-advisor": {"shortName": "Advisor", "roleKey": "advisor"},
                    },
                    "identities": {"bulk-root": {"userName": "bulk.root", "role": "bulk-admin"}},
                    "access": [{"identity": "sarah", "role": "bulk-advisor", "member": {"id": 900, "firstName": None}}],
                    "generate": [{"count": 5, "role": "bulk-advisor", "withMember": False}],
                }
            },
        },
    }
    await control.post("/scenarios", scenario)
    section = await round_trip(control, emulator)
    bulk = section["tenants"]["bulk"]
    assert len(bulk["identities"]) == 6 and "generate" not in bulk
    assert sum(1 for item in bulk["identities"].values() if item["member"] is False) == 5
    assert section["settings"]["signingKey"] == "k" * 32
    assert section["tenants"]["bulk"]["access"] == [
        {"identity": "sarah", "role": "bulk-advisor", "member": {"id": 900, "firstName": None}}
    ]


async def test_empty_dfs_state_round_trips(control, emulator):
    await control.post("/scenarios", {"dfs": {}}, params={"replace": "true"})
    assert (await round_trip(control, emulator)) == {
        "settings": {
            "defaultClientId": "dfs-emulator-client",
            "tokenLifetimeSeconds": 3600,
            "longRunningDelaySeconds": 0.0,
            "defaultPageSize": 10,
            "maxPageSize": 1000,
            "apiScope": "DfsAdmin",
            "audience": "DfsAdmin",
        }
    }
    assert GLOBEX_ROLE not in dfs_records(emulator)["dfs.roles"]
