"""CustomerID 2.1 users: GET104, GET105, PUT103, PATCH124, PUT123, PUT125, DEL102.

Every test starts from a fresh copy of the default scenario (emulator/builtin_scenarios/default.yaml). Its users, in
ascending id order (the order collections are listed in, docs/fidelity.md):

    maija   Enabled                   acme             Management, employeeid 1001, browsers firefox+chrome
    matti   Enabled                   acme/sales       Sales, 1002
    liisa   Disabled                  acme/sales/nordics  Sales, 1003
    pekka   Locked                    acme/support     Support, age 41
    anna    Pending                   globex           Logistics
    ville   Waiting for registration  acme             Finance (invited to roles)
    sari    Enabled                   globex           Operations
    kalle   Waiting for registration  globex           (invited through a mandate)
    olli    Enabled                   acme/support     IT (Active Directory user)

    roles        maija: acme OrganizationMainUser, InvoiceViewer; matti: SalesManager;
                 liisa, pekka: acme OrganizationUser; sari: globex OrganizationMainUser
    mandates     acme -> sari, acme -> globex, maija -> matti, globex -> kalle
    delegations  sari delegates the InvoiceViewer role of acme -> globex to anna;
                 matti delegates the whole maija -> matti mandate to liisa
    invitations  ville: acme InvoiceViewer and acme OrganizationUser
"""

import json
from pathlib import Path

import aiohttp

from tests.support.customerid import (
    ACME,
    ANNA,
    GLOBEX,
    INVITATION_VILLE,
    INVOICE_VIEWER,
    KALLE,
    LIISA,
    MAIJA,
    MANDATE_ACME_TO_GLOBEX,
    MANDATE_ACME_TO_SARI,
    MANDATE_DELEGATION_MATTI_TO_LIISA,
    MANDATE_MAIJA_TO_MATTI,
    MATTI,
    NS,
    OLLI,
    PEKKA,
    ROLE_DELEGATION_SARI_TO_ANNA,
    SALES_MANAGER,
    SARI,
    UNKNOWN_ID,
    VILLE,
    CustomerIdClient,
    id_set,
    invitation_ville_acme_user,
    mandate_globex_to_kalle,
    role,
)
from tests.support.xmlshape import same_shape

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "customerid" / "2.1"
WRONG_CREDENTIALS = {"Authorization": aiohttp.encode_basic_auth("restuser", "wrong")}
ALL_USERS = [MAIJA, MATTI, LIISA, PEKKA, ANNA, VILLE, SARI, KALLE, OLLI]  # ascending id order
ACME_TREE_USERS = {MAIJA, VILLE, MATTI, LIISA, PEKKA, OLLI}
ENABLED_USERS = {MAIJA, MATTI, SARI, OLLI}
XML = {"Content-Type": "application/xml"}
JSON = {"Content-Type": "application/json"}
ACCEPT_JSON = {"Accept": "application/json"}


def stored_user(cid, user_id: str):
    """The emulator's record, for what no 2.1 read shows (password, force-change flag)."""
    return cid.emulator.model().users.get(user_id)


async def user_ids(cid, params=None, path: str = "/users/") -> list[str]:
    """GET104 (or another Users list): the ids in answer order."""
    reply = await cid.get(path, params=params)
    assert reply.status == 200, reply.text
    assert reply.tag == "Users"
    assert reply.root.get("method") == "GET"
    assert len(reply.ids) == len(set(reply.ids)), "duplicate ids"
    return reply.ids


async def found(cid, params) -> set[str]:
    """GET104 with search parameters, as a set."""
    return set(await user_ids(cid, params))


async def user(cid, user_id: str) -> dict[str, list[str]]:
    """GET105 attributes: name -> values."""
    reply = await cid.get(f"/users/{user_id}")
    assert reply.status == 200, reply.text
    assert reply.tag == "User"
    return reply.attributes


async def everyone(cid) -> dict[str, dict[str, list[str]]]:
    """GET104 + GET105 for every user: the whole visible user state."""
    return {user_id: await user(cid, user_id) for user_id in await user_ids(cid)}


async def put_user(cid, user_id: str, params) -> None:
    """PUT103, asserting the documented answer."""
    reply = await cid.put(f"/users/{user_id}", params=params)
    assert reply.status == 200, reply.text
    assert reply.tag == "Users"
    assert reply.root.get("inResponseTo") == f"/2.1/users/{user_id}"
    assert reply.root.get("method") == "PUT"
    assert reply.ids == [user_id]


def user_response(reply) -> dict:
    """PATCH124's XML UserResponse: element name -> text, customAttributes -> {name: [values]}."""
    assert reply.status == 200, reply.text
    assert reply.tag == "UserResponse"
    values: dict = {}
    for child in reply.root:
        name = child.tag.removeprefix(NS)
        if name == "customAttributes":
            values[name] = {
                a.get("name"): [v.text or "" for v in a.findall(f"{NS}value")] for a in child.findall(f"{NS}attribute")
            }
        else:
            values[name] = child.text
    return values


def child_order(reply) -> list[str]:
    return [child.tag.removeprefix(NS) for child in reply.root]


# -- GET104 List Users ---------------------------------------------------------------------------


async def test_get104_lists_all_users_in_id_order(cid):
    reply = await cid.get("/users/")
    assert reply.status == 200
    assert reply.tag == "Users"
    assert reply.root.get("inResponseTo") == "/2.1/users/"
    assert reply.root.get("method") == "GET"
    assert reply.ids == ALL_USERS


async def test_get104_without_trailing_slash_as_in_the_curl_examples(cid):
    reply = await cid.get("/users")
    assert reply.status == 200
    assert reply.root.get("inResponseTo") == "/2.1/users"  # the doc's example
    assert reply.ids == ALL_USERS
    ok, why = same_shape((FIXTURES / "GET104.xml").read_bytes(), reply.body)
    assert ok, why


async def test_get104_builtin_attribute_filters_match_by_prefix(cid):
    assert await found(cid, {"login": "maija.virtanen"}) == {MAIJA}
    assert await found(cid, {"login": "ma"}) == {MAIJA, MATTI}
    assert await found(cid, {"firstname": "Ma"}) == {MAIJA, MATTI}
    assert await found(cid, {"surname": "M"}) == {MATTI, SARI, KALLE}
    assert await found(cid, {"email": "ville.invited@"}) == {VILLE}
    assert await found(cid, {"email": "olli.ad@example.org"}) == {OLLI}
    assert await found(cid, {"ssn": "010199"}) == {MAIJA}
    assert await found(cid, {"locale": "fi"}) == {MAIJA, MATTI}
    assert await found(cid, {"locale": "sv"}) == {LIISA}


async def test_get104_mobile_filter_with_plus_sign(cid):
    assert await found(cid, {"mobile": "+35840"}) == {MAIJA, MATTI}
    assert await found(cid, {"mobile": "+358"}) == {MAIJA, MATTI, SARI}
    assert await found(cid, {"mobile": "+358501112223", "exactMatch": "true"}) == {SARI}


async def test_get104_prefix_match_is_the_default_and_exact_match_false_is_the_same(cid):
    assert await found(cid, {"firstname": "Mat"}) == {MATTI}
    assert await found(cid, {"firstname": "Mat", "exactMatch": "false"}) == {MATTI}


async def test_get104_exact_match_true_requires_the_whole_value(cid):
    assert await found(cid, {"login": "maija", "exactMatch": "true"}) == set()
    assert await found(cid, {"login": "maija.virtanen", "exactMatch": "true"}) == {MAIJA}
    assert await found(cid, {"firstname": "Ma", "exactMatch": "true"}) == set()
    assert await found(cid, {"firstname": "Matti", "exactMatch": "true"}) == {MATTI}


async def test_get104_search_ignores_case(cid):
    assert await found(cid, {"firstname": "maija"}) == {MAIJA}
    assert await found(cid, {"login": "MAIJA.VIRTANEN", "exactMatch": "true"}) == {MAIJA}
    assert await found(cid, {"surname": "mäkinen", "exactMatch": "true"}) == {SARI}


async def test_get104_non_ascii_values_are_searchable(cid):
    assert await found(cid, {"surname": "Meikäläinen", "exactMatch": "true"}) == {MATTI}
    assert await found(cid, {"surname": "Mä"}) == {SARI}


async def test_get104_id_and_cn_filters(cid):
    assert await found(cid, {"id": MAIJA, "exactMatch": "true"}) == {MAIJA}
    assert await found(cid, {"id": "aaaaaaaa-0000-4000-8000-00000000000"}) == set(ALL_USERS)
    cn = (await user(cid, PEKKA))["cn"][0]
    assert cn != PEKKA
    assert await found(cid, {"cn": cn, "exactMatch": "true"}) == {PEKKA}


