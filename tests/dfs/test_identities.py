"""DFS IdentityManagement: pictures, get, hierarchy, update, tenant access, search, create, exclusion."""

import base64

from tests.support.dfs import (
    ADMIN,
    BLAIR,
    DANNY,
    GRACE,
    HANK,
    JOHN,
    KYLE,
    MILES,
    PETER,
    ROLE_ADVISOR,
    ROLE_ASSISTANT,
    ROLE_HEAD,
    SARAH,
    SYSTEM,
    TARISSA,
    UNKNOWN,
)

JPEG = base64.b64encode(b"\xff\xd8\xff\xe0fake-jpeg").decode()


async def test_profile_picture_defaults_then_upload_then_delete(dfs):
    default = (await dfs.get(f"/v1.0/identities/{SARAH}/profilepicture")).expect(200).json
    assert default["IsDefaultImage"] is True
    (await dfs.put(f"/v1.0/identities/{SARAH}/profilepicture", {"ImageContentBase64": JPEG})).expect(204)
    assert (await dfs.get(f"/v1.0/identities/{SARAH}/profilepicture")).json == {
        "ImageContentBase64": JPEG,
        "IsDefaultImage": False,
    }
    assert (await dfs.get("/v1.0/members/3")).json["HasProfilePicture"] is True
    (await dfs.delete(f"/v1.0/identities/{SARAH}/profilepicture")).expect(204)
    assert (await dfs.get(f"/v1.0/identities/{SARAH}/profilepicture")).json["IsDefaultImage"] is True
    assert (await dfs.get("/v1.0/members/3")).json["HasProfilePicture"] is False


async def test_profile_picture_errors(dfs):
    (await dfs.get(f"/v1.0/identities/{UNKNOWN}/profilepicture")).expect(404)
    (await dfs.delete(f"/v1.0/identities/{UNKNOWN}/profilepicture")).expect(404)
    (await dfs.put(f"/v1.0/identities/{SARAH}/profilepicture", {"ImageContentBase64": "***"})).expect(422)
    (await dfs.put(f"/v1.0/identities/{SARAH}/profilepicture", {"ImageContentBase64": 5})).expect(400)


async def test_get_identity_as_the_document_shows_it(dfs):
    reply = (await dfs.get(f"/v1.0/identities/{ADMIN}")).expect(200)
    assert reply.json["MemberId"] == 1 and reply.json["UserName"] == "additiv"
    assert reply.json["IdentityRole"]["Id"] == 1 and reply.json["IdentityProvider"]["Name"] == "Idsrv"
    assert reply.json["BankBranch"] == {"Id": 1, "Name": "Zurich Main Branch"}
    assert reply.json["AssignedContactsCount"] == 2
    sarah = (await dfs.get(f"/v1.0/identities/{SARAH}")).json
    assert sarah["ParticipantIds"] == [1]


async def test_get_identity_of_unknown_or_other_tenant_is_404(dfs):
    (await dfs.get(f"/v1.0/identities/{UNKNOWN}")).expect(404, "NotFound")
    (await dfs.get(f"/v1.0/identities/{HANK}")).expect(404)


async def test_identities_with_roles_and_hierarchy_levels(dfs):
    reply = (await dfs.get("/v1.0/identities/roles/hierarchy-level")).expect(200)
    levels = {item["UserName"]: item["HierarchyLevel"] for item in reply.json}
    assert levels["additiv"] == 1 and levels["sconnor"] == 2 and levels["mdyson"] == 3 and levels["tdyson"] == 4
    assert [item["HierarchyLevel"] for item in reply.json] == sorted(levels.values())


async def test_identities_with_roles_needs_a_token_for_a_known_tenant(dfs):
    from emulator.auth.signing import run_key

    token = run_key("dfs-identity").sign({"tenant_uid": UNKNOWN})
    (await dfs.get("/v1.0/identities/roles/hierarchy-level", headers={"Authorization": f"Bearer {token}"})).expect(401)


async def test_identity_hierarchy_has_superiors_base_and_reachable_identities(dfs):
    reply = (await dfs.get(f"/v1.0/identities/{MILES}/hierarchy")).expect(200)
    assert reply.json["Base"]["IdentityId"] == MILES
    assert {i["IdentityId"] for i in reply.json["Superiors"]} == {
        ADMIN,
        SYSTEM,
        SARAH,
        "02000000-0000-4000-8000-000000000002",
    }
    below = {i["IdentityId"] for i in reply.json["HierarchyItems"]}
    assert TARISSA not in below  # excluded sub-identity
    assert BLAIR in below and GRACE in below  # assistant (4) and auditor (5) rank below advisor (3)


async def test_identity_hierarchy_of_unknown_identity_is_404(dfs):
    (await dfs.get(f"/v1.0/identities/{UNKNOWN}/hierarchy")).expect(404)


