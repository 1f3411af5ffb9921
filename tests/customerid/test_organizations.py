"""CustomerID 2.1 organizations: POST100, PUT101, GET106, GET107, GET113, GET118, GET119.

Every test starts from a fresh copy of the default scenario (emulator/builtin_scenarios/default.yaml):

    1234567-8 (acme, company)           users maija, ville
      1234567-8/sales                   user  matti
        1234567-8/sales/nordics         user  liisa
      1234567-8/support                 users pekka, olli
    7654321-0 (globex, company)         users anna, sari, kalle
    Partners (virtual)
      Partners/Resellers (virtual)
"""

import re

import aiohttp

from tests.support.customerid import (
    ACME,
    ACME_SALES,
    ACME_SALES_NORDICS,
    ANNA,
    GLOBEX,
    KALLE,
    LIISA,
    MAIJA,
    MANDATE_ACME_TO_GLOBEX,
    MANDATE_ACME_TO_SARI,
    MANDATE_MAIJA_TO_MATTI,
    MATTI,
    NS,
    OLLI,
    PARTNERS,
    PEKKA,
    SARI,
    UNKNOWN_ID,
    VILLE,
    role_entity_names,
)

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def acme_support(cid) -> str:
    return cid.emulator.id_of("organization", "acme-support")


def partners_resellers(cid) -> str:
    return cid.emulator.id_of("organization", "partners-resellers")


def all_organizations(cid) -> set[str]:
    return {ACME, ACME_SALES, ACME_SALES_NORDICS, acme_support(cid), GLOBEX, PARTNERS, partners_resellers(cid)}


async def create_organization(cid, params) -> str:
    """POST100, asserting the documented answer; returns the new organization's id."""
    reply = await cid.post("/organizations/", params=params)
    assert reply.status == 201, reply.text
    assert reply.tag == "Organizations"
    assert reply.root.get("method") == "POST"
    assert len(reply.ids) == 1
    return reply.ids[0]


async def organization(cid, organization_id: str) -> dict[str, list[str]]:
    """GET107 attributes of an organization."""
    reply = await cid.get(f"/organizations/{organization_id}")
    assert reply.status == 200, reply.text
    assert reply.tag == "Organization"
    return reply.attributes


async def organization_ids(cid, params=None) -> set[str]:
    reply = await cid.get("/organizations/", params=params)
    assert reply.status == 200, reply.text
    assert reply.tag == "Organizations"
    assert len(reply.ids) == len(set(reply.ids)), "duplicate ids"
    return set(reply.ids)


async def organization_users(cid, organization_id: str, params=None) -> set[str]:
    reply = await cid.get(f"/organizations/{organization_id}/users", params=params)
    assert reply.status == 200, reply.text
    assert reply.tag == "Users"
    assert len(reply.ids) == len(set(reply.ids)), "duplicate ids"
    return set(reply.ids)


# -- POST100 Create Organization -------------------------------------------------------------


async def test_post100_creates_organization_visible_to_get106_and_get107(cid):
    reply = await cid.post("/organizations/", params={"technicalName": "1111111-1", "friendlyName": "Uusi Oy"})
    assert reply.status == 201
    assert reply.tag == "Organizations"
    assert reply.root.get("inResponseTo") == "/2.1/organizations/"
    assert reply.root.get("method") == "POST"
    [new_id] = reply.ids
    assert UUID.match(new_id)

    assert await organization_ids(cid) == all_organizations(cid) | {new_id}
    attributes = await organization(cid, new_id)
    assert attributes["entityName"] == ["1111111-1"]
    assert attributes["friendlyName"] == ["Uusi Oy"]
    assert attributes["organizationClass"] == ["default"]
    assert await organization_ids(cid, {"technicalName": "1111111-1", "exactMatch": "true"}) == {new_id}


async def test_post100_friendly_name_defaults_to_technical_name(cid):
    new_id = await create_organization(cid, {"technicalName": "2222222-2"})
    attributes = await organization(cid, new_id)
    assert attributes["friendlyName"] == ["2222222-2"]
    assert attributes["entityName"] == ["2222222-2"]


async def test_post100_without_parameters_generates_uuid_technical_name(cid):
    new_id = await create_organization(cid, {})
    attributes = await organization(cid, new_id)
    [technical_name] = attributes["entityName"]  # a root organization: entityName is its technical name
    assert UUID.match(technical_name.lower()), technical_name
    assert attributes["friendlyName"] == [technical_name]
    assert await organization_ids(cid, {"technicalName": technical_name, "exactMatch": "true"}) == {new_id}


