"""DFS AuditContext and BackOfficeManagement."""

from tests.support.dfs import ADMIN, JOHN, ROLE_ADVISOR, ROLE_ASSISTANT, SARAH, UNKNOWN


async def test_audit_context_ids_count_per_tenant_from_1001_and_resolve_members(dfs):
    first = (
        await dfs.post(
            "/v3.0/audit-context/generate",
            {
                "Createdby": "BackOffice",
                "AuthorizedAppId": "jGER285mdgZuDq50PadB1ITWv3tM9Y",
                "PersonIds": [5],
                "InternalIds": [ADMIN],
            },
        )
    ).expect(200)
    assert first.json == {
        "AuditContextId": 1001,
        "TenantId": 2,
        "TenantKey": "Additiv",
        "TenantUid": "4ffd1a62-2c9e-4c2d-b495-18d00141498e",
        "MemberIds": [5, 1],
    }
    second = (await dfs.post("/v3.0/audit-context/generate", {})).expect(200)
    assert second.json["AuditContextId"] == 1002 and second.json["MemberIds"] == []


async def test_audit_context_for_unknown_persons_is_422(dfs):
    (await dfs.post("/v3.0/audit-context/generate", {"PersonIds": [4242]})).expect(422, "UnprocessableEntity")
    (await dfs.post("/v3.0/audit-context/generate", {"InternalIds": [JOHN]})).expect(422)  # no member yet
    (await dfs.post("/v3.0/audit-context/generate", {"PersonIds": "1"})).expect(400, "BadRequest")


async def test_provider_setting_by_provider_id(dfs):
    reply = (await dfs.get("/v1.0/identities/provider-setting/1")).expect(200)
    assert reply.json["Name"] == "Idsrv" and reply.json["DisplayName"] == "DFS.Identity"
    assert reply.json["IsDefault"] is True


async def test_unknown_provider_setting_is_not_found(dfs):
    (await dfs.get("/v1.0/identities/provider-setting/9")).expect(404, "NotFound")


async def test_role_back_office_permissions(dfs):
    reply = (await dfs.get(f"/v1.0/roles/{ROLE_ADVISOR}/back-office-permissions")).expect(200)
    assert reply.json == {"DefaultMenuItemId": 2454, "MenuItemIds": [2454, 2455], "FunctionalityIds": [102]}


async def test_role_back_office_permissions_of_unknown_role_is_404(dfs):
    (await dfs.get("/v1.0/roles/404/back-office-permissions")).expect(404)
    (await dfs.get("/v1.0/roles/20/back-office-permissions")).expect(404)  # Globex's role


async def test_patch_role_back_office_permissions_replaces_the_set(dfs):
    (
        await dfs.patch(
            f"/v1.0/roles/{ROLE_ASSISTANT}/back-office-permissions",
            {"DefaultMenuItemId": 2453, "MenuItemIds": [2453, 12], "FunctionalityIds": [201]},
        )
    ).expect(204)
    reply = (await dfs.get(f"/v1.0/roles/{ROLE_ASSISTANT}/back-office-permissions")).expect(200)
    assert reply.json == {"DefaultMenuItemId": 2453, "MenuItemIds": [2453, 12], "FunctionalityIds": [201]}


async def test_patch_role_back_office_permissions_with_unknown_ids_is_422(dfs):
    path = f"/v1.0/roles/{ROLE_ASSISTANT}/back-office-permissions"
    (await dfs.patch(path, {"MenuItemIds": [1]})).expect(422, "UnprocessableEntity")
    (await dfs.patch(path, {"FunctionalityIds": [999]})).expect(422)
    (await dfs.patch(path, {"DefaultMenuItemId": 12, "MenuItemIds": [2453]})).expect(422)
    (await dfs.patch(path, {"MenuItemIds": ["x"]})).expect(400, "BadRequest")
    (await dfs.patch("/v1.0/roles/404/back-office-permissions", {})).expect(404)


async def test_back_office_catalog(dfs):
    reply = (await dfs.get("/v1.0/back-office-permissions")).expect(200)
    assert {m["Id"] for m in reply.json["MenuItems"]} >= {2453, 2454, 2455, 11, 12}
    groups = {g["Id"]: g for g in reply.json["FunctionalityGroups"]}
    assert [f["Id"] for f in groups[100]["Functionalities"]] == [101, 102]


async def test_back_office_catalog_needs_a_bearer_scheme(dfs):
    (await dfs.get("/v1.0/back-office-permissions", headers={"Authorization": "Basic Zm9vOmJhcg=="})).expect(401)


async def test_identity_back_office_permissions_fall_back_to_the_role_then_override_it(dfs):
    role_set = (await dfs.get(f"/v1.0/identities/{SARAH}/back-office-permissions")).expect(200).json
    assert role_set["DefaultMenuItemId"] == 2454
    (
        await dfs.patch(
            f"/v1.0/identities/{SARAH}/back-office-permissions",
            {"defaultMenuItemId": 11, "menuItemIds": [11], "functionalityIds": []},
        )
    ).expect(204)
    own = (await dfs.get(f"/v1.0/identities/{SARAH}/back-office-permissions")).expect(200).json
    assert own == {"DefaultMenuItemId": 11, "MenuItemIds": [11], "FunctionalityIds": []}
    assert (await dfs.get("/v1.0/roles/2/back-office-permissions")).json["DefaultMenuItemId"] == 2454


async def test_identity_back_office_permissions_of_unknown_identity_is_404(dfs):
    (await dfs.get(f"/v1.0/identities/{UNKNOWN}/back-office-permissions")).expect(404)
    (await dfs.patch(f"/v1.0/identities/{UNKNOWN}/back-office-permissions", {})).expect(404)
    (await dfs.patch(f"/v1.0/identities/{SARAH}/back-office-permissions", {"MenuItemIds": [3]})).expect(422)