async def test_person_exists_in_hierarchy(dfs):
    assert (await dfs.get(f"/v1.0/identities/{ADMIN}/hierarchy/1/exists")).expect(200).json is True  # own member
    assert (await dfs.get(f"/v1.0/identities/{MILES}/hierarchy/7/exists")).json is False  # peer advisor
    assert (await dfs.get(f"/v1.0/identities/{SARAH}/hierarchy/7/exists")).json is True  # below
    assert (await dfs.get(f"/v1.0/identities/{MILES}/hierarchy/6/exists")).json is False  # excluded Tarissa
    assert (await dfs.get(f"/v1.0/identities/{SARAH}/hierarchy/5004/exists")).json is True  # Miles's contact
    assert (await dfs.get(f"/v1.0/identities/{GRACE}/hierarchy/12/exists")).json is False  # member access excluded


async def test_person_exists_errors(dfs):
    (await dfs.get(f"/v1.0/identities/{UNKNOWN}/hierarchy/1/exists")).expect(404)
    (await dfs.get(f"/v1.0/identities/{ADMIN}/hierarchy/one/exists")).expect(400)


async def test_patch_identity_without_update_properties_applies_sent_fields(dfs):
    (
        await dfs.patch(
            f"/v1.3/identities/{PETER}",
            {"FirstName": "Pete", "Email": "pete@additiv.com", "IdentityRoleId": ROLE_HEAD, "ParticipantIds": [1, 2]},
        )
    ).expect(204)
    reply = (await dfs.get(f"/v1.0/identities/{PETER}")).json
    assert (reply["FirstName"], reply["LastName"], reply["Email"]) == ("Pete", "Silberman", "pete@additiv.com")
    assert reply["IdentityRole"]["Id"] == ROLE_HEAD and reply["ParticipantIds"] == [1, 2]
    assert PETER in [
        i
        for i in (await dfs.post("/v1.0/identities/search", {"ParticipantIds": [1]})).json["Results"]
        for i in [i["IdentityId"]]
    ]


async def test_patch_identity_with_update_properties_changes_only_those(dfs):
    (
        await dfs.patch(
            f"/v1.3/identities/{PETER}",
            {
                "UpdateProperties": ["Description", "isSignInEnabled"],
                "FirstName": "Ignored",
                "Description": None,
                "IsSignInEnabled": False,
            },
        )
    ).expect(204)
    reply = (await dfs.get(f"/v1.0/identities/{PETER}")).json
    assert reply["FirstName"] == "Peter" and reply["Description"] is None and reply["IsSignInEnabled"] is False


async def test_patch_identity_errors(dfs):
    (await dfs.patch(f"/v1.3/identities/{UNKNOWN}", {"FirstName": "X"})).expect(404)
    (await dfs.patch(f"/v1.3/identities/{PETER}", {"UserName": "sconnor"})).expect(422)  # taken
    (await dfs.patch(f"/v1.3/identities/{PETER}", {"IdentityRoleId": 20})).expect(422)  # Globex role
    # UpdateProperties names properties of the request (the document's pattern says which), in any case
    for unknown in ("Shoe", "", "updateProperties"):
        (await dfs.patch(f"/v1.3/identities/{PETER}", {"UpdateProperties": [unknown]})).expect(400)
    (await dfs.patch(f"/v1.3/identities/{PETER}", {"UpdateProperties": ["DESCRIPTION"]})).expect(204)
    (await dfs.patch(f"/v1.3/identities/{PETER}", {"IsSignInEnabled": "yes"})).expect(400)
    (await dfs.patch(f"/v1.3/identities/{PETER}", {"ChangePassword": {"OldPassword": "x", "NewPassword": "y"}})).expect(
        422
    )


async def test_patch_identity_password_change(dfs):
    (
        await dfs.patch(
            f"/v1.3/identities/{SARAH}",
            {"ChangePassword": {"OldPassword": "Sarah.Password1", "NewPassword": "New.Password2"}},
        )
    ).expect(204)


async def test_tenant_access_disables_and_reenables_an_identity(dfs):
    (
        await dfs.patch(
            f"/v1.0/tenants/2/identities/{KYLE}/access",
            {"TenantId": 2, "IdentityRoleId": ROLE_ADVISOR, "IsEnabled": False},
        )
    ).expect(204)
    reply = (await dfs.get(f"/v1.0/identities/{KYLE}")).json
    assert reply["IsTenantAccessEnabled"] is False and reply["IdentityRole"]["Id"] == ROLE_ADVISOR
    kyle_token = dfs.token(identity_id=KYLE)
    (await dfs.get("/v2.0/roles", headers=kyle_token)).expect(403, "Forbidden")
    (await dfs.patch(f"/v1.0/tenants/2/identities/{KYLE}/access", {"IsEnabled": True})).expect(204)
    (await dfs.get("/v2.0/roles", headers=kyle_token)).expect(200)