async def test_post100_generated_technical_names_are_unique(cid):
    first = await create_organization(cid, {})
    second = await create_organization(cid, {})
    assert first != second
    assert (await organization(cid, first))["entityName"] != (await organization(cid, second))["entityName"]


async def test_post100_entity_name_is_parent_entity_name_slash_technical_name(cid):
    new_id = await create_organization(
        cid, {"technicalName": "emea", "friendlyName": "ACME Sales EMEA", "parentOrganizationId": ACME_SALES}
    )
    assert (await organization(cid, new_id))["entityName"] == ["1234567-8/sales/emea"]
    deeper = await create_organization(cid, {"technicalName": "uk", "parentOrganizationId": new_id})
    assert (await organization(cid, deeper))["entityName"] == ["1234567-8/sales/emea/uk"]


async def test_post100_new_sub_organization_has_no_users_and_is_found_under_parent_entity_name(cid):
    new_id = await create_organization(cid, {"technicalName": "emea", "parentOrganizationId": ACME_SALES})
    assert await organization_users(cid, new_id) == set()
    assert new_id in await organization_ids(cid, {"entityName": "1234567-8/sales/"})


async def test_post100_unknown_parent_is_parent_not_found(cid):
    reply = await cid.post("/organizations/", params={"technicalName": "orphan", "parentOrganizationId": UNKNOWN_ID})
    reply.expect_error(404, 5)
    assert await organization_ids(cid, {"technicalName": "orphan"}) == set()


async def test_post100_duplicate_technical_name_under_same_parent_is_already_exists(cid):
    (await cid.post("/organizations/", params={"technicalName": "sales", "parentOrganizationId": ACME})).expect_error(
        409, 4
    )
    assert await organization_ids(cid, {"technicalName": "sales"}) == {ACME_SALES}


async def test_post100_duplicate_root_technical_name_is_already_exists(cid):
    (await cid.post("/organizations/", params={"technicalName": "1234567-8"})).expect_error(409, 4)
    assert await organization_ids(cid) == all_organizations(cid)


async def test_post100_duplicate_technical_name_differing_only_in_case_is_already_exists(cid):
    (await cid.post("/organizations/", params={"technicalName": "SALES", "parentOrganizationId": ACME})).expect_error(
        409, 4
    )


async def test_post100_same_technical_name_under_another_parent_is_allowed(cid):
    new_id = await create_organization(cid, {"technicalName": "sales", "parentOrganizationId": GLOBEX})
    assert (await organization(cid, new_id))["entityName"] == ["7654321-0/sales"]
    assert await organization_ids(cid, {"technicalName": "sales", "exactMatch": "true"}) == {ACME_SALES, new_id}


async def test_post100_virtual_under_normal_parent_is_parent_not_virtual(cid):
    (
        await cid.post(
            "/organizations/", params={"technicalName": "v", "virtual": "true", "parentOrganizationId": ACME}
        )
    ).expect_error(400, 8)
    assert await organization_ids(cid) == all_organizations(cid)


async def test_post100_normal_under_virtual_parent_is_parent_not_non_virtual(cid):
    (await cid.post("/organizations/", params={"technicalName": "n", "parentOrganizationId": PARTNERS})).expect_error(
        400, 9
    )
    (
        await cid.post(
            "/organizations/", params={"technicalName": "n", "virtual": "false", "parentOrganizationId": PARTNERS}
        )
    ).expect_error(400, 9)
    assert await organization_ids(cid) == all_organizations(cid)


async def test_post100_virtual_under_virtual_parent_works(cid):
    new_id = await create_organization(
        cid, {"technicalName": "Integrators", "virtual": "true", "parentOrganizationId": PARTNERS}
    )
    attributes = await organization(cid, new_id)
    assert attributes["entityName"] == ["Partners/Integrators"]
    assert attributes["organizationClass"] == ["virtual"]  # the separate default for virtual organizations
    assert await organization_ids(cid, {"entityName": "Partners/"}) == {partners_resellers(cid), new_id}


async def test_post100_virtual_root_organization_gets_virtual_default_type_and_its_role(cid):
    new_id = await create_organization(cid, {"technicalName": "Alliance", "virtual": "true"})
    assert (await organization(cid, new_id))["organizationClass"] == ["virtual"]
    assert "Alliance/OrganizationMainUser" in (await role_entity_names(cid)).values()


async def test_post100_bad_boolean_for_virtual_is_invalid_arguments(cid):
    (await cid.post("/organizations/", params={"technicalName": "x", "virtual": "maybe"})).expect_error(400, 1)
    assert await organization_ids(cid) == all_organizations(cid)