async def test_get104_organization_attributes_of_the_user_entity_are_filters(cid):
    # GET105 shows organization (friendly name), organizationEntityName and organizationId.
    assert await found(cid, {"organization": "ACME Sales"}) == {MATTI, LIISA}
    assert await found(cid, {"organization": "ACME Sales", "exactMatch": "true"}) == {MATTI}
    assert await found(cid, {"organizationEntityName": "1234567-8"}) == ACME_TREE_USERS
    assert await found(cid, {"organizationEntityName": "1234567-8/sales/nordics", "exactMatch": "true"}) == {LIISA}
    assert await found(cid, {"organizationId": ACME}) == {MAIJA, VILLE}
    assert await found(cid, {"organizationId": GLOBEX, "exactMatch": "true"}) == {ANNA, SARI, KALLE}


async def test_get104_organization_id_filter_follows_the_same_prefix_and_case_rules(cid):
    # docs/fidelity.md: every filter ignores case and, without exactMatch=true, matches a prefix.
    assert await found(cid, {"organizationId": ACME.upper(), "exactMatch": "true"}) == {MAIJA, VILLE}
    assert await found(cid, {"organizationId": "11111111-1111-4111-8111-11111111111"}) == {
        MAIJA,
        VILLE,
        MATTI,
        LIISA,
    }  # acme ...111 and acme-sales ...112 (and nordics ...113)
    assert await found(cid, {"organizationId": "11111111-1111-4111-8111-11111111111", "exactMatch": "true"}) == set()


async def test_get104_status_by_name_code_or_technical_name(cid):
    for spelling in ("Enabled", "1", "enabled", "ENABLED"):
        assert await found(cid, {"status": spelling}) == ENABLED_USERS, spelling
    for spelling in ("Pending", "0", "pending"):  # the doc: "pending" is equally suitable as "0"
        assert await found(cid, {"status": spelling}) == {ANNA}, spelling
    for spelling in ("Disabled", "2", "disabled"):
        assert await found(cid, {"status": spelling}) == {LIISA}, spelling
    for spelling in ("Locked", "3", "locked"):
        assert await found(cid, {"status": spelling}) == {PEKKA}, spelling
    for spelling in ("Waiting for registration", "5", "waiting_for_registration"):
        assert await found(cid, {"status": spelling}) == {VILLE, KALLE}, spelling


async def test_get104_not_initialized_status_is_valid_and_matches_nobody(cid):
    assert await found(cid, {"status": "4"}) == set()
    assert await found(cid, {"status": "Not initialized"}) == set()


async def test_get104_status_always_matches_exactly(cid):
    # "1" is not a prefix search over codes; exactMatch does not change a status filter.
    assert await found(cid, {"status": "1", "exactMatch": "false"}) == ENABLED_USERS
    assert await found(cid, {"status": "enabled", "exactMatch": "true"}) == ENABLED_USERS


async def test_get104_custom_attribute_filters(cid):
    assert await found(cid, {"department": "Sales"}) == {MATTI, LIISA}
    assert await found(cid, {"department": "s"}) == {MATTI, LIISA, PEKKA}  # Sales, Support
    assert await found(cid, {"department": "Sales", "exactMatch": "true"}) == {MATTI, LIISA}
    assert await found(cid, {"employeeid": "100"}) == {MAIJA, MATTI, LIISA}
    assert await found(cid, {"employeeid": "1002", "exactMatch": "true"}) == {MATTI}
    assert await found(cid, {"age": "41"}) == {PEKKA}


async def test_get104_multi_valued_custom_attribute_matches_any_value(cid):
    assert await found(cid, {"browsers": "chrome"}) == {MAIJA}
    assert await found(cid, {"browsers": "firefox"}) == {MAIJA}
    assert await found(cid, {"browsers": "fire"}) == {MAIJA}
    assert await found(cid, {"browsers": "fire", "exactMatch": "true"}) == set()


async def test_get104_several_filters_must_all_match(cid):
    assert await found(cid, {"department": "Sales", "status": "Enabled"}) == {MATTI}
    assert await found(cid, {"department": "Sales", "status": "disabled"}) == {LIISA}
    assert await found(cid, {"firstname": "Ma", "locale": "fi", "employeeid": "1001"}) == {MAIJA}
    assert await found(cid, {"department": "Sales", "organizationId": GLOBEX}) == set()


async def test_get104_exact_match_applies_to_every_filter(cid):
    assert await found(cid, {"department": "Sales", "firstname": "Liisa", "exactMatch": "true"}) == {LIISA}
    assert await found(cid, {"department": "Sales", "firstname": "Lii", "exactMatch": "true"}) == set()


async def test_get104_no_match_is_an_empty_list(cid):
    reply = await cid.get("/users/", params={"firstname": "Nobody"})
    assert reply.status == 200
    assert reply.tag == "Users"
    assert reply.ids == []


async def test_get104_max_results_limits_the_list(cid):
    assert await user_ids(cid, {"maxResults": "2"}) == [MAIJA, MATTI]
    assert await user_ids(cid, {"maxResults": "1", "department": "Sales"}) == [MATTI]
    assert await user_ids(cid, {"maxResults": "9"}) == ALL_USERS


async def test_get104_max_results_zero_means_no_limit(cid):
    assert await user_ids(cid, {"maxResults": "0"}) == ALL_USERS
    assert await user_ids(cid, {"maxResults": "0", "status": "5"}) == [VILLE, KALLE]


async def test_get104_max_results_larger_than_the_matches_is_all_matches(cid):
    assert await user_ids(cid, {"maxResults": "100"}) == ALL_USERS
    assert await user_ids(cid, {"maxResults": "100", "locale": "fi"}) == [MAIJA, MATTI]


async def test_get104_same_attribute_twice_is_invalid_arguments(cid):
    (await cid.get("/users/", params=[("department", "Sales"), ("department", "IT")])).expect_error(400, 1)
    (await cid.get("/users/", params=[("firstname", "Maija"), ("firstname", "Maija")])).expect_error(400, 1)
    (await cid.get("/users/", params=[("status", "1"), ("status", "Enabled")])).expect_error(400, 1)


async def test_get104_max_results_or_exact_match_twice_is_invalid_arguments(cid):
    (await cid.get("/users/", params=[("maxResults", "1"), ("maxResults", "2")])).expect_error(400, 1)
    (await cid.get("/users/", params=[("exactMatch", "true"), ("exactMatch", "true")])).expect_error(400, 1)


async def test_get104_unknown_attribute_is_invalid_arguments(cid):
    (await cid.get("/users/", params={"shoesize": "42"})).expect_error(400, 1)
    # Organization custom attributes are not user attributes.
    (await cid.get("/users/", params={"vatnumber": "FI"})).expect_error(400, 1)


async def test_get104_unknown_parameters_are_invalid_arguments(cid):
    # GET104 documents no entities and no recursive (GET113's) parameter: they are
    # not user attributes either, so they are refused like any unknown name.
    (await cid.get("/users/", params={"entities": "true"})).expect_error(400, 1)
    (await cid.get("/users/", params={"recursive": "true"})).expect_error(400, 1)
    (await cid.get("/users/", params={"login": "maija", "entities": "false"})).expect_error(400, 1)


async def test_get104_bad_status_values_are_invalid_arguments(cid):
    for value in ("Active", "6", "-1", "En", "", "waiting for registrations"):
        (await cid.get("/users/", params={"status": value})).expect_error(400, 1)


async def test_get104_bad_max_results_is_invalid_arguments(cid):
    for value in ("many", "-1", "1.5", ""):
        (await cid.get("/users/", params={"maxResults": value})).expect_error(400, 1)


async def test_get104_bad_boolean_for_exact_match_is_invalid_arguments(cid):
    (await cid.get("/users/", params={"login": "maija", "exactMatch": "maybe"})).expect_error(400, 1)


async def test_get104_requires_authentication(cid):
    reply = await cid.get("/users/", headers=WRONG_CREDENTIALS)
    reply.expect_error(401, 2)
    assert reply.headers["WWW-Authenticate"].startswith("Basic")


async def test_get104_url_credentials_are_not_search_attributes(cid):
    async with aiohttp.ClientSession() as session:  # no Authorization header
        anonymous = CustomerIdClient(cid.emulator, session)
        (await anonymous.get("/users/")).expect_error(401, 2)
        reply = await anonymous.get("/users/", params={"username": "restuser", "password": "secret"})
        assert reply.status == 200, reply.text
        assert reply.ids == ALL_USERS
        reply = await anonymous.get(
            "/users/", params={"username": "restuser", "password": "secret", "status": "Locked"}
        )
        assert reply.ids == [PEKKA]
        (await anonymous.get("/users/", params={"username": "restuser", "password": "wrong"})).expect_error(401, 2)


