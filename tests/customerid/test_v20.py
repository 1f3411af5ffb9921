"""CustomerID REST 2.0 (/customerid-rest/services/2.0/): the 2.0 column of the
version table, served by the 2.1 operations on the same model. Documents are the
2.x family with ``inResponseTo`` from ``/2.0/``; the type parameter is
``organizationClass`` (MOD001, MOD003); 2.1-only operations are not there."""

import pytest

from tests.support.customerid import (
    ACME,
    GLOBEX,
    INVITATION_VILLE,
    MAIJA,
    MANDATE_ACME_TO_SARI,
    PARTNERS,
    PEKKA,
    SALES_MANAGER,
    UNKNOWN_ID,
    VILLE,
)

V = "2.0"


async def test_mod001_create_organization_takes_organization_class(cid):
    reply = await cid.post(
        "/organizations/",
        version=V,
        params={
            "technicalName": "newco",
            "friendlyName": "New Co",
            "parentOrganizationId": ACME,
            "organizationClass": "company",
        },
    )
    assert reply.status == 201, reply.text
    assert (reply.tag, reply.root.get("inResponseTo"), reply.root.get("method")) == (
        "Organizations",
        "/2.0/organizations/",
        "POST",
    )
    created = await cid.get(f"/organizations/{reply.ids[0]}")  # the same organization in 2.1
    assert created.attributes["organizationClass"] == ["company"]
    assert created.attributes["entityName"] == ["1234567-8/newco"]


async def test_mod001_create_organization_refuses_the_2_1_parameter_name(cid):
    reply = await cid.post("/organizations/", version=V, params={"technicalName": "x", "organizationType": "company"})
    reply.expect_error(400, 1)


async def test_mod001_create_organization_normal_under_virtual_is_parent_not_non_virtual(cid):
    reply = await cid.post(
        "/organizations/", version=V, params={"technicalName": "x", "parentOrganizationId": PARTNERS}
    )
    reply.expect_error(400, 9)


async def test_mod003_update_organization(cid):
    reply = await cid.put(
        f"/organizations/{ACME}", version=V, params={"friendlyName": "ACME Renamed", "organizationClass": "eidm"}
    )
    assert reply.status == 200, reply.text
    assert reply.ids == [ACME] and reply.root.get("inResponseTo") == f"/2.0/organizations/{ACME}"
    attributes = (await cid.get(f"/organizations/{ACME}")).attributes
    assert attributes["friendlyName"] == ["ACME Renamed"] and attributes["organizationClass"] == ["eidm"]


async def test_mod003_update_organization_unknown_id_is_entity_not_found(cid):
    (await cid.put(f"/organizations/{UNKNOWN_ID}", version=V, params={"friendlyName": "x"})).expect_error(404, 7)


async def test_get106_list_organizations_2_0(cid):
    reply = await cid.get("/organizations/", version=V, params={"organizationClass": "company"})
    assert reply.status == 200 and set(reply.ids) == {ACME, GLOBEX}
    assert reply.root.get("inResponseTo") == "/2.0/organizations/"


async def test_get106_list_organizations_2_0_unknown_filter(cid):
    (await cid.get("/organizations/", version=V, params={"nosuch": "x"})).expect_error(400, 1)


async def test_get107_query_organization_2_0(cid):
    reply = await cid.get(f"/organizations/{ACME}", version=V)
    assert reply.status == 200 and reply.tag == "Organization"
    assert reply.attribute("entityName") == "1234567-8"


async def test_get107_query_organization_2_0_unknown(cid):
    (await cid.get(f"/organizations/{UNKNOWN_ID}", version=V)).expect_error(404, 7)


async def test_get108_list_roles_2_0(cid):
    reply = await cid.get("/roles", version=V)
    assert reply.status == 200 and SALES_MANAGER in reply.ids
    assert reply.root.get("inResponseTo") == "/2.0/roles"


async def test_get108_list_roles_2_0_takes_no_parameters(cid):
    (await cid.get("/roles", version=V, params={"x": "1"})).expect_error(400, 1)


async def test_get109_query_role_2_0(cid):
    reply = await cid.get(f"/roles/{SALES_MANAGER}", version=V)
    assert reply.status == 200 and reply.attribute("entityName") == "1234567-8/sales/SalesManager"


async def test_get109_query_role_2_0_unknown(cid):
    (await cid.get(f"/roles/{UNKNOWN_ID}", version=V)).expect_error(404, 7)


async def test_get112_list_role_invitations_2_0(cid):
    reply = await cid.get("/roleinvitations/", version=V)
    assert reply.status == 200 and INVITATION_VILLE in reply.ids


async def test_get112_list_role_invitations_2_0_takes_no_parameters(cid):
    (await cid.get("/roleinvitations/", version=V, params={"user": VILLE})).expect_error(400, 1)


async def test_get114_list_user_role_invitations_2_0(cid):
    reply = await cid.get(f"/users/{VILLE}/roleinvitations", version=V)
    assert reply.status == 200 and INVITATION_VILLE in reply.ids


async def test_get114_list_user_role_invitations_2_0_unknown_user(cid):
    (await cid.get(f"/users/{UNKNOWN_ID}/roleinvitations", version=V)).expect_error(404, 7)