async def test_post100_unknown_organization_type_is_invalid_arguments(cid):
    (await cid.post("/organizations/", params={"technicalName": "x", "organizationType": "nosuchtype"})).expect_error(
        400, 1
    )
    assert await organization_ids(cid, {"technicalName": "x"}) == set()


async def test_post100_company_type_creates_its_roles_visible_to_get108_and_get109(cid):
    before = await role_entity_names(cid)
    new_id = await create_organization(cid, {"technicalName": "3333333-3", "organizationType": "company"})
    assert (await organization(cid, new_id))["organizationClass"] == ["company"]
    after = await role_entity_names(cid)
    created = {role_id: name for role_id, name in after.items() if role_id not in before}
    assert sorted(created.values()) == ["3333333-3/OrganizationMainUser", "3333333-3/OrganizationUser"]
    for role_id, entity_name in created.items():
        role = await cid.get(f"/roles/{role_id}")
        assert role.attribute("name") == entity_name.rsplit("/", 1)[1]


async def test_post100_default_type_creates_organization_main_user_role(cid):
    before = await role_entity_names(cid)
    await create_organization(cid, {"technicalName": "4444444-4"})
    after = await role_entity_names(cid)
    assert sorted(name for role_id, name in after.items() if role_id not in before) == [
        "4444444-4/OrganizationMainUser"
    ]


async def test_post100_custom_attribute_with_comma_separated_values_shows_in_get107(cid):
    new_id = await create_organization(
        cid, {"technicalName": "5555555-5", "vatnumber": "FI55555555,SE5555555501", "industry": "Retail"}
    )
    attributes = await organization(cid, new_id)
    assert attributes["vatnumber"] == ["FI55555555", "SE5555555501"]
    assert attributes["industry"] == ["Retail"]


async def test_post100_custom_attribute_is_searchable_with_get106(cid):
    new_id = await create_organization(cid, {"technicalName": "5555555-5", "industry": "Retail,Logistics"})
    assert await organization_ids(cid, {"industry": "logistics"}) == {GLOBEX, new_id}
    assert await organization_ids(cid, {"industry": "retail"}) == {new_id}


async def test_post100_unconfigured_custom_attribute_is_invalid_arguments(cid):
    (await cid.post("/organizations/", params={"technicalName": "6666666-6", "shoesize": "42"})).expect_error(400, 1)
    assert await organization_ids(cid, {"technicalName": "6666666-6"}) == set()


async def test_post100_parameter_given_twice_is_invalid_arguments(cid):
    (await cid.post("/organizations/", params=[("technicalName", "a"), ("technicalName", "b")])).expect_error(400, 1)


async def test_post100_requires_authentication(cid):
    reply = await cid.post(
        "/organizations/",
        params={"technicalName": "7777777-7"},
        headers={"Authorization": aiohttp.encode_basic_auth("restuser", "wrong")},
    )
    reply.expect_error(401, 2)
    assert await organization_ids(cid, {"technicalName": "7777777-7"}) == set()


# -- PUT101 Update Organization --------------------------------------------------------------


async def test_put101_friendly_name_change_is_visible_in_get107(cid):
    reply = await cid.put(f"/organizations/{ACME}", params={"friendlyName": "ACME Group Oyj"})
    assert reply.status == 200
    assert reply.tag == "Organizations"
    assert reply.root.get("inResponseTo") == f"/2.1/organizations/{ACME}"
    assert reply.root.get("method") == "PUT"
    assert reply.ids == [ACME]
    attributes = await organization(cid, ACME)
    assert attributes["friendlyName"] == ["ACME Group Oyj"]
    assert attributes["entityName"] == ["1234567-8"]  # the technical name does not change


async def test_put101_friendly_name_change_is_visible_to_get106_search(cid):
    assert (await cid.put(f"/organizations/{GLOBEX}", params={"friendlyName": "Initech Ab"})).status == 200
    assert await organization_ids(cid, {"friendlyName": "Initech"}) == {GLOBEX}
    assert await organization_ids(cid, {"friendlyName": "Globex"}) == set()


async def test_put101_friendly_name_change_is_visible_in_users_organization_attribute(cid):
    # GET105 first: a rendered user document is reused only while what it shows is unchanged.
    assert (await cid.get(f"/users/{MATTI}")).attribute("organization") != "ACME Myynti"
    assert (await cid.put(f"/organizations/{ACME_SALES}", params={"friendlyName": "ACME Myynti"})).status == 200
    user = await cid.get(f"/users/{MATTI}")
    assert user.attribute("organization") == "ACME Myynti"


