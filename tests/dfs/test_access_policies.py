"""DFS AccessPolicyManagement: client access policies, identity roles, access policies, permissions, the check."""

from tests.support.dfs import GLOBEX_UID, ROLE_ADMIN, ROLE_ADVISOR, ROLE_ASSISTANT, TENANT_UID, UNKNOWN

EDIT_MEMBERS = "6f1c1f9e-1d4b-4a43-9d1e-000000000002"
EDIT_ROLES = "6f1c1f9e-1d4b-4a43-9d1e-000000000004"


async def test_client_access_policies_maps_client_apps_to_policy_keys_for_resource_and_scope(dfs):
    reply = (await dfs.get(f"/v1.0/tenants/{TENANT_UID}/resources/dfs-admin/scopes/admin.read/access-policies")).expect(
        200
    )
    assert reply.json == {
        "Result": "success",
        "AccessPolicies": {
            "dMJ8UyS8KCgsyKNC35bPYfjuZmuqFL": ["RRole", "WRole"],
            "zy4I5dHA5tjMkgaeZBNmQShGpzP8vo": ["RMember", "WMember"],
        },
    }
    other = (await dfs.get(f"/v1.0/tenants/{TENANT_UID}/resources/dfs-admin/scopes/admin.write/access-policies")).json
    assert list(other["AccessPolicies"]) == ["zy4I5dHA5tjMkgaeZBNmQShGpzP8vo"]


async def test_client_access_policies_of_another_tenant_is_forbidden_and_unknown_tenant_not_found(dfs):
    (await dfs.get(f"/v1.0/tenants/{GLOBEX_UID}/resources/dfs-admin/scopes/admin.read/access-policies")).expect(
        403, "Forbidden"
    )
    (await dfs.get(f"/v1.0/tenants/{UNKNOWN}/resources/dfs-admin/scopes/admin.read/access-policies")).expect(
        404, "NotFound"
    )
    (await dfs.get("/v1.0/tenants/not-a-uuid/resources/r/scopes/s/access-policies")).expect(400, "BadRequest")


async def test_identity_roles_list_every_role_with_its_effective_policies(dfs):
    reply = (await dfs.get(f"/v1.0/tenants/{TENANT_UID}/identity-roles")).expect(200)
    roles = {role["Id"]: role for role in reply.json["IdentityRoles"]}
    assert reply.json["Result"] == "success"
    assert roles[ROLE_ADMIN]["AllowAllPolicies"] is True and len(roles[ROLE_ADMIN]["AccessPolicies"]) == 10
    assert [p["Key"] for p in roles[ROLE_ADVISOR]["AccessPolicies"]] == ["RMember", "WMember"]
    assert roles[ROLE_ADVISOR]["Key"] == "advisor" and roles[ROLE_ADVISOR]["TenantId"] == 2


async def test_identity_roles_of_another_tenant_is_forbidden(dfs):
    (await dfs.get(f"/v1.0/tenants/{GLOBEX_UID}/identity-roles")).expect(403, "Forbidden")


async def test_access_policies_list_in_camel_case_with_the_permissions_requiring_them(dfs):
    reply = (await dfs.get("/v1.0/access-policies")).expect(200)
    policies = {p["key"]: p for p in reply.json["accessPolicies"]}
    assert len(policies) == 10
    assert [p["name"] for p in policies["WMember"]["requiredByPermissions"]] == ["Edit members"]


async def test_access_policies_list_needs_a_token(dfs):
    (await dfs.get("/v1.0/access-policies", headers={"Authorization": None})).expect(401, "Unauthorized")


async def test_access_policy_by_id(dfs):
    reply = (await dfs.get("/v1.0/access-policies/6")).expect(200)
    assert reply.json["key"] == "RMember" and reply.json["isAppOriented"] is False
    assert {p["id"] for p in reply.json["requiredByPermissions"]} == {1, 2}


async def test_unknown_access_policy_is_not_found(dfs):
    (await dfs.get("/v1.0/access-policies/999")).expect(404, "NotFound")
    (await dfs.get("/v1.0/access-policies/abc")).expect(400, "BadRequest")


async def test_permissions_list(dfs):
    reply = (await dfs.get("/v1.0/permissions")).expect(200)
    assert [p["id"] for p in reply.json["results"]] == [1, 2, 3, 4, 5]


async def test_permissions_list_refuses_a_garbled_token(dfs):
    (await dfs.get("/v1.0/permissions", headers={"Authorization": "Bearer not.a.jwt"})).expect(401, "Unauthorized")


async def test_permission_by_id_shows_path_and_required_policies(dfs):
    reply = (await dfs.get("/v1.0/permissions/2")).expect(200)
    assert reply.json["uid"] == EDIT_MEMBERS
    assert reply.json["hierarchyPath"] == ["Administration", "Members"]
    assert [p["key"] for p in reply.json["requiredAccessPolicies"]] == ["RMember", "WMember"]


async def test_unknown_permission_is_not_found(dfs):
    (await dfs.get("/v1.0/permissions/77")).expect(404, "NotFound")


async def test_check_reports_missing_policies_of_a_role(dfs):
    reply = (
        await dfs.post(
            f"/v1.0/roles/{ROLE_ASSISTANT}/required-access-policies/check",
            {"permissionsUids": [EDIT_MEMBERS, EDIT_ROLES]},
        )
    ).expect(200)
    assert reply.json["isSufficient"] is False
    assert [p["key"] for p in reply.json["missingAccessPolicies"]] == ["WMember", "RRole", "WRole"]
    ok = (
        await dfs.post(f"/v1.0/roles/{ROLE_ADMIN}/required-access-policies/check", {"PermissionsUids": [EDIT_ROLES]})
    ).expect(200)
    assert ok.json == {"isSufficient": True, "missingAccessPolicies": []}


async def test_check_unknown_role_is_404_and_unknown_permission_422(dfs):
    (await dfs.post("/v1.0/roles/999/required-access-policies/check", {"permissionsUids": []})).expect(404)
    (await dfs.post(f"/v1.0/roles/{ROLE_ADMIN}/required-access-policies/check", {"permissionsUids": [UNKNOWN]})).expect(
        422, "UnprocessableEntity"
    )
    (await dfs.post(f"/v1.0/roles/{ROLE_ADMIN}/required-access-policies/check", {"permissionsUids": ["nope"]})).expect(
        400, "BadRequest"
    )
