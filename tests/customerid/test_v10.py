"""CustomerID REST 1.0 (/eidm2/services/, customerid-rest-api-1.0.txt) on the shared
model: MOD001b–MOD010b, Update Users and the request operations the page does not
reach (D10-*). Objects are addressed by entity name; answers are the 1.2 document
family (<idlist> of URLs on the request's own host, <entitylist>, entity elements),
each validated against cid-1.2.xsd by the client.

    1234567-8 (acme)          users maija, ville       roles OrganizationMainUser, OrganizationUser, InvoiceViewer
      1234567-8/sales         user matti               role SalesManager (memberOf 1234567-8/OrganizationUser)
        1234567-8/sales/nordics  user liisa
      1234567-8/support       users pekka, olli
    7654321-0 (globex)        users anna, sari, kalle
    Partners (virtual)
      Partners/Resellers (virtual)
"""

import pytest

from tests.support.customerid import (
    ACME,
    ACME_SALES,
    INVOICE_VIEWER,
    LIISA,
    MAIJA,
    MANDATE_MAIJA_TO_MATTI,
    MATTI,
    PARTNERS,
    PEKKA,
    SALES_MANAGER,
    VILLE,
    user_name,
)

V = "1.0"


def base(cid) -> str:
    return cid.emulator.url + "/eidm2/services"


# --------------------------------------------------------------------------- organizations


async def test_mod001b_create_organization_under_a_parent_path(cid):
    reply = await cid.post(
        "/orgs/1234567-8/sales/",
        version=V,
        params={
            "organizationId": "baltics",
            "friendlyName": "ACME Baltics",
            "organizationClass": "company",
            "vatnumber": "EE1,EE2",
        },
    )
    assert reply.status == 201, reply.text
    assert reply.tag == "idlist" and reply.urls == [base(cid) + "/org/1234567-8/sales/baltics"]
    listed = await cid.get("/organizations/", params={"entityName": "1234567-8/sales/baltics", "exactMatch": "true"})
    created = await cid.get(f"/organizations/{listed.ids[0]}")  # the same organization, through 2.1
    assert created.attributes["organizationClass"] == ["company"]
    assert created.attributes["vatnumber"] == ["EE1", "EE2"]


async def test_mod001b_create_top_level_organization_with_organization_type(cid):
    reply = await cid.post(
        "/orgs/", version=V, params={"organizationId": "6666666-6", "friendlyName": "Test", "organizationType": "eidm"}
    )
    assert reply.status == 201 and reply.urls == [base(cid) + "/org/6666666-6"]
    assert (await cid.get("/org/6666666-6", version=V)).field("organizationClass") == "eidm"


async def test_mod001b_create_virtual_organization_under_virtual_parent(cid):
    reply = await cid.post(
        "/orgs/Partners/", version=V, params={"organizationId": "Distributors", "friendlyName": "D", "virtual": "true"}
    )
    assert reply.status == 201 and reply.urls == [base(cid) + "/org/Partners/Distributors"]


async def test_mod001b_create_organization_needs_organization_id(cid):
    (await cid.post("/orgs/", version=V, params={"friendlyName": "No Id"})).expect_error(400, 1)


async def test_mod001b_create_organization_unknown_parent_is_parent_not_found(cid):
    reply = await cid.post("/orgs/nosuch/", version=V, params={"organizationId": "x", "friendlyName": "x"})
    reply.expect_error(404, 5)


async def test_mod001b_normal_under_virtual_is_parent_not_non_virtual(cid):
    reply = await cid.post("/orgs/Partners/", version=V, params={"organizationId": "x", "friendlyName": "x"})
    reply.expect_error(400, 9)


async def test_mod001b_virtual_under_normal_is_parent_not_virtual(cid):
    reply = await cid.post(
        "/orgs/1234567-8/", version=V, params={"organizationId": "x", "friendlyName": "x", "virtual": "true"}
    )
    reply.expect_error(400, 8)


async def test_mod001b_duplicate_is_already_exists(cid):
    reply = await cid.post("/orgs/1234567-8/", version=V, params={"organizationId": "sales", "friendlyName": "x"})
    reply.expect_error(409, 4)