async def test_put101_empty_custom_attribute_value_removes_it(cid):
    reply = await cid.put(f"/organizations/{ACME}", params={"vatnumber": ""})
    assert reply.status == 200, reply.text
    attributes = await organization(cid, ACME)
    assert "vatnumber" not in attributes
    assert attributes["industry"] == ["Manufacturing"]
    assert await organization_ids(cid, {"vatnumber": "FI"}) == {GLOBEX}


async def test_put101_missing_attributes_stay_unchanged(cid):
    before = await organization(cid, GLOBEX)
    reply = await cid.put(f"/organizations/{GLOBEX}", params={"industry": "Shipping"})
    assert reply.status == 200, reply.text
    after = await organization(cid, GLOBEX)
    assert after["industry"] == ["Shipping"]
    assert {name: values for name, values in after.items() if name != "industry"} == {
        name: values for name, values in before.items() if name != "industry"
    }
    assert after["friendlyName"] == ["Globex Ab"]
    assert after["vatnumber"] == ["FI76543210"]


async def test_put101_without_parameters_changes_nothing(cid):
    before = await organization(cid, ACME)
    reply = await cid.put(f"/organizations/{ACME}")
    assert reply.status == 200
    assert reply.ids == [ACME]
    assert await organization(cid, ACME) == before


async def test_put101_custom_attribute_comma_separated_values_replace_old_values(cid):
    assert (await cid.put(f"/organizations/{ACME}", params={"vatnumber": "FI11111111, FI22222222"})).status == 200
    assert (await organization(cid, ACME))["vatnumber"] == ["FI11111111", "FI22222222"]


async def test_put101_can_add_custom_attribute_to_organization_without_one(cid):
    assert (await cid.put(f"/organizations/{ACME_SALES}", params={"industry": "Sales"})).status == 200
    assert (await organization(cid, ACME_SALES))["industry"] == ["Sales"]
    assert await organization_ids(cid, {"industry": "sales"}) == {ACME_SALES}


async def test_put101_organization_type_change_creates_new_types_roles(cid):
    before = await role_entity_names(cid)
    reply = await cid.put(f"/organizations/{ACME_SALES}", params={"organizationType": "company"})
    assert reply.status == 200, reply.text
    assert (await organization(cid, ACME_SALES))["organizationClass"] == ["company"]
    after = await role_entity_names(cid)
    assert sorted(name for role_id, name in after.items() if role_id not in before) == [
        "1234567-8/sales/OrganizationUser"
    ]
    assert set(before) <= set(after)
    assert await organization_ids(cid, {"organizationType": "company"}) == {ACME, ACME_SALES, GLOBEX}


async def test_put101_empty_friendly_name_falls_back_to_technical_name(cid):
    assert (await cid.put(f"/organizations/{ACME_SALES}", params={"friendlyName": ""})).status == 200
    assert (await organization(cid, ACME_SALES))["friendlyName"] == ["sales"]


async def test_put101_updates_virtual_organization(cid):
    reply = await cid.put(f"/organizations/{PARTNERS}", params={"friendlyName": "Partner Alliance"})
    assert reply.status == 200, reply.text
    attributes = await organization(cid, PARTNERS)
    assert attributes["friendlyName"] == ["Partner Alliance"]
    assert attributes["organizationClass"] == ["virtual"]


async def test_put101_on_organization_created_by_post100_is_visible_to_get106(cid):
    new_id = await create_organization(
        cid, {"technicalName": "9999999-9", "friendlyName": "Alpha Oy", "industry": "Mining"}
    )
    assert (
        await cid.put(f"/organizations/{new_id}", params={"friendlyName": "Beta Oy", "industry": "Energy"})
    ).status == 200
    assert await organization_ids(cid, {"friendlyName": "Beta"}) == {new_id}
    assert await organization_ids(cid, {"friendlyName": "Alpha"}) == set()
    assert await organization_ids(cid, {"industry": "Energy"}) == {new_id}
    assert await organization_ids(cid, {"industry": "Mining"}) == set()
    assert (await organization(cid, new_id))["entityName"] == ["9999999-9"]


async def test_put101_virtual_flag_cannot_be_changed(cid):
    (await cid.put(f"/organizations/{ACME}", params={"virtual": "true"})).expect_error(400, 1)
    assert await organization_ids(cid, {"organizationType": "virtual"}) == {PARTNERS, partners_resellers(cid)}


async def test_put101_unknown_organization_is_entity_not_found(cid):
    (await cid.put(f"/organizations/{UNKNOWN_ID}", params={"friendlyName": "Nobody"})).expect_error(404, 7)