async def test_get104_post_is_method_not_allowed(cid):
    # 2.1 has no Create User: a POST to the users collection is not served.
    (await cid.post("/users/", params={"login": "new.user"})).expect_error(405, 13)
    assert await user_ids(cid) == ALL_USERS


# -- GET105 Query User ---------------------------------------------------------------------------


async def test_get105_returns_every_attribute_in_the_documented_order(cid):
    reply = await cid.get(f"/users/{MAIJA}")
    assert reply.status == 200
    assert reply.tag == "User"
    assert reply.root.get("inResponseTo") == f"/2.1/users/{MAIJA}"
    assert reply.root.get("method") == "GET"
    attributes = reply.attributes
    assert list(attributes) == [
        "id",
        "firstname",
        "surname",
        "mobile",
        "cn",
        "login",
        "email",
        "ssn",
        "locale",
        "organization",
        "organizationEntityName",
        "organizationId",
        "status",
        "browsers",
        "department",
        "employeeid",
    ]
    cn = attributes.pop("cn")
    assert len(cn) == 1 and cn[0] != MAIJA
    assert attributes == {
        "id": [MAIJA],
        "firstname": ["Maija"],
        "surname": ["Virtanen"],
        "mobile": ["+358401234567"],
        "login": ["maija.virtanen"],
        "email": ["maija.virtanen@example.org"],
        "ssn": ["010199-1234"],
        "locale": ["fi"],
        "organization": ["ACME Oy"],
        "organizationEntityName": ["1234567-8"],
        "organizationId": [ACME],
        "status": ["Enabled"],
        "browsers": ["firefox", "chrome"],
        "department": ["Management"],
        "employeeid": ["1001"],
    }


async def test_get105_has_the_documented_shape(cid):
    reply = await cid.get(f"/users/{MATTI}")
    ok, why = same_shape((FIXTURES / "GET105.xml").read_bytes(), reply.body)
    assert ok, why


async def test_get105_attributes_without_value_are_left_out(cid):
    attributes = await user(cid, VILLE)
    assert "login" not in attributes
    assert "mobile" not in attributes
    assert "ssn" not in attributes
    assert "locale" not in attributes
    assert attributes["email"] == ["ville.invited@example.org"]
    assert attributes["status"] == ["Waiting for registration"]
    assert attributes["department"] == ["Finance"]


async def test_get105_status_is_shown_by_name(cid):
    assert (await user(cid, LIISA))["status"] == ["Disabled"]
    assert (await user(cid, PEKKA))["status"] == ["Locked"]
    assert (await user(cid, ANNA))["status"] == ["Pending"]
    assert (await user(cid, KALLE))["status"] == ["Waiting for registration"]


async def test_get105_sub_organization_user_shows_the_full_entity_name(cid):
    attributes = await user(cid, LIISA)
    assert attributes["organization"] == ["ACME Sales Nordics"]
    assert attributes["organizationEntityName"] == ["1234567-8/sales/nordics"]
    assert attributes["organizationId"] == [cid.emulator.id_of("organization", "acme-sales-nordics")]


async def test_get105_password_is_never_shown(cid):
    attributes = await user(cid, MAIJA)
    assert not {"pwd", "password", "pwd.activated"} & set(attributes)


async def test_get105_unknown_user_is_entity_not_found(cid):
    (await cid.get(f"/users/{UNKNOWN_ID}")).expect_error(404, 7)


async def test_get105_organization_id_is_not_a_user(cid):
    (await cid.get(f"/users/{ACME}")).expect_error(404, 7)


async def test_get105_malformed_id_is_entity_not_found(cid):
    (await cid.get("/users/not-a-uuid")).expect_error(404, 7)


async def test_get105_unknown_parameter_is_invalid_arguments(cid):
    (await cid.get(f"/users/{MAIJA}", params={"entities": "true"})).expect_error(400, 1)


async def test_get105_requires_authentication(cid):
    (await cid.get(f"/users/{MAIJA}", headers=WRONG_CREDENTIALS)).expect_error(401, 2)


# -- PUT103 Update User --------------------------------------------------------------------------


async def test_put103_curl_example_sets_mobile_and_status(cid):
    reply = await cid.put(f"/users/{LIISA}", params={"mobile": "+358401234567891", "status": "Enabled"})
    assert reply.status == 200
    assert reply.tag == "Users"
    assert reply.root.get("inResponseTo") == f"/2.1/users/{LIISA}"
    assert reply.root.get("method") == "PUT"
    assert reply.ids == [LIISA]
    ok, why = same_shape((FIXTURES / "PUT103.xml").read_bytes(), reply.body)
    assert ok, why
    attributes = await user(cid, LIISA)
    assert attributes["mobile"] == ["+358401234567891"]
    assert attributes["status"] == ["Enabled"]


async def test_put103_given_attributes_replace_and_missing_ones_stay(cid):
    before = await user(cid, MAIJA)
    await put_user(cid, MAIJA, {"firstname": "Maija-Liisa", "email": "ml.virtanen@example.org"})
    after = await user(cid, MAIJA)
    assert after["firstname"] == ["Maija-Liisa"]
    assert after["email"] == ["ml.virtanen@example.org"]
    unchanged = {name: values for name, values in before.items() if name not in ("firstname", "email")}
    assert {name: values for name, values in after.items() if name not in ("firstname", "email")} == unchanged
    assert after["surname"] == ["Virtanen"]
    assert after["browsers"] == ["firefox", "chrome"]


async def test_put103_empty_value_removes_a_builtin_attribute(cid):
    await put_user(cid, MAIJA, {"mobile": "", "ssn": ""})
    attributes = await user(cid, MAIJA)
    assert "mobile" not in attributes
    assert "ssn" not in attributes
    assert attributes["login"] == ["maija.virtanen"]
    assert await found(cid, {"mobile": "+358"}) == {MATTI, SARI}


async def test_put103_without_parameters_changes_nothing(cid):
    before = await everyone(cid)
    await put_user(cid, MATTI, {})
    assert await everyone(cid) == before


async def test_put103_update_is_visible_to_the_next_get104_query(cid):
    await put_user(cid, MATTI, {"login": "matti.m", "surname": "Mattila"})
    assert await found(cid, {"login": "matti.m", "exactMatch": "true"}) == {MATTI}
    assert await found(cid, {"login": "matti.meikalainen"}) == set()
    assert await found(cid, {"surname": "Mattila"}) == {MATTI}
    assert await found(cid, {"surname": "Meik"}) == set()


async def test_put103_update_is_visible_to_get113(cid):
    await put_user(cid, LIISA, {"status": "Enabled", "locale": "fi"})
    assert await id_set(cid, f"/organizations/{ACME}/users", "Users", {"recursive": "true", "status": "enabled"}) == {
        MAIJA,
        MATTI,
        LIISA,
        OLLI,
    }
    assert await found(cid, {"locale": "fi"}) == {MAIJA, MATTI, LIISA}


async def test_put103_repeated_custom_attribute_makes_a_multi_valued_attribute(cid):
    reply = await cid.put(f"/users/{MATTI}", params=[("browsers", "IE"), ("browsers", "chrome")])
    assert reply.status == 200, reply.text
    assert (await user(cid, MATTI))["browsers"] == ["IE", "chrome"]
    assert await found(cid, {"browsers": "chrome"}) == {MAIJA, MATTI}
    assert await found(cid, {"browsers": "ie", "exactMatch": "true"}) == {MATTI}


async def test_put103_custom_attribute_values_replace_all_old_values(cid):
    await put_user(cid, MAIJA, {"browsers": "safari"})
    assert (await user(cid, MAIJA))["browsers"] == ["safari"]
    assert await found(cid, {"browsers": "firefox"}) == set()
    assert await found(cid, {"browsers": "chrome"}) == set()
    assert await found(cid, {"browsers": "safari"}) == {MAIJA}


async def test_put103_empty_custom_attribute_value_removes_it(cid):
    await put_user(cid, MAIJA, {"department": ""})
    attributes = await user(cid, MAIJA)
    assert "department" not in attributes
    assert attributes["employeeid"] == ["1001"]
    assert await found(cid, {"department": "Management"}) == set()


async def test_put103_adds_a_configured_custom_attribute_the_user_did_not_have(cid):
    await put_user(cid, KALLE, {"department": "Sales", "age": "30"})
    attributes = await user(cid, KALLE)
    assert attributes["department"] == ["Sales"]
    assert attributes["age"] == ["30"]
    assert await found(cid, {"department": "Sales"}) == {MATTI, LIISA, KALLE}


async def test_put103_status_enabled_and_disabled(cid):
    await put_user(cid, MAIJA, {"status": "Disabled"})
    assert (await user(cid, MAIJA))["status"] == ["Disabled"]
    assert await found(cid, {"status": "2"}) == {LIISA, MAIJA}
    await put_user(cid, MAIJA, {"status": "Enabled"})
    assert (await user(cid, MAIJA))["status"] == ["Enabled"]
    assert await found(cid, {"status": "disabled"}) == {LIISA}


