"""DFS RoleManagement (v2.0): list, create, get, patch, delete, hierarchy, Up/Down, exclusion."""

from tests.support.dfs import (
    KYLE,
    MILES,
    ROLE_ADMIN,
    ROLE_ADVISOR,
    ROLE_ASSISTANT,
    ROLE_AUDITOR,
    ROLE_HEAD,
    ROLE_TRAINEE,
    SARAH,
)


async def test_list_roles_in_hierarchy_order(dfs):
    reply = (await dfs.get("/v2.0/roles")).expect(200)
    assert [(r["Id"], r["HierarchyLevel"]) for r in reply.json] == [(1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 6)]


async def test_list_roles_with_an_app_token_for_another_tenant_shows_that_tenants_roles(dfs):
    from tests.support.dfs import GLOBEX_UID

    reply = (await dfs.get("/v2.0/roles", headers=dfs.token(tenant_uid=GLOBEX_UID, identity_id=None))).expect(200)
    assert [r["Id"] for r in reply.json] == [20, 21]
    (await dfs.get("/v2.0/roles", headers={"Authorization": "Bearer"})).expect(401)


async def test_create_role_as_the_sample_lowest_in_the_hierarchy(dfs):
    reply = (
        await dfs.post(
            "/v2.0/roles",
            {
                "ShortName": "Portfolio-Manager",
                "LongName": "Portfolio Manager",
                "RoleKey": "pm",
                "IsMemberAccessExcluded": True,
            },
        )
    ).expect(200)
    assert reply.json["TenantId"] == 2 and reply.json["RoleKey"] == "pm" and reply.json["Id"] == 22
    roles = (await dfs.get("/v2.0/roles")).json
    assert roles[-1]["Id"] == reply.json["Id"] and roles[-1]["HierarchyLevel"] == 7
    assert roles[-1]["IsMemberAccessExcluded"] is True


async def test_create_role_errors(dfs):
    (await dfs.post("/v2.0/roles", {"ShortName": "Dup", "RoleKey": "SYSADMIN"})).expect(422)
    (await dfs.post("/v2.0/roles", {"RoleKey": "nameless"})).expect(422)
    (await dfs.post("/v2.0/roles", {"ShortName": 7})).expect(400)


async def test_get_role(dfs):
    reply = (await dfs.get(f"/v2.0/roles/{ROLE_HEAD}")).expect(200)
    assert reply.json["ShortName"] == "Head-Advisor" and reply.json["AllowAllPolicies"] is False
    assert [p["Key"] for p in reply.json["AccessPolicies"]] == ["RMember", "WMember", "RRole"]


async def test_get_role_unknown_or_other_tenant_is_404(dfs):
    (await dfs.get("/v2.0/roles/999")).expect(404, "NotFound")
    (await dfs.get("/v2.0/roles/20")).expect(404)
    (await dfs.get("/v2.0/roles/99999999999")).expect(400)


async def test_patch_role_names_and_policies(dfs):
    (
        await dfs.patch(
            f"/v2.0/roles/{ROLE_ASSISTANT}", {"LongName": "Assistant to the advisors", "AccessPolicyIds": [6, 8]}
        )
    ).expect(204)
    role = (await dfs.get(f"/v2.0/roles/{ROLE_ASSISTANT}")).json
    assert role["LongName"] == "Assistant to the advisors" and role["ShortName"] == "Assistant"
    assert [p["Id"] for p in role["AccessPolicies"]] == [6, 8]
    (await dfs.patch(f"/v2.0/roles/{ROLE_ASSISTANT}", {"AllowAllPolicies": True})).expect(204)
    role = (await dfs.get(f"/v2.0/roles/{ROLE_ASSISTANT}")).json
    assert role["AllowAllPolicies"] is True and role["AccessPolicies"] == []  # the list is removed


async def test_patch_role_errors(dfs):
    (await dfs.patch("/v2.0/roles/999", {"ShortName": "x"})).expect(404)
    (await dfs.patch(f"/v2.0/roles/{ROLE_ADVISOR}", {"AllowAllPolicies": True, "AccessPolicyIds": [1]})).expect(422)
    (await dfs.patch(f"/v2.0/roles/{ROLE_ADVISOR}", {"AccessPolicyIds": [404]})).expect(422)
    (await dfs.patch(f"/v2.0/roles/{ROLE_ADVISOR}", {"RoleKey": "sysadmin"})).expect(422)
    (await dfs.patch(f"/v2.0/roles/{ROLE_ADVISOR}", {"AllowAllPolicies": "no"})).expect(400)