async def test_put101_user_id_is_not_an_organization(cid):
    (await cid.put(f"/organizations/{MAIJA}", params={"friendlyName": "Nobody"})).expect_error(404, 7)


async def test_put101_unknown_organization_type_is_invalid_arguments(cid):
    (await cid.put(f"/organizations/{ACME}", params={"organizationType": "nosuchtype"})).expect_error(400, 1)
    assert (await organization(cid, ACME))["organizationClass"] == ["company"]


async def test_put101_unconfigured_custom_attribute_is_invalid_arguments_and_changes_nothing(cid):
    before = await organization(cid, ACME)
    (await cid.put(f"/organizations/{ACME}", params={"friendlyName": "Changed", "shoesize": "42"})).expect_error(400, 1)
    assert await organization(cid, ACME) == before


# -- GET106 List Organizations ---------------------------------------------------------------


async def test_get106_lists_all_organizations(cid):
    reply = await cid.get("/organizations/")
    assert reply.status == 200
    assert reply.tag == "Organizations"
    assert reply.root.get("inResponseTo") == "/2.1/organizations/"
    assert reply.root.get("method") == "GET"
    assert set(reply.ids) == all_organizations(cid)
    assert len(reply.ids) == 7


async def test_get106_entity_name_prefix_matches_the_subtree(cid):
    assert await organization_ids(cid, {"entityName": "1234567-8"}) == {
        ACME,
        ACME_SALES,
        ACME_SALES_NORDICS,
        acme_support(cid),
    }
    assert await organization_ids(cid, {"entityName": "1234567-8/sales"}) == {ACME_SALES, ACME_SALES_NORDICS}


async def test_get106_entity_name_exact_match(cid):
    assert await organization_ids(cid, {"entityName": "1234567-8", "exactMatch": "true"}) == {ACME}
    assert await organization_ids(cid, {"entityName": "1234567-8/sales/nordics", "exactMatch": "true"}) == {
        ACME_SALES_NORDICS
    }


async def test_get106_technical_name_matches_the_last_name_part_only(cid):
    assert await organization_ids(cid, {"technicalName": "1234567"}) == {ACME}
    assert await organization_ids(cid, {"technicalName": "nord"}) == {ACME_SALES_NORDICS}
    assert await organization_ids(cid, {"technicalName": "s"}) == {ACME_SALES, acme_support(cid)}


async def test_get106_friendly_name_prefix_match_by_default(cid):
    assert await organization_ids(cid, {"friendlyName": "ACME"}) == {
        ACME,
        ACME_SALES,
        ACME_SALES_NORDICS,
        acme_support(cid),
    }
    assert await organization_ids(cid, {"friendlyName": "ACME Sales"}) == {ACME_SALES, ACME_SALES_NORDICS}
    assert await organization_ids(cid, {"friendlyName": "ACME", "exactMatch": "false"}) == {
        ACME,
        ACME_SALES,
        ACME_SALES_NORDICS,
        acme_support(cid),
    }


async def test_get106_exact_match_true_requires_the_whole_value(cid):
    assert await organization_ids(cid, {"friendlyName": "ACME", "exactMatch": "true"}) == set()
    assert await organization_ids(cid, {"friendlyName": "ACME Sales", "exactMatch": "true"}) == {ACME_SALES}


async def test_get106_search_is_case_insensitive(cid):
    assert await organization_ids(cid, {"friendlyName": "acme sales"}) == {ACME_SALES, ACME_SALES_NORDICS}
    assert await organization_ids(cid, {"friendlyName": "globex ab", "exactMatch": "true"}) == {GLOBEX}
    assert await organization_ids(cid, {"entityName": "partners/resellers", "exactMatch": "true"}) == {
        partners_resellers(cid)
    }


async def test_get106_organization_type_filter(cid):
    assert await organization_ids(cid, {"organizationType": "company"}) == {ACME, GLOBEX}
    assert await organization_ids(cid, {"organizationType": "virtual"}) == {PARTNERS, partners_resellers(cid)}
    assert await organization_ids(cid, {"organizationType": "default", "exactMatch": "true"}) == {
        ACME_SALES,
        ACME_SALES_NORDICS,
        acme_support(cid),
    }


async def test_get106_custom_attribute_filter(cid):
    assert await organization_ids(cid, {"vatnumber": "FI"}) == {ACME, GLOBEX}
    assert await organization_ids(cid, {"vatnumber": "FI12345678", "exactMatch": "true"}) == {ACME}
    assert await organization_ids(cid, {"industry": "logistics"}) == {GLOBEX}