async def test_put103_locked_and_pending_users_can_be_enabled(cid):
    await put_user(cid, PEKKA, {"status": "Enabled"})
    await put_user(cid, ANNA, {"status": "Enabled"})
    assert await found(cid, {"status": "Enabled"}) == ENABLED_USERS | {PEKKA, ANNA}
    assert await found(cid, {"status": "Locked"}) == set()
    assert await found(cid, {"status": "Pending"}) == set()


async def test_put103_waiting_for_registration_user_can_be_disabled(cid):
    await put_user(cid, VILLE, {"status": "Disabled"})
    assert (await user(cid, VILLE))["status"] == ["Disabled"]


async def test_put103_status_other_than_enabled_or_disabled_is_invalid_arguments(cid):
    for status in ("Locked", "Pending", "Waiting for registration", "Not initialized", "3", "pending", "5"):
        (await cid.put(f"/users/{MAIJA}", params={"status": status})).expect_error(400, 1)
    assert (await user(cid, MAIJA))["status"] == ["Enabled"]
    assert await found(cid, {"status": "Enabled"}) == ENABLED_USERS


async def test_put103_unknown_status_is_invalid_arguments(cid):
    (await cid.put(f"/users/{LIISA}", params={"status": "Active"})).expect_error(400, 1)
    (await cid.put(f"/users/{LIISA}", params={"status": ""})).expect_error(400, 1)
    assert (await user(cid, LIISA))["status"] == ["Disabled"]


async def test_put103_waiting_for_registration_user_cannot_be_enabled_by_an_administrator(cid):
    (await cid.put(f"/users/{VILLE}", params={"status": "Enabled"})).expect_error(400, 1)
    assert (await user(cid, VILLE))["status"] == ["Waiting for registration"]
    assert await id_set(cid, f"/users/{VILLE}/roleinvitations", "RoleInvitations") == {
        INVITATION_VILLE,
        invitation_ville_acme_user(cid),
    }


async def test_put103_password_is_set_but_never_shown(cid):
    before = await user(cid, MATTI)
    await put_user(cid, MATTI, {"pwd": "N3wSecret!"})
    assert stored_user(cid, MATTI).password == "N3wSecret!"
    assert stored_user(cid, MATTI).password_enabled is True
    assert await user(cid, MATTI) == before


async def test_put103_empty_password_disables_the_password_method(cid):
    await put_user(cid, MAIJA, {"pwd": ""})
    assert stored_user(cid, MAIJA).password is None
    assert stored_user(cid, MAIJA).password_enabled is False


async def test_put103_pwd_activated_switches_the_password_method(cid):
    await put_user(cid, MAIJA, {"pwd.activated": "false"})
    assert stored_user(cid, MAIJA).password_enabled is False
    assert stored_user(cid, MAIJA).password == "Secret123!"
    await put_user(cid, MAIJA, {"pwd.activated": "true"})
    assert stored_user(cid, MAIJA).password_enabled is True


async def test_put103_bad_boolean_for_pwd_activated_is_invalid_arguments(cid):
    (await cid.put(f"/users/{MAIJA}", params={"pwd.activated": "maybe"})).expect_error(400, 1)
    assert stored_user(cid, MAIJA).password_enabled is True


async def test_put103_answers_xml_whatever_accept_says(cid):
    reply = await cid.put(f"/users/{MATTI}", params={"locale": "sv"}, headers=ACCEPT_JSON)
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("application/xml")
    assert reply.tag == "Users"
    assert reply.ids == [MATTI]


async def test_put103_unconfigured_custom_attribute_is_invalid_arguments_and_changes_nothing(cid):
    before = await everyone(cid)
    (await cid.put(f"/users/{MAIJA}", params={"firstname": "Changed", "shoesize": "42"})).expect_error(400, 1)
    assert await everyone(cid) == before


async def test_put103_organization_custom_attribute_is_not_a_user_attribute(cid):
    (await cid.put(f"/users/{MAIJA}", params={"vatnumber": "FI1"})).expect_error(400, 1)
    assert "vatnumber" not in await user(cid, MAIJA)


async def test_put103_read_only_attributes_cannot_be_updated(cid):
    before = await user(cid, MAIJA)
    for name, value in (
        ("id", UNKNOWN_ID),
        ("cn", UNKNOWN_ID),
        ("organizationId", GLOBEX),
        ("organization", "Globex Ab"),
    ):
        (await cid.put(f"/users/{MAIJA}", params={name: value})).expect_error(400, 1)
    assert await user(cid, MAIJA) == before


async def test_put103_builtin_attribute_given_twice_is_invalid_arguments(cid):
    (await cid.put(f"/users/{MAIJA}", params=[("firstname", "A"), ("firstname", "B")])).expect_error(400, 1)
    (await cid.put(f"/users/{MAIJA}", params=[("status", "Enabled"), ("status", "Disabled")])).expect_error(400, 1)
    assert (await user(cid, MAIJA))["firstname"] == ["Maija"]


async def test_put103_login_of_another_user_is_already_exists(cid):
    before = await everyone(cid)
    (await cid.put(f"/users/{MATTI}", params={"login": "maija.virtanen"})).expect_error(409, 4)
    (await cid.put(f"/users/{MATTI}", params={"login": "MAIJA.Virtanen", "firstname": "X"})).expect_error(409, 4)
    assert await everyone(cid) == before


async def test_put103_keeping_the_own_login_is_allowed(cid):
    await put_user(cid, MAIJA, {"login": "maija.virtanen", "locale": "en"})
    await put_user(cid, MAIJA, {"login": "Maija.Virtanen"})
    assert (await user(cid, MAIJA))["login"] == ["Maija.Virtanen"]
    # A login freed by a change can be taken by another user.
    await put_user(cid, MAIJA, {"login": "maija.v"})
    await put_user(cid, VILLE, {"login": "maija.virtanen"})
    assert await found(cid, {"login": "maija.virtanen", "exactMatch": "true"}) == {VILLE}


async def test_put103_control_characters_and_overlong_values_are_invalid_arguments(cid):
    (await cid.put(f"/users/{MAIJA}", params={"firstname": "Mai\x01ja"})).expect_error(400, 1)
    (await cid.put(f"/users/{MAIJA}", params={"surname": "x" * 5000})).expect_error(400, 1)
    assert (await user(cid, MAIJA))["firstname"] == ["Maija"]
    assert (await user(cid, MAIJA))["surname"] == ["Virtanen"]


async def test_put103_unknown_user_is_entity_not_found(cid):
    (await cid.put(f"/users/{UNKNOWN_ID}", params={"firstname": "Nobody"})).expect_error(404, 7)
    assert await found(cid, {"firstname": "Nobody"}) == set()


async def test_put103_organization_id_is_not_a_user(cid):
    (await cid.put(f"/users/{ACME}", params={"firstname": "Nobody"})).expect_error(404, 7)


async def test_put103_requires_authentication(cid):
    (await cid.put(f"/users/{MAIJA}", params={"firstname": "Hacked"}, headers=WRONG_CREDENTIALS)).expect_error(401, 2)
    assert (await user(cid, MAIJA))["firstname"] == ["Maija"]


# -- PATCH124 Update User (form, XML or JSON body) -----------------------------------------------


async def test_patch124_form_body_as_in_the_curl_example(cid):
    reply = await cid.patch(f"/users/{MAIJA}", data={"firstname": "Example"})
    assert reply.headers["Content-Type"].startswith("application/xml")
    assert reply.root.get("inResponseTo") == f"/2.1/users/{MAIJA}"
    assert reply.root.get("method") == "PATCH"
    values = user_response(reply)
    cn = (await user(cid, MAIJA))["cn"][0]
    assert values == {
        "firstname": "Example",
        "surname": "Virtanen",
        "login": "maija.virtanen",
        "email": "maija.virtanen@example.org",
        "mobile": "+358401234567",
        "ssn": "010199-1234",
        "locale": "fi",
        "status": "Enabled",
        "customAttributes": {"browsers": ["firefox", "chrome"], "department": ["Management"], "employeeid": ["1001"]},
        "userId": MAIJA,
        "repoId": cn,
        "organization": "ACME Oy",
        "organizationEntityName": "1234567-8",
    }
    assert (await user(cid, MAIJA))["firstname"] == ["Example"]


async def test_patch124_xml_answer_has_the_documented_shape_and_order(cid):
    reply = await cid.patch(f"/users/{MAIJA}", data={"locale": "en"})
    ok, why = same_shape((FIXTURES / "PATCH124.xml").read_bytes(), reply.body)
    assert ok, why
    assert reply.text.startswith('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>')