async def test_mod002_remove_organization_lists_removed_organizations_roles_and_users(cid):
    sales_user = base(cid) + "/user/" + user_name(cid, MATTI)
    nordics_user = base(cid) + "/user/" + user_name(cid, LIISA)
    reply = await cid.delete("/org/1234567-8/sales", version=V, params={"recursive": "true"})
    assert reply.status == 200, reply.text
    assert reply.urls == [
        base(cid) + "/org/1234567-8/sales",
        base(cid) + "/org/1234567-8/sales/nordics",
        base(cid) + "/role/1234567-8/sales/OrganizationMainUser",
        base(cid) + "/role/1234567-8/sales/SalesManager",
        base(cid) + "/role/1234567-8/sales/nordics/OrganizationMainUser",
        sales_user,
        nordics_user,
    ]
    (await cid.get(f"/organizations/{ACME_SALES}")).expect_error(404, 7)
    (await cid.get(f"/users/{MATTI}")).expect_error(404, 7)
    (await cid.get(f"/roles/{SALES_MANAGER}")).expect_error(404, 7)
    (await cid.get(f"/mandates/{MANDATE_MAIJA_TO_MATTI}")).expect_error(404, 7)  # matti was its mandatee


async def test_mod002_remove_organization_with_sub_organizations_needs_recursive(cid):
    (await cid.delete("/org/1234567-8/sales", version=V)).expect_error(400, 1)
    assert (await cid.get(f"/organizations/{ACME_SALES}")).status == 200  # nothing removed
    assert (await cid.get(f"/users/{MATTI}")).status == 200


async def test_mod002_remove_leaf_organization_without_recursive(cid):
    reply = await cid.delete("/org/1234567-8/sales/nordics", version=V)
    assert reply.status == 200 and reply.urls[0] == base(cid) + "/org/1234567-8/sales/nordics"
    (await cid.get(f"/users/{LIISA}")).expect_error(404, 7)


async def test_mod002_remove_organization_entity_name_is_case_sensitive(cid):
    (await cid.delete("/org/1234567-8/SALES/nordics", version=V)).expect_error(404, 7)


async def test_mod003b_update_organization(cid):
    reply = await cid.put(
        "/org/1234567-8/", version=V, params={"friendlyName": "TestOrganizationRENAME", "industry": ""}
    )
    assert reply.status == 200 and reply.urls == [base(cid) + "/org/1234567-8"]
    attributes = (await cid.get(f"/organizations/{ACME}")).attributes
    assert attributes["friendlyName"] == ["TestOrganizationRENAME"] and "industry" not in attributes


async def test_mod003b_update_virtual_organization(cid):
    reply = await cid.put("/org/Partners/Resellers", version=V, params={"friendlyName": "Resellers 2"})
    assert reply.status == 200
    assert (await cid.get("/org/Partners/Resellers", version=V)).field("friendlyName") == "Resellers 2"


async def test_mod003b_update_organization_unconfigured_attribute(cid):
    (await cid.put("/org/1234567-8", version=V, params={"nosuch": "1"})).expect_error(400, 1)


async def test_d10_listorganizations_top_level_and_sub_organizations(cid):
    top = await cid.get("/orgs/", version=V)
    assert top.status == 200 and top.urls == [
        base(cid) + "/org/1234567-8",
        base(cid) + "/org/7654321-0",
        base(cid) + "/org/Partners",
    ]
    direct = await cid.get("/orgs/1234567-8/", version=V)
    assert direct.urls == [base(cid) + "/org/1234567-8/sales", base(cid) + "/org/1234567-8/support"]
    deep = await cid.get("/orgs/1234567-8", version=V, params={"recursive": "true"})
    assert base(cid) + "/org/1234567-8/sales/nordics" in deep.urls


async def test_d10_listorganizations_collection_url_ignores_case_and_filters(cid):
    reply = await cid.get("/orgs/1234567-8/SALES/", version=V)
    assert reply.urls == [base(cid) + "/org/1234567-8/sales/nordics"]
    reply = await cid.get("/orgs/", version=V, params={"friendlyName": "*ab", "entities": "true"})
    assert [entity.findtext("entityName") for entity in reply.entities] == ["7654321-0"]
    reply = await cid.get("/orgs/", version=V, params={"organizationType": "virtual"})
    assert reply.urls == [base(cid) + "/org/Partners"]


async def test_d10_listorganizations_over_max_results_is_size_limit_exceeded(cid):
    (await cid.get("/orgs/", version=V, params={"maxResults": "2"})).expect_error(400, 12)
    assert len((await cid.get("/orgs/", version=V, params={"maxResults": "3"})).urls) == 3