async def test_get106_several_filters_must_all_match(cid):
    assert await organization_ids(cid, {"entityName": "1234567-8", "organizationType": "default"}) == {
        ACME_SALES,
        ACME_SALES_NORDICS,
        acme_support(cid),
    }
    assert await organization_ids(cid, {"friendlyName": "ACME", "industry": "Logistics"}) == set()
    assert await organization_ids(cid, {"friendlyName": "ACME", "vatnumber": "FI1"}) == {ACME}


async def test_get106_no_match_is_an_empty_list(cid):
    reply = await cid.get("/organizations/", params={"friendlyName": "Nonexistent"})
    assert reply.status == 200
    assert reply.tag == "Organizations"
    assert reply.ids == []


async def test_get106_same_attribute_twice_is_invalid_arguments(cid):
    (await cid.get("/organizations/", params=[("friendlyName", "ACME"), ("friendlyName", "Globex")])).expect_error(
        400, 1
    )


async def test_get106_unknown_attribute_is_invalid_arguments(cid):
    (await cid.get("/organizations/", params={"shoesize": "42"})).expect_error(400, 1)


async def test_get106_bad_boolean_for_exact_match_is_invalid_arguments(cid):
    (await cid.get("/organizations/", params={"friendlyName": "ACME", "exactMatch": "maybe"})).expect_error(400, 1)


async def test_get106_requires_authentication(cid):
    reply = await cid.get("/organizations/", headers={"Authorization": aiohttp.encode_basic_auth("restuser", "wrong")})
    reply.expect_error(401, 2)


# -- GET107 Query Organization ---------------------------------------------------------------


async def test_get107_returns_the_organization_entity(cid):
    reply = await cid.get(f"/organizations/{ACME}")
    assert reply.status == 200
    assert reply.tag == "Organization"
    assert reply.root.get("inResponseTo") == f"/2.1/organizations/{ACME}"
    assert reply.root.get("method") == "GET"
    assert reply.attributes == {
        "entityName": ["1234567-8"],
        "friendlyName": ["ACME Oy"],
        "organizationClass": ["company"],
        "industry": ["Manufacturing"],
        "vatnumber": ["FI12345678"],
    }


async def test_get107_sub_organization_entity_name_includes_the_path(cid):
    attributes = await organization(cid, ACME_SALES_NORDICS)
    assert attributes["entityName"] == ["1234567-8/sales/nordics"]
    assert attributes["friendlyName"] == ["ACME Sales Nordics"]
    assert attributes["organizationClass"] == ["default"]
    assert (await organization(cid, partners_resellers(cid)))["entityName"] == ["Partners/Resellers"]


async def test_get107_unknown_organization_is_entity_not_found(cid):
    (await cid.get(f"/organizations/{UNKNOWN_ID}")).expect_error(404, 7)


async def test_get107_user_id_is_not_an_organization(cid):
    (await cid.get(f"/organizations/{MAIJA}")).expect_error(404, 7)


async def test_get107_unknown_parameter_is_invalid_arguments(cid):
    (await cid.get(f"/organizations/{ACME}", params={"entities": "true"})).expect_error(400, 1)


async def test_get107_delete_is_method_not_allowed(cid):
    (await cid.delete(f"/organizations/{ACME}")).expect_error(405, 13)
    assert (await cid.get(f"/organizations/{ACME}")).status == 200


# -- GET113 List Organization's Users --------------------------------------------------------


async def test_get113_lists_direct_users_only_by_default(cid):
    reply = await cid.get(f"/organizations/{ACME}/users")
    assert reply.status == 200
    assert reply.tag == "Users"
    assert reply.root.get("inResponseTo") == f"/2.1/organizations/{ACME}/users"
    assert set(reply.ids) == {MAIJA, VILLE}
    assert await organization_users(cid, ACME, {"recursive": "false"}) == {MAIJA, VILLE}


async def test_get113_recursive_includes_users_of_sub_organizations(cid):
    assert await organization_users(cid, ACME, {"recursive": "true"}) == {MAIJA, VILLE, MATTI, LIISA, PEKKA, OLLI}
    assert await organization_users(cid, ACME_SALES, {"recursive": "true"}) == {MATTI, LIISA}
    assert await organization_users(cid, ACME_SALES) == {MATTI}


async def test_get113_recursive_on_leaf_organization_is_its_own_users(cid):
    assert await organization_users(cid, ACME_SALES_NORDICS, {"recursive": "true"}) == {LIISA}
    assert await organization_users(cid, GLOBEX, {"recursive": "true"}) == {ANNA, SARI, KALLE}