async def test_patch124_answer_leaves_out_attributes_without_value(cid):
    reply = await cid.patch(f"/users/{KALLE}", data={"locale": "fi"})
    assert child_order(reply) == [
        "firstname",
        "surname",
        "email",
        "locale",
        "status",
        "userId",
        "repoId",
        "organization",
        "organizationEntityName",
    ]
    values = user_response(reply)
    assert values["status"] == "Waiting for registration"
    assert values["organization"] == "Globex Ab"
    assert values["organizationEntityName"] == "7654321-0"


async def test_patch124_form_body_empty_value_removes_and_repeated_key_is_multi_valued(cid):
    reply = await cid.patch(
        f"/users/{MATTI}", data=[("mobile", ""), ("browsers", "IE"), ("browsers", "chrome"), ("department", "")]
    )
    values = user_response(reply)
    assert "mobile" not in values
    assert values["customAttributes"] == {"browsers": ["IE", "chrome"], "employeeid": ["1002"]}
    attributes = await user(cid, MATTI)
    assert "mobile" not in attributes
    assert "department" not in attributes
    assert attributes["browsers"] == ["IE", "chrome"]
    assert await found(cid, {"department": "Sales"}) == {LIISA}


async def test_patch124_xml_body_as_in_the_doc_sample(cid):
    sample = (FIXTURES / "PATCH124.request.xml").read_text(encoding="utf-8")
    # The sample's Custom1/Custom2 are not configured here; use the scenario's attributes.
    body = sample.replace('"Custom1"', '"browsers"').replace('"Custom2"', '"department"')
    reply = await cid.patch(f"/users/{LIISA}", data=body.encode(), headers=XML)
    values = user_response(reply)
    assert values["firstname"] == "Firstname"
    assert values["status"] == "Enabled"
    assert values["customAttributes"] == {
        "browsers": ["Value1", "Value2"],
        "department": ["Value3"],
        "employeeid": ["1003"],
    }
    attributes = await user(cid, LIISA)
    assert {
        name: attributes[name]
        for name in (
            "firstname",
            "surname",
            "login",
            "email",
            "mobile",
            "ssn",
            "locale",
            "status",
            "browsers",
            "department",
        )
    } == {
        "firstname": ["Firstname"],
        "surname": ["Surname"],
        "login": ["Username"],
        "email": ["email@example.com"],
        "mobile": ["+358501234567"],
        "ssn": ["111111-111C"],
        "locale": ["en"],
        "status": ["Enabled"],
        "browsers": ["Value1", "Value2"],
        "department": ["Value3"],
    }
    assert stored_user(cid, LIISA).password == "Password1"
    assert stored_user(cid, LIISA).password_enabled is True
    assert await found(cid, {"login": "Username", "exactMatch": "true"}) == {LIISA}


async def test_patch124_xml_body_elements_in_any_order_and_only_the_given_ones_change(cid):
    before = await user(cid, MATTI)
    body = f'<UserRequest xmlns="{NS[1:-1]}"><locale>en</locale><surname>Mattila</surname></UserRequest>'
    values = user_response(await cid.patch(f"/users/{MATTI}", data=body, headers=XML))
    assert (values["surname"], values["locale"], values["firstname"]) == ("Mattila", "en", "Matti")
    after = await user(cid, MATTI)
    assert after["surname"] == ["Mattila"]
    assert after["locale"] == ["en"]
    assert {k: v for k, v in after.items() if k not in ("surname", "locale")} == {
        k: v for k, v in before.items() if k not in ("surname", "locale")
    }


async def test_patch124_xml_custom_attribute_without_values_or_with_empty_value_is_removed(cid):
    body = (
        f'<UserRequest xmlns="{NS[1:-1]}"><customAttributes>'
        '<attribute name="browsers"/>'
        '<attribute name="department"><value></value></attribute>'
        "</customAttributes></UserRequest>"
    )
    values = user_response(await cid.patch(f"/users/{MAIJA}", data=body, headers=XML))
    assert values["customAttributes"] == {"employeeid": ["1001"]}
    attributes = await user(cid, MAIJA)
    assert "browsers" not in attributes
    assert "department" not in attributes
    assert await found(cid, {"browsers": "chrome"}) == set()


async def test_patch124_xml_empty_element_removes_a_builtin_attribute(cid):
    body = f'<UserRequest xmlns="{NS[1:-1]}"><mobile/><ssn></ssn></UserRequest>'
    values = user_response(await cid.patch(f"/users/{MAIJA}", data=body, headers=XML))
    assert "mobile" not in values and "ssn" not in values
    attributes = await user(cid, MAIJA)
    assert "mobile" not in attributes and "ssn" not in attributes


async def test_patch124_json_body_as_in_the_doc_sample(cid):
    sample = json.loads((FIXTURES / "PATCH124.request.json").read_text(encoding="utf-8"))
    sample["customAttributes"] = {"browsers": ["Value1", "Value2"], "department": "Value3"}
    reply = await cid.patch(f"/users/{PEKKA}", data=json.dumps(sample), headers=JSON)
    values = user_response(reply)  # XML by default
    assert values["firstname"] == "Firstname"
    assert values["status"] == "Enabled"
    assert values["customAttributes"] == {"age": ["41"], "browsers": ["Value1", "Value2"], "department": ["Value3"]}
    attributes = await user(cid, PEKKA)
    assert attributes["login"] == ["Username"]
    assert attributes["ssn"] == ["111111-111C"]
    assert attributes["status"] == ["Enabled"]
    assert attributes["department"] == ["Value3"]
    assert stored_user(cid, PEKKA).password == "Password1"


async def test_patch124_json_empty_string_removes_a_custom_attribute(cid):
    body = {"customAttributes": {"department": "", "employeeid": "2001"}, "mobile": ""}
    values = user_response(await cid.patch(f"/users/{MAIJA}", data=json.dumps(body), headers=JSON))
    assert values["customAttributes"] == {"browsers": ["firefox", "chrome"], "employeeid": ["2001"]}
    assert "mobile" not in values
    attributes = await user(cid, MAIJA)
    assert "department" not in attributes
    assert attributes["employeeid"] == ["2001"]


async def test_patch124_json_boolean_pwd_activated(cid):
    body = {"pwd.activated": False}
    assert (await cid.patch(f"/users/{MAIJA}", data=json.dumps(body), headers=JSON)).status == 200
    assert stored_user(cid, MAIJA).password_enabled is False
    body = {"pwd.activated": "true"}
    assert (await cid.patch(f"/users/{MAIJA}", data=json.dumps(body), headers=JSON)).status == 200
    assert stored_user(cid, MAIJA).password_enabled is True


async def test_patch124_json_answer_with_accept_application_json(cid):
    reply = await cid.patch(f"/users/{MAIJA}", data={"firstname": "Example"}, headers=ACCEPT_JSON)
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("application/json")
    cn = (await user(cid, MAIJA))["cn"][0]
    assert reply.json == {
        "firstname": "Example",
        "surname": "Virtanen",
        "login": "maija.virtanen",
        "email": "maija.virtanen@example.org",
        "mobile": "+358401234567",
        "ssn": "010199-1234",
        "locale": "fi",
        "status": "Enabled",
        # one value: a string; several: an array (the doc's example)
        "customAttributes": {"browsers": ["firefox", "chrome"], "department": "Management", "employeeid": "1001"},
        "userId": MAIJA,
        "repoId": cn,
        "organization": "ACME Oy",
        "organizationEntityName": "1234567-8",
    }
    fixture = json.loads((FIXTURES / "PATCH124.json").read_text(encoding="utf-8"))
    assert list(reply.json) == list(fixture)  # the documented key order


async def test_patch124_json_request_and_json_answer(cid):
    reply = await cid.patch(
        f"/users/{SARI}", data=json.dumps({"surname": "Makinen", "status": "Disabled"}), headers={**JSON, **ACCEPT_JSON}
    )
    assert reply.status == 200
    assert reply.json["surname"] == "Makinen"
    assert reply.json["status"] == "Disabled"
    assert reply.json["userId"] == SARI
    assert reply.json["customAttributes"] == {"department": "Operations"}
    assert await found(cid, {"status": "Disabled"}) == {LIISA, SARI}


async def test_patch124_accept_naming_xml_and_json_answers_xml(cid):
    reply = await cid.patch(
        f"/users/{MAIJA}", data={"locale": "en"}, headers={"Accept": "application/json, application/xml"}
    )
    assert user_response(reply)["locale"] == "en"
    reply = await cid.patch(f"/users/{MAIJA}", data={"locale": "sv"}, headers={"Accept": "application/xml"})
    assert user_response(reply)["locale"] == "sv"