async def test_tenant_access_errors(dfs):
    (await dfs.patch(f"/v1.0/tenants/12/identities/{KYLE}/access", {"TenantId": 12, "IsEnabled": True})).expect(403)
    (await dfs.patch(f"/v1.0/tenants/99/identities/{KYLE}/access", {"IsEnabled": True})).expect(404)
    (await dfs.patch(f"/v1.0/tenants/2/identities/{KYLE}/access", {"TenantId": 12, "IsEnabled": True})).expect(422)
    (await dfs.patch(f"/v1.0/tenants/2/identities/{UNKNOWN}/access", {"IsEnabled": True})).expect(404)
    (await dfs.patch(f"/v1.0/tenants/2/identities/{HANK}/access", {"IsEnabled": True})).expect(422)  # no role given


async def test_tenant_access_grants_an_identity_of_another_tenant(dfs):
    (
        await dfs.patch(
            f"/v1.0/tenants/2/identities/{HANK}/access",
            {"TenantId": 2, "IdentityRoleId": ROLE_ASSISTANT, "IsEnabled": True},
        )
    ).expect(204)
    assert (await dfs.get(f"/v1.0/identities/{HANK}")).expect(200).json["IdentityRole"]["Id"] == ROLE_ASSISTANT


async def test_search_identities_sample_request(dfs):
    reply = (
        await dfs.post(
            "/v1.0/identities/search",
            {
                "RoleIds": [],
                "IdentityIds": [],
                "ParticipantIds": [],
                "FirstName": "Admin",
                "LastName": "Admin",
                "SearchTerm": "ad",
                "SearchIdentityBy": "All",
                "SearchByAllTenants": True,
                "SearchByInactive": True,
                "SearchBySystemAccounts": False,
                "SortBy": "LastName",
                "SortOrder": "Descending",
                "Page": 1,
                "PageSize": 10,
            },
        )
    ).expect(200)
    assert [i["IdentityId"] for i in reply.json["Results"]] == [ADMIN]
    assert (reply.json["Page"], reply.json["PageSize"], reply.json["PageCount"], reply.json["TotalCount"]) == (
        1,
        10,
        1,
        1,
    )


async def test_search_identities_by_field_sort_and_page(dfs):
    by_last = (
        await dfs.post(
            "/v1.0/identities/search",
            {"SearchTerm": "dys", "SearchIdentityBy": "LastName", "SortBy": "firstname", "SortOrder": "Ascending"},
        )
    ).json
    assert [i["FirstName"] for i in by_last["Results"]] == ["Miles", "Tarissa"]  # Danny: access disabled
    inactive = (
        await dfs.post(
            "/v1.0/identities/search",
            {"SearchTerm": "dys", "SearchIdentityBy": "LastName", "SearchByInactive": True, "SortBy": "FirstName"},
        )
    ).json
    assert [i["FirstName"] for i in inactive["Results"]] == ["Danny", "Miles", "Tarissa"]
    page = (await dfs.post("/v1.0/identities/search", {"PageSize": 3, "Page": 2, "SortBy": "UserName"})).json
    assert page["TotalCount"] == 10 and page["PageCount"] == 4 and len(page["Results"]) == 3
    assert [i["UserName"] for i in page["Results"]] == ["kbrewster", "kreese", "mdyson"]
    roles = (await dfs.post("/v1.0/identities/search", {"SearchTerm": "head", "SearchIdentityBy": "RoleName"})).json
    assert {i["IdentityId"] for i in roles["Results"]} == {SARAH, KYLE}
    full = (await dfs.post("/v1.0/identities/search", {"SearchTerm": "sarah con", "SearchIdentityBy": "FullName"})).json
    assert [i["IdentityId"] for i in full["Results"]] == [SARAH]
    system = (
        await dfs.post(
            "/v1.0/identities/search",
            {"SearchTerm": "system", "SearchIdentityBy": "FirstName", "SearchBySystemAccounts": True},
        )
    ).json
    assert [i["IdentityId"] for i in system["Results"]] == [SYSTEM]
    everywhere = (await dfs.post("/v1.0/identities/search", {"SearchTerm": "hank", "SearchByAllTenants": True})).json
    assert [i["IdentityId"] for i in everywhere["Results"]] == [HANK]
    assert (await dfs.post("/v1.0/identities/search", {"RoleIds": [ROLE_ADVISOR], "IdentityIds": [MILES, SARAH]})).json[
        "TotalCount"
    ] == 1