async def test_d10_listorganizations_unknown_parent(cid):
    (await cid.get("/orgs/nosuch/", version=V)).expect_error(404, 7)


async def test_d10_listorganizations_parameters_not_emulated_are_refused(cid):
    for name in ("roles", "assignments", "applicationCount", "exportMode"):
        (await cid.get("/orgs/", version=V, params={name: "true"})).expect_error(400, 1)


async def test_d10_queryorganization(cid):
    reply = await cid.get("/org/1234567-8", version=V)
    assert reply.status == 200 and reply.tag == "organization"
    assert reply.urls == [base(cid) + "/org/1234567-8"]
    assert (reply.field("friendlyName"), reply.field("organizationClass"), reply.field("virtual")) == (
        "ACME Oy",
        "company",
        "false",
    )


async def test_d10_queryorganization_is_case_sensitive(cid):
    (await cid.get("/org/partners", version=V)).expect_error(404, 7)


# --------------------------------------------------------------------------- users


async def test_mod004b_update_user(cid):
    reply = await cid.put(
        f"/user/{user_name(cid, MAIJA)}/",
        version=V,
        params={"mobile": "+358401234567891", "uid": "maija.v", "hetu": "", "department": "A,B"},
    )
    assert reply.status == 200 and reply.urls == [base(cid) + "/user/" + user_name(cid, MAIJA)]
    attributes = (await cid.get(f"/users/{MAIJA}")).attributes
    assert attributes["mobile"] == ["+358401234567891"] and attributes["login"] == ["maija.v"]
    assert "ssn" not in attributes and attributes["department"] == ["A", "B"]


async def test_mod004b_disable_enable_roles_remove_and_mandates_remove(cid):
    name = user_name(cid, MAIJA)
    assert (await cid.put(f"/user/{name}", version=V, params={"disable": "true"})).status == 200
    assert (await cid.get(f"/users/{MAIJA}")).attribute("status") == "Disabled"
    assert (
        await cid.put(
            f"/user/{name}", version=V, params={"enable": "true", "roles.remove": "true", "mandates.remove": "true"}
        )
    ).status == 200
    assert (await cid.get(f"/users/{MAIJA}")).attribute("status") == "Enabled"
    assert (await cid.get(f"/users/{MAIJA}/roles")).ids == []
    assert (await cid.get(f"/users/{MAIJA}/givenmandates")).ids == []


async def test_mod004b_empty_password_disables_the_password_method(cid):
    assert (await cid.put(f"/user/{user_name(cid, MAIJA)}", version=V, params={"pwd": ""})).status == 200
    user = cid.emulator.model().users.get(MAIJA)
    assert (user.password, user.password_enabled) == (None, False)


async def test_mod004b_create_true_creates_the_named_user(cid):
    reply = await cid.put(
        "/user/1234567-8/sales/newbie",
        version=V,
        params={"create": "true", "uid": "newbie", "email": "newbie@example.org"},
    )
    assert reply.status == 201 and reply.urls == [base(cid) + "/user/1234567-8/sales/newbie"]
    found = await cid.get("/users/", params={"login": "newbie", "exactMatch": "true"})
    assert (await cid.get(f"/users/{found.ids[0]}")).attribute("organizationId") == ACME_SALES


async def test_mod004b_missing_user_without_create_is_entity_not_found(cid):
    (await cid.put("/user/1234567-8/nobody", version=V, params={"mobile": "1"})).expect_error(404, 7)


async def test_mod004b_enable_and_disable_together_is_invalid(cid):
    reply = await cid.put(f"/user/{user_name(cid, MAIJA)}", version=V, params={"enable": "true", "disable": "true"})
    reply.expect_error(400, 1)


async def test_mod009_create_user_with_a_random_unique_name(cid):
    reply = await cid.post("/user/1234567-8/support/", version=V, params={"uid": "tester", "firstname": "Test"})
    assert reply.status == 201, reply.text
    (url,) = reply.urls
    assert url.startswith(base(cid) + "/user/1234567-8/support/") and len(url.rsplit("/", 1)[1]) == 36
    entity = await cid.get(url.removeprefix(base(cid)), version=V)
    assert (entity.field("uid"), entity.field("status")) == ("tester", "Enabled")