async def test_get113_virtual_organization_has_no_users(cid):
    assert await organization_users(cid, PARTNERS, {"recursive": "true"}) == set()


async def test_get113_attribute_filter(cid):
    assert await organization_users(cid, ACME, {"recursive": "true", "department": "Sales"}) == {MATTI, LIISA}
    assert await organization_users(cid, ACME, {"department": "Sales"}) == set()
    assert await organization_users(cid, ACME, {"recursive": "true", "login": "olli.directory"}) == {OLLI}


async def test_get113_status_filter_by_name_code_or_technical_name(cid):
    enabled = {MAIJA, MATTI, OLLI}
    assert await organization_users(cid, ACME, {"recursive": "true", "status": "Enabled"}) == enabled
    assert await organization_users(cid, ACME, {"recursive": "true", "status": "1"}) == enabled
    assert await organization_users(cid, ACME, {"recursive": "true", "status": "enabled"}) == enabled
    assert await organization_users(cid, GLOBEX, {"status": "pending"}) == {ANNA}
    assert await organization_users(cid, GLOBEX, {"status": "0"}) == {ANNA}
    assert await organization_users(cid, GLOBEX, {"status": "5"}) == {KALLE}


async def test_get113_several_filters_must_all_match(cid):
    assert await organization_users(cid, ACME, {"recursive": "true", "department": "Sales", "status": "Enabled"}) == {
        MATTI
    }


async def test_get113_max_results_limits_the_list(cid):
    everyone = {MAIJA, VILLE, MATTI, LIISA, PEKKA, OLLI}
    reply = await cid.get(f"/organizations/{ACME}/users", params={"recursive": "true", "maxResults": "2"})
    assert reply.status == 200
    assert len(reply.ids) == 2
    assert set(reply.ids) <= everyone
    assert await organization_users(cid, ACME, {"recursive": "true", "maxResults": "0"}) == everyone
    assert await organization_users(cid, ACME, {"recursive": "true", "maxResults": "100"}) == everyone


async def test_get113_unknown_organization_is_entity_not_found(cid):
    (await cid.get(f"/organizations/{UNKNOWN_ID}/users")).expect_error(404, 7)
    (await cid.get(f"/organizations/{UNKNOWN_ID}/users", params={"recursive": "true"})).expect_error(404, 7)


async def test_get113_bad_boolean_for_recursive_is_invalid_arguments(cid):
    (await cid.get(f"/organizations/{ACME}/users", params={"recursive": "maybe"})).expect_error(400, 1)


async def test_get113_bad_max_results_is_invalid_arguments(cid):
    (await cid.get(f"/organizations/{ACME}/users", params={"maxResults": "many"})).expect_error(400, 1)
    (await cid.get(f"/organizations/{ACME}/users", params={"maxResults": "-1"})).expect_error(400, 1)


async def test_get113_unknown_attribute_is_invalid_arguments(cid):
    (await cid.get(f"/organizations/{ACME}/users", params={"shoesize": "42"})).expect_error(400, 1)


async def test_get113_same_attribute_twice_is_invalid_arguments(cid):
    (
        await cid.get(f"/organizations/{ACME}/users", params=[("department", "Sales"), ("department", "IT")])
    ).expect_error(400, 1)


async def test_get113_filter_sees_attribute_changed_by_put103(cid):
    assert (await cid.put(f"/users/{MATTI}", params={"department": "IT"})).status == 200
    assert await organization_users(cid, ACME, {"recursive": "true", "department": "IT"}) == {MATTI, OLLI}
    assert await organization_users(cid, ACME, {"recursive": "true", "department": "Sales"}) == {LIISA}


async def test_get113_deleted_user_disappears_from_the_list(cid):
    assert (await cid.delete(f"/users/{MATTI}")).status == 200
    assert await organization_users(cid, ACME, {"recursive": "true"}) == {MAIJA, VILLE, LIISA, PEKKA, OLLI}


# -- GET118 List Organization's Given Mandates -------------------------------------------------


async def test_get118_lists_mandates_given_by_the_organization(cid):
    reply = await cid.get(f"/organizations/{ACME}/givenmandates")
    assert reply.status == 200
    assert reply.tag == "Mandates"
    assert reply.root.get("inResponseTo") == f"/2.1/organizations/{ACME}/givenmandates"
    assert set(reply.ids) == {MANDATE_ACME_TO_SARI, MANDATE_ACME_TO_GLOBEX}
    globex = await cid.get(f"/organizations/{GLOBEX}/givenmandates")
    assert globex.ids == [cid.emulator.id_of("mandate", "globex-to-kalle")]