async def test_search_identities_errors(dfs):
    (await dfs.post("/v1.0/identities/search", {"SortOrder": "Sideways"})).expect(400, "BadRequest")
    (await dfs.post("/v1.0/identities/search", {"SearchIdentityBy": "Shoe"})).expect(400)
    (await dfs.post("/v1.0/identities/search", {"SortBy": "Colour"})).expect(400)
    (await dfs.post("/v1.0/identities/search", {"Page": -1})).expect(400)
    (await dfs.post("/v1.0/identities/search", data="{nope")).expect(400)


async def test_create_identity_then_get_and_search(dfs):
    reply = (
        await dfs.post(
            "/v1.2/identities",
            {
                "FirstName": "John",
                "LastName": "Connor",
                "SalutationId": 2,
                "Email": "jct@additiv.com",
                "Phone": "41|522672742",
                "BankBranchId": 1,
                "IdentityRoleId": ROLE_ADVISOR,
                "ExternalId": "EX006D34-9",
                "Username": "jconnor",
                "Password": "superseretPassword.123",
                "ParticipantIds": [2],
            },
        )
    ).expect(200)
    identity_id = reply.json["IdentityId"]
    got = (await dfs.get(f"/v1.0/identities/{identity_id}")).expect(200).json
    assert got["UserName"] == "jconnor" and got["MemberId"] is None and got["ParticipantIds"] == [2]
    found = (await dfs.post("/v1.0/identities/search", {"SearchTerm": "jconnor", "SearchIdentityBy": "UserName"})).json
    assert sorted(i["UserName"] for i in found["Results"]) == ["jconnor", "jconnor.pending"]  # prefix match
    assert identity_id in [i["IdentityId"] for i in found["Results"]]


async def test_create_identity_errors(dfs):
    base = {"Username": "newbie", "IdentityRoleId": ROLE_ADVISOR}
    (await dfs.post("/v1.2/identities", {**base, "Username": "ADDITIV"})).expect(422)  # duplicate, any case
    (await dfs.post("/v1.2/identities", {**base, "IdentityRoleId": 999})).expect(422)
    (await dfs.post("/v1.2/identities", {"Username": "newbie"})).expect(422)  # no role
    (await dfs.post("/v1.2/identities", {**base, "ParticipantIds": [99]})).expect(422)
    (await dfs.post("/v1.2/identities", {**base, "Email": "not-an-address"})).expect(422)
    (await dfs.post("/v1.2/identities", {**base, "IdentityRoleId": "3"})).expect(400)
    (await dfs.post("/v1.2/identities")).expect(400)


async def test_exclude_identities_from_hierarchy(dfs):
    (await dfs.put(f"/v1.0/identities/{SARAH}/hierarchy/exclude", [MILES, BLAIR])).expect(204)
    below = {i["IdentityId"] for i in (await dfs.get(f"/v1.0/identities/{SARAH}/hierarchy")).json["HierarchyItems"]}
    assert MILES not in below and BLAIR not in below and TARISSA in below
    (await dfs.put(f"/v1.0/identities/{SARAH}/hierarchy/exclude", [])).expect(204)
    below = {i["IdentityId"] for i in (await dfs.get(f"/v1.0/identities/{SARAH}/hierarchy")).json["HierarchyItems"]}
    assert MILES in below


async def test_exclude_identities_errors(dfs):
    (await dfs.put(f"/v1.0/identities/{UNKNOWN}/hierarchy/exclude", [])).expect(404)
    (await dfs.put(f"/v1.0/identities/{SARAH}/hierarchy/exclude", [UNKNOWN])).expect(422)
    (await dfs.put(f"/v1.0/identities/{SARAH}/hierarchy/exclude", [SARAH])).expect(422)
    (await dfs.put(f"/v1.0/identities/{SARAH}/hierarchy/exclude", {"ids": []})).expect(400)
    assert DANNY and JOHN  # used by other modules


async def test_search_sort_keys_read_from_records_equal_the_rendered_rows(emulator):
    # Searches sort records by reading properties straight from them and render only the
    # page (post /v1.0/identities/search, post /v1.0/members/search, post /v1.0/participants/search):
    # every such reader must give what the row shows, or the order would differ from the rows'.
    from emulator.dfs import render

    model = emulator.model("dfs")
    tenant = model.tenants.get(2)
    kinds = [
        (model.search_identities(tenant, {}), lambda match: render.identity(model, *match), render.IDENTITY_SORT_KEYS),
        (model.search_members(tenant, {}), lambda member: render.member(model, member), render.MEMBER_SORT_KEYS),
        (model.search_participants(tenant, {}), render.participant_search_item, render.PARTICIPANT_SORT_KEYS),
    ]
    for matches, render_row, readers in kinds:
        assert matches
        for match in matches:
            row = render_row(match)
            assert {name: read(match) for name, read in readers.items()} == {name: row[name] for name in readers}