async def test_patch124_status_other_than_enabled_or_disabled_is_invalid_arguments(cid):
    before = await everyone(cid)
    (await cid.patch(f"/users/{MAIJA}", data={"status": "Locked", "firstname": "X"})).expect_error(400, 1)
    body = f'<UserRequest xmlns="{NS[1:-1]}"><firstname>X</firstname><status>Pending</status></UserRequest>'
    (await cid.patch(f"/users/{MAIJA}", data=body, headers=XML)).expect_error(400, 1)
    (await cid.patch(f"/users/{MAIJA}", data=json.dumps({"firstname": "X", "status": "5"}), headers=JSON)).expect_error(
        400, 1
    )
    (await cid.patch(f"/users/{VILLE}", data={"status": "Enabled"})).expect_error(400, 1)
    assert await everyone(cid) == before


async def test_patch124_malformed_xml_is_invalid_arguments(cid):
    before = await everyone(cid)
    for body in (
        f'<UserRequest xmlns="{NS[1:-1]}"><firstname>X</firstname>',  # not closed
        "<UserRequest><firstname>X</surname></UserRequest>",
        "not xml at all",
        "",
    ):
        (await cid.patch(f"/users/{MAIJA}", data=body, headers=XML)).expect_error(400, 1)
    assert await everyone(cid) == before


async def test_patch124_doc_sample_closing_tag_slip_is_malformed_xml(cid):
    # The doc's sample opens <UserRequest> and closes </UserPatchRequest>: not well-formed.
    sample = (FIXTURES / "PATCH124.request.xml").read_text(encoding="utf-8")
    broken = sample.replace("</UserRequest>", "</UserPatchRequest>")
    (await cid.patch(f"/users/{MAIJA}", data=broken, headers=XML)).expect_error(400, 1)
    assert (await user(cid, MAIJA))["firstname"] == ["Maija"]


async def test_patch124_xml_with_doctype_or_entities_is_refused_and_changes_nothing(cid):
    before = await everyone(cid)
    ns = NS[1:-1]
    bodies = [
        # billion laughs
        (
            '<?xml version="1.0"?><!DOCTYPE UserRequest [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
            f'<UserRequest xmlns="{ns}"><firstname>&c;</firstname></UserRequest>'
        ),
        # external entity
        (
            '<?xml version="1.0"?><!DOCTYPE UserRequest [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            f'<UserRequest xmlns="{ns}"><firstname>&x;</firstname></UserRequest>'
        ),
        # a DTD alone
        f'<!DOCTYPE UserRequest><UserRequest xmlns="{ns}"><firstname>Doc</firstname></UserRequest>',
    ]
    for body in bodies:
        reply = await cid.patch(f"/users/{MAIJA}", data=body, headers=XML)
        assert 400 <= reply.status < 500, reply.status
        assert reply.root.tag == "error"
        assert reply.error_code == 1
    assert await everyone(cid) == before


async def test_patch124_wrong_xml_document_is_invalid_arguments(cid):
    ns = NS[1:-1]
    for body in (
        f'<User xmlns="{ns}"><firstname>X</firstname></User>',
        f'<UserRequest xmlns="{ns}"><nickname>X</nickname></UserRequest>',
        f'<UserRequest xmlns="{ns}"><firstname>X</firstname><firstname>Y</firstname></UserRequest>',
        f'<UserRequest xmlns="{ns}"><firstname><b>X</b></firstname></UserRequest>',
        f'<UserRequest xmlns="{ns}"><customAttributes><value>X</value></customAttributes></UserRequest>',
    ):
        (await cid.patch(f"/users/{MAIJA}", data=body, headers=XML)).expect_error(400, 1)
    assert (await user(cid, MAIJA))["firstname"] == ["Maija"]


async def test_patch124_malformed_json_is_invalid_arguments(cid):
    before = await everyone(cid)
    # The doc's own JSON sample is not valid JSON (missing comma, unquoted value, trailing commas).
    doc_sample = (
        '{ "firstname": "Firstname", "customAttributes": { "Custom1": ["Value1", "Value2"] "Custom2": Value3 }, }'
    )
    for body in (doc_sample, '{"firstname": "X"', "", "null", '["firstname", "X"]', '"firstname"'):
        (await cid.patch(f"/users/{MAIJA}", data=body, headers=JSON)).expect_error(400, 1)
    assert await everyone(cid) == before


async def test_patch124_json_with_wrong_value_types_is_invalid_arguments(cid):
    before = await everyone(cid)
    # Unknown fields are refused (Jackson's default); custom attributes belong inside customAttributes.
    for body in (
        {"firstname": ["A", "B"]},
        {"customAttributes": ["department", "IT"]},
        {"nickname": "X"},
        {"pwd.activated": "maybe"},
        {"department": "IT"},
    ):
        (await cid.patch(f"/users/{MAIJA}", data=json.dumps(body), headers=JSON)).expect_error(400, 1)
    assert await everyone(cid) == before


async def test_patch124_unconfigured_custom_attribute_is_invalid_arguments_and_changes_nothing(cid):
    before = await everyone(cid)
    body = {"firstname": "X", "customAttributes": {"Custom3": ["Value1"]}}
    (await cid.patch(f"/users/{MAIJA}", data=json.dumps(body), headers=JSON)).expect_error(400, 1)
    (await cid.patch(f"/users/{MAIJA}", data={"firstname": "X", "shoesize": "42"})).expect_error(400, 1)
    assert await everyone(cid) == before


async def test_patch124_unsupported_content_type_is_invalid_arguments(cid):
    (await cid.patch(f"/users/{MAIJA}", data="firstname=X", headers={"Content-Type": "text/plain"})).expect_error(
        400, 1
    )
    assert (await user(cid, MAIJA))["firstname"] == ["Maija"]


async def test_patch124_query_parameters_are_refused(cid):
    (await cid.patch(f"/users/{MAIJA}", params={"firstname": "Query"}, data={"surname": "Body"})).expect_error(400, 1)
    attributes = await user(cid, MAIJA)
    assert (attributes["firstname"], attributes["surname"]) == (["Maija"], ["Virtanen"])


async def test_patch124_login_of_another_user_is_already_exists(cid):
    (await cid.patch(f"/users/{SARI}", data=json.dumps({"login": "matti.meikalainen"}), headers=JSON)).expect_error(
        409, 4
    )
    assert (await user(cid, SARI))["login"] == ["sari.makinen"]


async def test_patch124_body_over_one_mebibyte_is_refused(cid):
    body = {"firstname": "X", "customAttributes": {"department": ["d" * 4000] * 300}}
    reply = await cid.patch(f"/users/{MAIJA}", data=json.dumps(body), headers=JSON)
    reply.expect_error(413, 1)
    assert (await user(cid, MAIJA))["firstname"] == ["Maija"]


async def test_patch124_unknown_user_is_entity_not_found(cid):
    (await cid.patch(f"/users/{UNKNOWN_ID}", data={"firstname": "Nobody"})).expect_error(404, 7)
    (await cid.patch(f"/users/{UNKNOWN_ID}", data=json.dumps({"firstname": "Nobody"}), headers=JSON)).expect_error(
        404, 7
    )
    assert await found(cid, {"firstname": "Nobody"}) == set()


async def test_patch124_requires_authentication(cid):
    (await cid.patch(f"/users/{MAIJA}", data={"firstname": "Hacked"}, headers=WRONG_CREDENTIALS)).expect_error(401, 2)
    assert (await user(cid, MAIJA))["firstname"] == ["Maija"]


# -- PUT123 Reinvite User ------------------------------------------------------------------------


async def test_put123_reinvites_a_user_waiting_for_registration(cid):
    reply = await cid.put(f"/users/{VILLE}/reinvite")
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("application/xml")
    assert reply.tag == "ReinviteResponse"
    assert reply.root.get("inResponseTo") == f"/2.1/users/{VILLE}/reinvite"
    assert reply.root.get("method") == "PUT"
    assert reply.root.findtext(f"{NS}userId") == VILLE
    assert reply.root.findtext(f"{NS}email") == "ville.invited@example.org"
    ok, why = same_shape((FIXTURES / "PUT123.xml").read_bytes(), reply.body)
    assert ok, why


async def test_put123_json_answer_with_accept_application_json(cid):
    reply = await cid.put(f"/users/{VILLE}/reinvite", headers=ACCEPT_JSON)
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("application/json")
    assert reply.json == {"userId": VILLE, "email": "ville.invited@example.org"}
    fixture = json.loads((FIXTURES / "PUT123.json").read_text(encoding="utf-8"))
    assert list(reply.json) == list(fixture)


async def test_put123_goes_to_the_current_email_address(cid):
    # The doc: "If original invitation was sent to wrong address, update email address
    # first for example with PUT103 Update User."
    await put_user(cid, VILLE, {"email": "ville.correct@example.org"})
    reply = await cid.put(f"/users/{VILLE}/reinvite")
    assert reply.root.findtext(f"{NS}email") == "ville.correct@example.org"
    reply = await cid.put(f"/users/{VILLE}/reinvite", headers=ACCEPT_JSON)
    assert reply.json == {"userId": VILLE, "email": "ville.correct@example.org"}