async def test_get118_organization_without_given_mandates_is_an_empty_list(cid):
    reply = await cid.get(f"/organizations/{ACME_SALES}/givenmandates")
    assert reply.status == 200
    assert reply.ids == []


async def test_get118_entities_true_returns_mandate_entities(cid):
    reply = await cid.get(f"/organizations/{ACME}/givenmandates", params={"entities": "true"})
    assert reply.status == 200
    assert reply.tag == "Mandates"
    assert reply.ids == []
    mandates = reply.root.findall(f"{NS}Mandate")
    ids = {m.find(f"{NS}Attribute[@name='id']/{NS}Value").text for m in mandates}
    assert ids == {MANDATE_ACME_TO_SARI, MANDATE_ACME_TO_GLOBEX}
    for mandate in mandates:
        mandater = mandate.find(f"{NS}Attribute[@name='mandater']")
        assert mandater.get("type") == "organization"
        assert mandater.findtext(f"{NS}Value") == ACME


async def test_get118_unknown_organization_is_entity_not_found(cid):
    (await cid.get(f"/organizations/{UNKNOWN_ID}/givenmandates")).expect_error(404, 7)


async def test_get118_user_id_is_not_an_organization(cid):
    (await cid.get(f"/organizations/{MAIJA}/givenmandates")).expect_error(404, 7)


async def test_get118_bad_boolean_for_entities_is_invalid_arguments(cid):
    (await cid.get(f"/organizations/{ACME}/givenmandates", params={"entities": "maybe"})).expect_error(400, 1)


async def test_get118_unknown_parameter_is_invalid_arguments(cid):
    (await cid.get(f"/organizations/{ACME}/givenmandates", params={"recursive": "true"})).expect_error(400, 1)


async def test_get118_mandate_to_a_user_deleted_by_del102_is_no_longer_listed(cid):
    # DEL102 removes the mandates the user received, so acme's given mandates shrink.
    assert (await cid.delete(f"/users/{SARI}")).status == 200
    assert set((await cid.get(f"/organizations/{ACME}/givenmandates")).ids) == {MANDATE_ACME_TO_GLOBEX}
    assert (await cid.get(f"/organizations/{GLOBEX}/receivedmandates")).ids == [MANDATE_ACME_TO_GLOBEX]


# -- GET119 List Organization's Received Mandates ----------------------------------------------


async def test_get119_lists_mandates_received_by_the_organization(cid):
    reply = await cid.get(f"/organizations/{GLOBEX}/receivedmandates")
    assert reply.status == 200
    assert reply.tag == "Mandates"
    assert reply.root.get("inResponseTo") == f"/2.1/organizations/{GLOBEX}/receivedmandates"
    assert reply.ids == [MANDATE_ACME_TO_GLOBEX]


async def test_get119_given_mandates_are_not_received_ones(cid):
    reply = await cid.get(f"/organizations/{ACME}/receivedmandates")
    assert reply.status == 200
    assert reply.ids == []


async def test_get119_person_to_person_mandates_are_not_organization_mandates(cid):
    for organization_id in all_organizations(cid):
        received = await cid.get(f"/organizations/{organization_id}/receivedmandates")
        given = await cid.get(f"/organizations/{organization_id}/givenmandates")
        assert MANDATE_MAIJA_TO_MATTI not in received.ids + given.ids


async def test_get119_entities_true_returns_mandate_entities(cid):
    reply = await cid.get(f"/organizations/{GLOBEX}/receivedmandates", params={"entities": "true"})
    assert reply.status == 200
    [mandate] = reply.root.findall(f"{NS}Mandate")
    values = {a.get("name"): a.findtext(f"{NS}Value") for a in mandate.findall(f"{NS}Attribute")}
    assert values["id"] == MANDATE_ACME_TO_GLOBEX
    assert values["type"] == "OrgToOrg"
    assert values["mandater"] == ACME
    assert values["mandatee"] == GLOBEX
    assert mandate.find(f"{NS}Attribute[@name='mandatee']").get("type") == "organization"


async def test_get119_unknown_organization_is_entity_not_found(cid):
    (await cid.get(f"/organizations/{UNKNOWN_ID}/receivedmandates")).expect_error(404, 7)


async def test_get119_bad_boolean_for_entities_is_invalid_arguments(cid):
    (await cid.get(f"/organizations/{GLOBEX}/receivedmandates", params={"entities": "maybe"})).expect_error(400, 1)


async def test_get119_unknown_parameter_is_invalid_arguments(cid):
    (await cid.get(f"/organizations/{GLOBEX}/receivedmandates", params={"maxResults": "1"})).expect_error(400, 1)