async def test_get104_list_users_2_0(cid):
    reply = await cid.get("/users/", version=V, params={"login": "maija", "status": "Enabled"})
    assert reply.status == 200 and reply.ids == [MAIJA]


async def test_get104_list_users_2_0_same_attribute_twice(cid):
    (await cid.get("/users/", version=V, params=[("login", "a"), ("login", "b")])).expect_error(400, 1)


async def test_get105_query_user_2_0(cid):
    reply = await cid.get(f"/users/{MAIJA}", version=V)
    assert reply.status == 200 and reply.attribute("login") == "maija.virtanen"
    assert reply.root.get("inResponseTo") == f"/2.0/users/{MAIJA}"


async def test_get105_query_user_2_0_unknown(cid):
    (await cid.get(f"/users/{UNKNOWN_ID}", version=V)).expect_error(404, 7)


async def test_put103_update_user_2_0(cid):
    reply = await cid.put(f"/users/{MAIJA}", version=V, params={"mobile": "+358500000000"})
    assert reply.status == 200 and reply.ids == [MAIJA]
    assert (await cid.get(f"/users/{MAIJA}")).attribute("mobile") == "+358500000000"


async def test_put103_update_user_2_0_bad_status(cid):
    (await cid.put(f"/users/{MAIJA}", version=V, params={"status": "Locked"})).expect_error(400, 1)


async def test_del102_delete_user_2_0(cid):
    reply = await cid.delete(f"/users/{PEKKA}", version=V)
    assert reply.status == 200 and reply.ids == [PEKKA] and reply.root.get("method") == "DELETE"
    (await cid.get(f"/users/{PEKKA}")).expect_error(404, 7)


async def test_del102_delete_user_2_0_unknown(cid):
    (await cid.delete(f"/users/{UNKNOWN_ID}", version=V)).expect_error(404, 7)


async def test_get110_list_mandates_2_0(cid):
    reply = await cid.get("/mandates/", version=V)
    assert reply.status == 200 and MANDATE_ACME_TO_SARI in reply.ids


async def test_get110_list_mandates_2_0_bad_boolean(cid):
    (await cid.get("/mandates/", version=V, params={"entities": "yes"})).expect_error(400, 1)


async def test_get111_query_mandate_2_0(cid):
    reply = await cid.get(f"/mandates/{MANDATE_ACME_TO_SARI}", version=V)
    assert reply.status == 200 and reply.attribute("type") == "OrgToPer"


async def test_get111_query_mandate_2_0_unknown(cid):
    (await cid.get(f"/mandates/{UNKNOWN_ID}", version=V)).expect_error(404, 7)


@pytest.mark.parametrize(
    "path",
    [
        f"/users/{MAIJA}/roles",
        f"/users/{MAIJA}/givenmandates",
        f"/users/{MAIJA}/receivedmandates",
        f"/users/{MAIJA}/receivedmandatedelegations",
        f"/users/{MAIJA}/delegations",
        f"/organizations/{ACME}/users",
        f"/organizations/{ACME}/givenmandates",
        f"/organizations/{ACME}/receivedmandates",
        f"/delegations/{UNKNOWN_ID}",
    ],
)
async def test_2_1_only_get_operations_are_unknown_paths_under_2_0(cid, path):
    (await cid.get(path, version=V)).expect_error(404, 7)
    (await cid.get("/no/such/path", version=V)).expect_error(404, 7)


@pytest.mark.parametrize(
    ("method", "path"), [("PUT", f"/users/{VILLE}/reinvite"), ("PUT", f"/users/{MAIJA}/forcepasswordchange")]
)
async def test_2_1_only_write_operations_are_unknown_paths_under_2_0(cid, method, path):
    (await cid.call(method, path, version=V)).expect_error(404, 7)


async def test_patch124_is_method_not_allowed_under_2_0(cid):
    reply = (
        await cid.patch(
            f"/users/{MAIJA}",
            version=V,
            data=b"mobile=1",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    ).expect_error(405, 13)
    assert set(reply.headers["Allow"].split(", ")) == {"DELETE", "GET", "HEAD", "OPTIONS", "PUT"}
    assert (await cid.get(f"/users/{MAIJA}")).attribute("mobile") == "+358401234567"


async def test_endpoint_listing_shows_2_0_codes(cid):
    async with cid.session.get(cid.emulator.url + "/__emulator/endpoints") as response:
        listing = await response.json()
    v20 = {
        entry["code"]: entry["path"]
        for entry in listing["endpoints"]
        if entry["api"] == "customerid" and entry["version"] == V
    }
    assert v20["MOD001"] == "/customerid-rest/services/2.0/organizations/"
    assert v20["MOD003"] == "/customerid-rest/services/2.0/organizations/{organizationId}"
    assert set(v20) == {
        "MOD001",
        "MOD003",
        "DEL102",
        "PUT103",
        "GET104",
        "GET105",
        "GET106",
        "GET107",
        "GET108",
        "GET109",
        "GET110",
        "GET111",
        "GET112",
        "GET114",
    }