async def test_mod009_create_user_in_virtual_organization_is_not_validated(cid):
    """The 1.0 page warns: the system does not check that the organization is normal."""
    reply = await cid.post("/user/Partners/", version=V, params={"uid": "misplaced"})
    assert reply.status == 201, reply.text
    found = await cid.get("/users/", params={"login": "misplaced"})
    assert (await cid.get(f"/users/{found.ids[0]}")).attribute("organizationId") == PARTNERS


async def test_mod009_create_user_unknown_organization(cid):
    (await cid.post("/user/nosuch/", version=V, params={"uid": "x"})).expect_error(404, 7)


async def test_mod010b_remove_user(cid):
    name = user_name(cid, PEKKA)
    reply = await cid.delete(f"/user/{name}", version=V)
    assert reply.status == 200 and reply.urls == [base(cid) + "/user/" + name]
    (await cid.get(f"/users/{PEKKA}")).expect_error(404, 7)


async def test_mod010b_remove_unknown_user(cid):
    (await cid.delete("/user/1234567-8/nobody", version=V)).expect_error(404, 7)


async def test_d10_queryuser_by_entity_name_and_by_parameter(cid):
    by_name = await cid.get(f"/user/{user_name(cid, MAIJA)}", version=V)
    assert by_name.status == 200 and by_name.tag == "user"
    assert (by_name.field("uniqueId"), by_name.field("uid"), by_name.field("hetu")) == (
        MAIJA,
        "maija.virtanen",
        "010199-1234",
    )
    for params in (
        {"uniqueId": MAIJA},
        {"login": "MAIJA.virtanen"},
        {"email": "maija.virtanen@example.org"},
        {"ssn": "010199-1234"},
    ):
        reply = await cid.get("/user/", version=V, params=params)
        assert reply.status == 200 and reply.field("uniqueId") == MAIJA, params


async def test_d10_queryuser_errors(cid):
    (await cid.get("/user/", version=V, params={"login": "nobody"})).expect_error(404, 7)
    (await cid.get("/user/", version=V)).expect_error(400, 1)
    (await cid.get("/user/", version=V, params={"login": "a", "email": "b"})).expect_error(400, 1)
    (await cid.get("/user/" + user_name(cid, MAIJA).upper(), version=V)).expect_error(404, 7)


async def test_d10_listusers(cid):
    everyone = await cid.get("/users/", version=V)
    assert everyone.status == 200 and len(everyone.urls) == 9
    acme = await cid.get("/users/1234567-8/", version=V)
    assert set(acme.urls) == {base(cid) + "/user/" + user_name(cid, u) for u in (MAIJA, VILLE)}
    tree = await cid.get("/users/1234567-8/", version=V, params={"recursive": "true", "entities": "true"})
    assert len(tree.entities) == 6 and {e.tag for e in tree.entities} == {"user"}


async def test_d10_listusers_errors(cid):
    (await cid.get("/users/", version=V, params={"maxResults": "1"})).expect_error(400, 12)
    (await cid.get("/users/nosuch/", version=V)).expect_error(404, 7)


async def test_d10_updateusers_disable_enable_delete(cid):
    reply = await cid.put("/users/1234567-8/support", version=V, params={"disableUsers": "true"})
    assert reply.status == 200 and len(reply.urls) == 2  # pekka (Locked) and olli
    assert (await cid.get(f"/users/{PEKKA}")).attribute("status") == "Disabled"
    reply = await cid.put("/users/1234567-8", version=V, params={"enableUsers": "true"})
    assert reply.urls == []  # maija is Enabled already, ville must register
    reply = await cid.put("/users/1234567-8/support", version=V, params={"deleteUsers": "true"})
    assert len(reply.urls) == 2
    (await cid.get(f"/users/{PEKKA}")).expect_error(404, 7)


async def test_d10_updateusers_needs_exactly_one_action(cid):
    (await cid.put("/users/1234567-8", version=V)).expect_error(400, 1)
    reply = await cid.put("/users/1234567-8", version=V, params={"enableUsers": "true", "deleteUsers": "true"})
    reply.expect_error(400, 1)


# --------------------------------------------------------------------------- roles


async def test_mod007_create_role_member_of_another(cid):
    reply = await cid.put("/role/1234567-8/sales/TestRole", version=V, params={"memberOf": "1234567-8/InvoiceViewer"})
    assert reply.status == 201 and reply.urls == [base(cid) + "/role/1234567-8/sales/TestRole"]
    role = await cid.get("/role/1234567-8/sales/TestRole", version=V)
    assert role.root.findall("memberOf")[0].text == base(cid) + "/role/1234567-8/InvoiceViewer"