async def test_delete_unused_role_closes_the_gap_in_the_hierarchy(dfs):
    (await dfs.put(f"/v2.0/roles/{ROLE_ADMIN}/hierarchy/exclude", [ROLE_TRAINEE])).expect(204)
    (await dfs.patch(f"/v2.0/roles/{ROLE_TRAINEE}/hierarchy-level/Up")).expect(204)  # trainee above auditor
    (await dfs.delete(f"/v2.0/roles/{ROLE_TRAINEE}")).expect(204)
    (await dfs.get(f"/v2.0/roles/{ROLE_TRAINEE}")).expect(404)
    assert [r["HierarchyLevel"] for r in (await dfs.get("/v2.0/roles")).json] == [1, 2, 3, 4, 5]


async def test_delete_role_still_held_by_identities_is_422(dfs):
    (await dfs.delete(f"/v2.0/roles/{ROLE_ADVISOR}")).expect(422, "UnprocessableEntity")
    (await dfs.delete("/v2.0/roles/999")).expect(404)


async def test_role_hierarchy_lists_the_roles_below_minus_exclusions(dfs):
    reply = (await dfs.get(f"/v2.0/roles/{ROLE_HEAD}/hierarchy")).expect(200)
    assert reply.json["Base"]["Id"] == ROLE_HEAD
    assert [r["Id"] for r in reply.json["HierarchyItems"]] == [3, 4, 5, 6]
    (await dfs.put(f"/v2.0/roles/{ROLE_HEAD}/hierarchy/exclude", [ROLE_AUDITOR])).expect(204)
    reply = (await dfs.get(f"/v2.0/roles/{ROLE_HEAD}/hierarchy")).json
    assert [r["Id"] for r in reply["HierarchyItems"]] == [3, 4, 6]


async def test_role_hierarchy_of_unknown_role_is_404(dfs):
    (await dfs.get("/v2.0/roles/999/hierarchy")).expect(404)


async def test_hierarchy_level_up_and_down_reorder_roles_and_identity_hierarchies(dfs):
    (await dfs.patch(f"/v2.0/roles/{ROLE_ADVISOR}/hierarchy-level/Up")).expect(204)
    levels = {r["Id"]: r["HierarchyLevel"] for r in (await dfs.get("/v2.0/roles")).json}
    assert levels[ROLE_ADVISOR] == 2 and levels[ROLE_HEAD] == 3
    miles = (await dfs.get(f"/v1.0/identities/{MILES}/hierarchy")).json
    assert SARAH in {i["IdentityId"] for i in miles["HierarchyItems"]}
    assert (await dfs.get(f"/v1.0/identities/{MILES}")).json["IdentityRole"]["HierarchyLevel"] == 2
    (await dfs.patch(f"/v2.0/roles/{ROLE_ADVISOR}/hierarchy-level/Down")).expect(204)
    sarah = (await dfs.get(f"/v1.0/identities/{SARAH}/hierarchy")).json
    assert MILES in {i["IdentityId"] for i in sarah["HierarchyItems"]} and KYLE not in {
        i["IdentityId"] for i in sarah["HierarchyItems"]
    }


async def test_hierarchy_level_errors(dfs):
    (await dfs.patch(f"/v2.0/roles/{ROLE_ADMIN}/hierarchy-level/Up")).expect(422)
    (await dfs.patch(f"/v2.0/roles/{ROLE_TRAINEE}/hierarchy-level/Down")).expect(422)
    (await dfs.patch(f"/v2.0/roles/{ROLE_ADVISOR}/hierarchy-level/Sideways")).expect(400)
    (await dfs.patch("/v2.0/roles/999/hierarchy-level/Up")).expect(404)


async def test_exclude_roles_errors(dfs):
    (await dfs.put("/v2.0/roles/999/hierarchy/exclude", [])).expect(404)
    (await dfs.put(f"/v2.0/roles/{ROLE_HEAD}/hierarchy/exclude", [ROLE_HEAD])).expect(422)
    (await dfs.put(f"/v2.0/roles/{ROLE_HEAD}/hierarchy/exclude", [20])).expect(422)
    (await dfs.put(f"/v2.0/roles/{ROLE_HEAD}/hierarchy/exclude", ["3"])).expect(400)