async def test_put123_changes_nothing_and_can_be_repeated(cid):
    before = await everyone(cid)
    invitations = await id_set(cid, "/roleinvitations/", "RoleInvitations")
    for _ in range(2):
        assert (await cid.put(f"/users/{VILLE}/reinvite")).status == 200
    assert await everyone(cid) == before
    assert await id_set(cid, "/roleinvitations/", "RoleInvitations") == invitations


async def test_put123_users_in_other_statuses_are_refused(cid):
    for user_id in (MAIJA, LIISA, PEKKA, ANNA):  # Enabled, Disabled, Locked, Pending
        (await cid.put(f"/users/{user_id}/reinvite")).expect_error(400, 1)
        (await cid.put(f"/users/{user_id}/reinvite", headers=ACCEPT_JSON)).expect_error(400, 1)


async def test_put123_disabled_former_invitee_is_refused(cid):
    await put_user(cid, VILLE, {"status": "Disabled"})
    (await cid.put(f"/users/{VILLE}/reinvite")).expect_error(400, 1)


async def test_put123_mandate_invitation_is_not_supported(cid):
    # The doc: "This functionality does not support invitations related to mandates."
    assert (await user(cid, KALLE))["status"] == ["Waiting for registration"]
    (await cid.put(f"/users/{KALLE}/reinvite")).expect_error(400, 1)


async def test_put123_user_without_email_is_refused(cid):
    await put_user(cid, VILLE, {"email": ""})
    (await cid.put(f"/users/{VILLE}/reinvite")).expect_error(400, 1)


async def test_put123_unknown_user_is_entity_not_found(cid):
    (await cid.put(f"/users/{UNKNOWN_ID}/reinvite")).expect_error(404, 7)
    (await cid.put(f"/users/{ACME}/reinvite")).expect_error(404, 7)


async def test_put123_unknown_parameter_is_invalid_arguments(cid):
    (await cid.put(f"/users/{VILLE}/reinvite", params={"email": "other@example.org"})).expect_error(400, 1)
    assert (await user(cid, VILLE))["email"] == ["ville.invited@example.org"]


async def test_put123_requires_authentication(cid):
    (await cid.put(f"/users/{VILLE}/reinvite", headers=WRONG_CREDENTIALS)).expect_error(401, 2)


async def test_put123_get_is_method_not_allowed(cid):
    (await cid.get(f"/users/{VILLE}/reinvite")).expect_error(405, 13)


# -- PUT125 Force Password Change for User -------------------------------------------------------


async def test_put125_answers_204_with_no_body(cid):
    assert stored_user(cid, MAIJA).must_change_password is False
    reply = await cid.put(f"/users/{MAIJA}/forcepasswordchange")
    assert reply.status == 204
    assert reply.body == b""
    assert stored_user(cid, MAIJA).must_change_password is True


async def test_put125_changes_nothing_a_2_1_read_shows(cid):
    before = await everyone(cid)
    assert (await cid.put(f"/users/{MATTI}/forcepasswordchange")).status == 204
    assert await everyone(cid) == before
    assert stored_user(cid, MATTI).must_change_password is True
    assert stored_user(cid, MAIJA).must_change_password is False


async def test_put125_can_be_repeated(cid):
    for _ in range(2):
        reply = await cid.put(f"/users/{SARI}/forcepasswordchange")
        assert (reply.status, reply.body) == (204, b"")
    assert stored_user(cid, SARI).must_change_password is True


async def test_put125_works_for_users_in_any_status_of_the_ubilogin_directory(cid):
    for user_id in (LIISA, PEKKA, ANNA, VILLE):
        assert (await cid.put(f"/users/{user_id}/forcepasswordchange")).status == 204
        assert stored_user(cid, user_id).must_change_password is True


async def test_put125_active_directory_user_is_404(cid):
    # The doc: "When user repository is Active Directory, an error response is returned with status code 404."
    (await cid.put(f"/users/{OLLI}/forcepasswordchange")).expect_error(404, 7)
    assert stored_user(cid, OLLI).must_change_password is False
    assert (await user(cid, OLLI))["status"] == ["Enabled"]


async def test_put125_unknown_user_is_entity_not_found(cid):
    (await cid.put(f"/users/{UNKNOWN_ID}/forcepasswordchange")).expect_error(404, 7)
    (await cid.put(f"/users/{GLOBEX}/forcepasswordchange")).expect_error(404, 7)


async def test_put125_unknown_parameter_is_invalid_arguments(cid):
    (await cid.put(f"/users/{MAIJA}/forcepasswordchange", params={"pwd": "x"})).expect_error(400, 1)
    assert stored_user(cid, MAIJA).must_change_password is False
    assert stored_user(cid, MAIJA).password == "Secret123!"


async def test_put125_requires_authentication(cid):
    (await cid.put(f"/users/{MAIJA}/forcepasswordchange", headers=WRONG_CREDENTIALS)).expect_error(401, 2)
    assert stored_user(cid, MAIJA).must_change_password is False


# -- DEL102 Delete User --------------------------------------------------------------------------


async def test_del102_deletes_the_user(cid):
    reply = await cid.delete(f"/users/{PEKKA}")
    assert reply.status == 200
    assert reply.tag == "Users"
    assert reply.root.get("inResponseTo") == f"/2.1/users/{PEKKA}"
    assert reply.root.get("method") == "DELETE"
    assert reply.ids == [PEKKA]
    ok, why = same_shape((FIXTURES / "DEL102.xml").read_bytes(), reply.body)
    assert ok, why
    (await cid.get(f"/users/{PEKKA}")).expect_error(404, 7)


async def test_del102_deleted_user_is_gone_from_get104_and_get113(cid):
    assert (await cid.delete(f"/users/{PEKKA}")).status == 200
    assert await user_ids(cid) == [u for u in ALL_USERS if u != PEKKA]
    assert await found(cid, {"login": "pekka"}) == set()
    assert await found(cid, {"status": "Locked"}) == set()
    assert await found(cid, {"department": "Support"}) == set()
    assert await id_set(cid, f"/organizations/{ACME}/users", "Users", {"recursive": "true"}) == ACME_TREE_USERS - {
        PEKKA
    }
    support = cid.emulator.id_of("organization", "acme-support")
    assert await id_set(cid, f"/organizations/{support}/users", "Users") == {OLLI}


async def test_del102_twice_is_entity_not_found(cid):
    assert (await cid.delete(f"/users/{ANNA}")).status == 200
    (await cid.delete(f"/users/{ANNA}")).expect_error(404, 7)


async def test_del102_deleted_user_cannot_be_updated_reinvited_or_forced(cid):
    assert (await cid.delete(f"/users/{VILLE}")).status == 200
    (await cid.put(f"/users/{VILLE}", params={"firstname": "Ghost"})).expect_error(404, 7)
    (await cid.patch(f"/users/{VILLE}", data={"firstname": "Ghost"})).expect_error(404, 7)
    (await cid.put(f"/users/{VILLE}/reinvite")).expect_error(404, 7)
    (await cid.put(f"/users/{VILLE}/forcepasswordchange")).expect_error(404, 7)
    assert await found(cid, {"firstname": "Ghost"}) == set()


async def test_del102_removes_the_users_role_assignments_but_not_the_roles(cid):
    roles = await id_set(cid, "/roles", "Roles")
    assert (await cid.delete(f"/users/{MAIJA}")).status == 200
    (await cid.get(f"/users/{MAIJA}/roles")).expect_error(404, 7)
    assert cid.emulator.model().role_assignments.find("user", MAIJA) == []
    assert await id_set(cid, "/roles", "Roles") == roles
    for role_id in (role(cid, "acme-main-user"), INVOICE_VIEWER):
        assert (await cid.get(f"/roles/{role_id}")).status == 200
    # Other users keep theirs.
    assert await id_set(cid, f"/users/{MATTI}/roles", "Roles") == {SALES_MANAGER, role(cid, "acme-user")}
    assert await id_set(cid, f"/users/{SARI}/roles", "Roles") == {role(cid, "globex-main-user")}