async def test_mod007_create_role_in_virtual_organization(cid):
    assert (await cid.put("/role/Partners/Resellers/Distributor", version=V)).status == 201


async def test_mod007_create_role_errors(cid):
    (await cid.put("/role/1234567-8/InvoiceViewer", version=V)).expect_error(409, 4)
    (await cid.put("/role/1234567-8/X", version=V, params={"memberOf": "1234567-8/Nope"})).expect_error(400, 10)
    (await cid.put("/role/nosuch/X", version=V)).expect_error(404, 7)


async def test_mod008_remove_role_removes_assignments_delegations_invitations_and_mandates(cid):
    reply = await cid.delete("/role/1234567-8/InvoiceViewer", version=V)
    assert reply.status == 200 and reply.urls == [base(cid) + "/role/1234567-8/InvoiceViewer"]
    (await cid.get(f"/roles/{INVOICE_VIEWER}")).expect_error(404, 7)
    assert INVOICE_VIEWER not in (await cid.get(f"/users/{MAIJA}/roles")).ids
    assert len((await cid.get(f"/users/{VILLE}/roleinvitations")).ids) == 1  # the other invitation stays
    assert (await cid.get("/mandates/")).ids == sorted(  # mandates granting it are gone
        [MANDATE_MAIJA_TO_MATTI, cid.emulator.id_of("mandate", "globex-to-kalle")]
    )


async def test_mod008_remove_unknown_role(cid):
    (await cid.delete("/role/1234567-8/Nope", version=V)).expect_error(404, 7)


async def test_d10_queryrole(cid):
    reply = await cid.get("/role/1234567-8/sales/SalesManager", version=V)
    assert reply.status == 200 and reply.tag == "role"
    assert (reply.field("name"), reply.field("organization")) == ("SalesManager", base(cid) + "/org/1234567-8/sales")


async def test_d10_queryrole_unknown(cid):
    (await cid.get("/role/1234567-8/salesmanager", version=V)).expect_error(404, 7)


async def test_mod005_assign_role(cid):
    reply = await cid.post(
        "/assignments/1234567-8/sales/SalesManager/", version=V, params={"user": user_name(cid, LIISA)}
    )
    assert reply.status == 200 and reply.text.endswith("<idlist/>")
    assert SALES_MANAGER in (await cid.get(f"/users/{LIISA}/roles")).ids


async def test_mod005_assign_role_errors(cid):
    (await cid.post("/assignments/1234567-8/InvoiceViewer", version=V)).expect_error(400, 1)
    reply = await cid.post("/assignments/1234567-8/InvoiceViewer", version=V, params={"user": "1234567-8/nobody"})
    reply.expect_error(400, 10)
    reply = await cid.post("/assignments/1234567-8/Nope", version=V, params={"user": user_name(cid, LIISA)})
    reply.expect_error(404, 7)


async def test_mod006_deassign_role(cid):
    reply = await cid.delete("/assignments/1234567-8/InvoiceViewer", version=V, params={"user": user_name(cid, MAIJA)})
    assert reply.status == 200 and reply.urls == []
    assert INVOICE_VIEWER not in (await cid.get(f"/users/{MAIJA}/roles")).ids


async def test_mod006_deassign_role_the_user_does_not_have(cid):
    reply = await cid.delete("/assignments/1234567-8/InvoiceViewer", version=V, params={"user": user_name(cid, LIISA)})
    reply.expect_error(404, 7)


# --------------------------------------------------------------------------- general


async def test_ids_use_the_requests_own_host(cid):
    reply = await cid.get("/org/1234567-8", version=V, headers={"Host": "idp.example.com"})
    assert reply.urls == ["http://idp.example.com/eidm2/services/org/1234567-8"]


async def test_1_0_authentication_failed(cid):
    import aiohttp

    reply = await cid.get("/orgs/", version=V, headers={"Authorization": aiohttp.encode_basic_auth("restuser", "x")})
    reply.expect_error(401, 2)


@pytest.mark.parametrize(
    ("method", "path"), [("PATCH", "/org/1234567-8"), ("POST", "/org/1234567-8"), ("PUT", "/orgs/")]
)
async def test_1_0_wrong_method_is_method_not_allowed(cid, method, path):
    (await cid.call(method, path, version=V)).expect_error(405, 13)