async def test_del102_removes_mandates_the_user_gave_and_their_delegations(cid):
    assert (await cid.delete(f"/users/{MAIJA}")).status == 200
    (await cid.get(f"/mandates/{MANDATE_MAIJA_TO_MATTI}")).expect_error(404, 7)
    assert MANDATE_MAIJA_TO_MATTI not in await id_set(cid, "/mandates/", "Mandates")
    assert await id_set(cid, f"/users/{MATTI}/receivedmandates", "Mandates") == set()
    (await cid.get(f"/users/{MAIJA}/givenmandates")).expect_error(404, 7)
    # matti had delegated the whole maija -> matti mandate to liisa: it rested on the mandate.
    assert await id_set(cid, f"/users/{LIISA}/receivedmandatedelegations", "Mandates") == set()
    assert cid.emulator.model().delegations.get(MANDATE_DELEGATION_MATTI_TO_LIISA) is None
    # The users at the other end stay.
    assert (await cid.get(f"/users/{MATTI}")).status == 200
    assert (await cid.get(f"/users/{LIISA}")).status == 200


async def test_del102_removes_mandates_the_user_received_and_delegations_they_made(cid):
    assert (await cid.delete(f"/users/{MATTI}")).status == 200
    (await cid.get(f"/mandates/{MANDATE_MAIJA_TO_MATTI}")).expect_error(404, 7)
    assert await id_set(cid, f"/users/{MAIJA}/givenmandates", "Mandates") == set()
    assert await id_set(cid, f"/users/{LIISA}/receivedmandatedelegations", "Mandates") == set()
    assert cid.emulator.model().delegations.find("mandater_user", MATTI) == []


async def test_del102_removes_the_organization_mandate_the_user_received_and_its_role_delegation(cid):
    assert (await cid.delete(f"/users/{SARI}")).status == 200
    (await cid.get(f"/mandates/{MANDATE_ACME_TO_SARI}")).expect_error(404, 7)
    assert await id_set(cid, f"/organizations/{ACME}/givenmandates", "Mandates") == {MANDATE_ACME_TO_GLOBEX}
    assert await id_set(cid, "/mandates/", "Mandates") == {
        MANDATE_ACME_TO_GLOBEX,
        MANDATE_MAIJA_TO_MATTI,
        mandate_globex_to_kalle(cid),
    }
    # sari had delegated the InvoiceViewer role of acme -> globex to anna.
    (await cid.get(f"/delegations/{ROLE_DELEGATION_SARI_TO_ANNA}")).expect_error(404, 7)
    assert await id_set(cid, f"/users/{ANNA}/delegations", "Delegations") == set()
    # The organization-to-organization mandate itself is not sari's and stays.
    assert (await cid.get(f"/mandates/{MANDATE_ACME_TO_GLOBEX}")).status == 200
    assert await id_set(cid, f"/organizations/{GLOBEX}/receivedmandates", "Mandates") == {MANDATE_ACME_TO_GLOBEX}


async def test_del102_removes_delegations_the_user_received(cid):
    assert (await cid.delete(f"/users/{ANNA}")).status == 200
    (await cid.get(f"/delegations/{ROLE_DELEGATION_SARI_TO_ANNA}")).expect_error(404, 7)
    assert cid.emulator.model().delegations.find("delegate", ANNA) == []
    assert (await cid.get(f"/mandates/{MANDATE_ACME_TO_GLOBEX}")).status == 200
    assert await id_set(cid, f"/users/{SARI}/receivedmandates", "Mandates") == {MANDATE_ACME_TO_SARI}

    assert (await cid.delete(f"/users/{LIISA}")).status == 200
    assert cid.emulator.model().delegations.get(MANDATE_DELEGATION_MATTI_TO_LIISA) is None
    assert await id_set(cid, f"/users/{MATTI}/receivedmandates", "Mandates") == {MANDATE_MAIJA_TO_MATTI}
    assert len(cid.emulator.model().delegations) == 0


async def test_del102_removes_the_mandate_invitation_of_an_invited_user(cid):
    kalle_mandate = mandate_globex_to_kalle(cid)
    assert (await cid.delete(f"/users/{KALLE}")).status == 200
    (await cid.get(f"/mandates/{kalle_mandate}")).expect_error(404, 7)
    assert await id_set(cid, f"/organizations/{GLOBEX}/givenmandates", "Mandates") == set()
    assert kalle_mandate not in await id_set(cid, "/mandates/", "Mandates")


async def test_del102_removes_the_users_role_invitations(cid):
    assert (await cid.delete(f"/users/{VILLE}")).status == 200
    assert await id_set(cid, "/roleinvitations/", "RoleInvitations") == set()
    (await cid.get(f"/users/{VILLE}/roleinvitations")).expect_error(404, 7)
    # The roles the invitations were for stay.
    assert (await cid.get(f"/roles/{INVOICE_VIEWER}")).status == 200


async def test_del102_leaves_nothing_pointing_at_the_user(cid):
    for user_id in (MAIJA, SARI, VILLE, KALLE):
        assert (await cid.delete(f"/users/{user_id}")).status == 200
        model = cid.emulator.model()
        assert model.role_assignments.find("user", user_id) == []
        assert model.role_invitations.find("user", user_id) == []
        assert model.mandates.find("mandater", user_id) == []
        assert model.mandates.find("mandatee", user_id) == []
        assert model.delegations.find("delegate", user_id) == []
        assert model.delegations.find("mandater_user", user_id) == []
        for mandate_id in await id_set(cid, "/mandates/", "Mandates"):
            reply = await cid.get(f"/mandates/{mandate_id}")
            assert user_id not in {values[0] for values in reply.attributes.values()}


async def test_del102_leaves_other_users_unchanged(cid):
    before = await everyone(cid)
    assert (await cid.delete(f"/users/{MATTI}")).status == 200
    after = await everyone(cid)
    assert after == {user_id: attributes for user_id, attributes in before.items() if user_id != MATTI}


async def test_del102_active_directory_user_can_be_deleted(cid):
    assert (await cid.delete(f"/users/{OLLI}")).status == 200
    assert await found(cid, {"department": "IT"}) == set()


async def test_del102_unknown_user_is_entity_not_found(cid):
    (await cid.delete(f"/users/{UNKNOWN_ID}")).expect_error(404, 7)
    assert await user_ids(cid) == ALL_USERS


async def test_del102_organization_or_mandate_id_is_not_a_user(cid):
    (await cid.delete(f"/users/{ACME}")).expect_error(404, 7)
    (await cid.delete(f"/users/{MANDATE_ACME_TO_SARI}")).expect_error(404, 7)
    assert (await cid.get(f"/organizations/{ACME}")).status == 200
    assert (await cid.get(f"/mandates/{MANDATE_ACME_TO_SARI}")).status == 200


async def test_del102_unknown_parameter_is_invalid_arguments_and_deletes_nothing(cid):
    (await cid.delete(f"/users/{MAIJA}", params={"recursive": "true"})).expect_error(400, 1)
    assert await user_ids(cid) == ALL_USERS
    assert MANDATE_MAIJA_TO_MATTI in await id_set(cid, "/mandates/", "Mandates")


async def test_del102_requires_authentication(cid):
    (await cid.delete(f"/users/{MAIJA}", headers=WRONG_CREDENTIALS)).expect_error(401, 2)
    assert await user_ids(cid) == ALL_USERS


async def test_del102_on_the_users_collection_is_method_not_allowed(cid):
    (await cid.delete("/users/")).expect_error(405, 13)
    assert await user_ids(cid) == ALL_USERS


# -- Atomicity: a refused request changes nothing ------------------------------------------------


async def test_refused_updates_change_nothing_visible_to_any_query(cid):
    before_users = await everyone(cid)
    before_search = await found(cid, {"department": "Sales"})
    refused = [
        lambda: cid.put(f"/users/{MATTI}", params={"department": "IT", "status": "Locked"}),
        lambda: cid.put(f"/users/{MATTI}", params={"department": "IT", "pwd.activated": "perhaps"}),
        lambda: cid.put(f"/users/{MATTI}", params={"department": "IT", "login": "maija.virtanen"}),
        lambda: cid.put(f"/users/{MATTI}", params=[("department", "IT"), ("surname", "A"), ("surname", "B")]),
        lambda: cid.put(f"/users/{MATTI}", params={"department": "IT", "shoesize": "42"}),
        lambda: cid.patch(f"/users/{MATTI}", data={"department": "IT", "status": "Pending"}),
        lambda: cid.patch(
            f"/users/{MATTI}", data=json.dumps({"customAttributes": {"department": "IT"}, "extra": "x"}), headers=JSON
        ),
        lambda: cid.patch(
            f"/users/{MATTI}",
            data=(f'<UserRequest xmlns="{NS[1:-1]}"><surname>Z</surname><status>Locked</status></UserRequest>'),
            headers=XML,
        ),
    ]
    for send in refused:
        reply = await send()
        assert reply.status in (400, 409), reply.text
        assert reply.root.tag == "error"
    assert await everyone(cid) == before_users
    assert await found(cid, {"department": "Sales"}) == before_search == {MATTI, LIISA}
    assert await found(cid, {"department": "IT"}) == {OLLI}
    assert stored_user(cid, MATTI).password_enabled is True
