"""The CustomerID 1.2 API (/customerid-rest/services/): pending users, role
invitations, registrations, mandates, mandate templates and delegations. Its pages
are not public: the URLs and parameters are designed (docs/fidelity.md, "1.2 —
designed, not documented"); the rules are the shared model's. Answers are the 1.2
document family, validated against cid-1.2.xsd by the client."""

from urllib.parse import quote

from tests.support.customerid import (
    ANNA,
    GLOBEX,
    INVITATION_VILLE,
    KALLE,
    LIISA,
    MAIJA,
    MANDATE_ACME_TO_SARI,
    MANDATE_DELEGATION_MATTI_TO_LIISA,
    MANDATE_MAIJA_TO_MATTI,
    MATTI,
    ROLE_DELEGATION_SARI_TO_ANNA,
    SARI,
    UNKNOWN_ID,
    VILLE,
)

V = "1.2"
SARI_MANDATE = "Invoice viewing for Sari Mäkinen"


def base(cid) -> str:
    return cid.emulator.url + "/customerid-rest/services"


def mandate_path(name: str) -> str:
    return "/mandate/" + quote(name, safe="")


# --------------------------------------------------------------------------- pending users, invitations


async def test_d12_creatependinguser_with_a_role_invitation(cid):
    reply = await cid.post(
        "/pendingusers/",
        version=V,
        params={
            "organization": "1234567-8/sales",
            "email": "new@example.org",
            "firstname": "New",
            "role": "1234567-8/sales/SalesManager",
        },
    )
    assert reply.status == 201, reply.text
    (url,) = reply.urls
    user_id = url.rsplit("/", 1)[1]
    assert url == f"{base(cid)}/pendinguser/{user_id}"
    user = await cid.get(f"/users/{user_id}")  # the same user, through 2.1
    assert user.attribute("status") == "Waiting for registration" and user.attribute("email") == "new@example.org"
    assert len((await cid.get(f"/users/{user_id}/roleinvitations")).ids) == 1


async def test_d12_creatependinguser_errors(cid):
    (await cid.post("/pendingusers/", version=V, params={"organization": "1234567-8"})).expect_error(400, 1)
    reply = await cid.post("/pendingusers/", version=V, params={"organization": "nosuch", "email": "a@b"})
    reply.expect_error(400, 10)
    reply = await cid.post("/pendingusers/", version=V, params={"organization": "Partners", "email": "a@b"})
    reply.expect_error(400, 9)


async def test_d12_createroleinvitation(cid):
    reply = await cid.post(
        "/roleinvitations/", version=V, params={"role": "1234567-8/sales/SalesManager", "user": VILLE}
    )
    assert reply.status == 201
    invitation_id = reply.urls[0].rsplit("/", 1)[1]
    assert invitation_id in (await cid.get("/roleinvitations/")).ids  # 2.1 GET112


async def test_d12_createroleinvitation_invalid_reference(cid):
    reply = await cid.post("/roleinvitations/", version=V, params={"role": "1234567-8/Nope", "user": VILLE})
    reply.expect_error(400, 10)
    reply = await cid.post(
        "/roleinvitations/", version=V, params={"role": "1234567-8/InvoiceViewer", "user": UNKNOWN_ID}
    )
    reply.expect_error(400, 10)


async def test_d12_queryroleinvitation(cid):
    reply = await cid.get(f"/roleinvitation/{INVITATION_VILLE}", version=V)
    assert reply.status == 200 and reply.tag == "roleinvitation"
    assert reply.field("user") == f"{base(cid)}/user/{VILLE}"
    assert reply.field("role") == cid.emulator.url + "/eidm2/services/role/1234567-8/InvoiceViewer"


async def test_d12_queryroleinvitation_unknown(cid):
    (await cid.get(f"/roleinvitation/{UNKNOWN_ID}", version=V)).expect_error(404, 7)


async def test_d12_listorganizationroleinvitations(cid):
    reply = await cid.get("/roleinvitations/1234567-8/", version=V)
    assert reply.status == 200 and f"{base(cid)}/roleinvitation/{INVITATION_VILLE}" in reply.urls
    assert len(reply.urls) == 2
    assert (await cid.get("/roleinvitations/7654321-0", version=V)).urls == []


async def test_d12_listorganizationroleinvitations_unknown_organization(cid):
    (await cid.get("/roleinvitations/nosuch", version=V)).expect_error(404, 7)


async def test_d12_listregistrations(cid):
    reply = await cid.get("/registrations/", version=V)
    assert reply.status == 200
    assert [url.rsplit("/", 1)[1] for url in reply.urls] == sorted([ANNA, VILLE, KALLE])


async def test_d12_listregistrations_bad_parameter(cid):
    (await cid.get("/registrations/", version=V, params={"entities": "1"})).expect_error(400, 1)


async def test_d12_listregistration_for_an_organization(cid):
    reply = await cid.get("/registrations/7654321-0", version=V, params={"entities": "true"})
    assert reply.status == 200 and {e.findtext("uniqueId") for e in reply.entities} == {ANNA, KALLE}
    assert {e.tag for e in reply.entities} == {"pendingUser"}


async def test_d12_listregistration_unknown_organization(cid):
    (await cid.get("/registrations/nosuch", version=V)).expect_error(404, 7)


async def test_d12_queryregistration(cid):
    reply = await cid.get(f"/registration/{VILLE}", version=V)
    assert reply.status == 200 and reply.tag == "pendingUser"
    assert len(reply.root.findall("roleinvitation")) == 2


async def test_d12_queryregistration_of_a_registered_user_is_not_found(cid):
    (await cid.get(f"/registration/{MAIJA}", version=V)).expect_error(404, 7)


# --------------------------------------------------------------------------- mandates


async def test_d12_createmandate_is_the_one_get111_returns(cid):
    reply = await cid.post(
        "/mandates/",
        version=V,
        params={
            "type": "OrgToPer",
            "mandater": "1234567-8",
            "mandatee": LIISA,
            "role": "1234567-8/InvoiceViewer",
            "name": "Liisa views invoices",
        },
    )
    assert reply.status == 201 and reply.urls == [base(cid) + "/mandate/Liisa%20views%20invoices"]
    received = await cid.get(f"/users/{LIISA}/receivedmandates")
    (mandate_id,) = received.ids
    mandate = await cid.get(f"/mandates/{mandate_id}")
    assert mandate.attribute("name") == "Liisa views invoices" and mandate.attribute("mandatee") == LIISA


async def test_d12_createmandate_invalid_references(cid):
    params = {"type": "OrgToPer", "mandater": "1234567-8", "mandatee": LIISA, "role": "1234567-8/InvoiceViewer"}
    for name, value in (("mandater", "nosuch"), ("mandatee", UNKNOWN_ID), ("role", "1234567-8/Nope")):
        (await cid.post("/mandates/", version=V, params={**params, name: value})).expect_error(400, 10)
    (await cid.post("/mandates/", version=V, params={**params, "type": "OrgToAnimal"})).expect_error(400, 1)
    (await cid.post("/mandates/", version=V, params={**params, "name": SARI_MANDATE})).expect_error(409, 4)


async def test_d12_listmandates(cid):
    reply = await cid.get("/mandates/", version=V, params={"entities": "true"})
    assert reply.status == 200 and len(reply.entities) == 4
    assert {e.findtext("type") for e in reply.entities} == {"OrgToPer", "OrgToOrg", "PerToPer"}


async def test_d12_listmandates_unknown_parameter(cid):
    (await cid.get("/mandates/", version=V, params={"x": "1"})).expect_error(400, 1)


async def test_d12_querymandate_by_name(cid):
    reply = await cid.get(mandate_path(SARI_MANDATE), version=V)
    assert reply.status == 200 and reply.tag == "mandate"
    assert (reply.field("uniqueId"), reply.field("mandatee")) == (MANDATE_ACME_TO_SARI, f"{base(cid)}/user/{SARI}")


async def test_d12_querymandate_unknown(cid):
    (await cid.get("/mandate/nosuch", version=V)).expect_error(404, 7)


async def test_d12_updatemandate(cid):
    reply = await cid.put(
        mandate_path(SARI_MANDATE),
        version=V,
        params={"name": "Renamed", "assigneeEmail": "", "role": "1234567-8/OrganizationUser"},
    )
    assert reply.status == 200 and reply.urls == [base(cid) + "/mandate/Renamed"]
    mandate = await cid.get(f"/mandates/{MANDATE_ACME_TO_SARI}")
    assert mandate.attribute("name") == "Renamed" and "assigneeEmail" not in mandate.attributes


async def test_d12_updatemandate_errors(cid):
    (await cid.put(mandate_path(SARI_MANDATE), version=V, params={"role": "x/y"})).expect_error(400, 10)
    (await cid.put("/mandate/nosuch", version=V, params={"name": "x"})).expect_error(404, 7)


async def test_d12_removemandate_with_its_delegations(cid):
    name = (await cid.get(f"/mandates/{MANDATE_MAIJA_TO_MATTI}")).attribute("name")
    reply = await cid.delete(mandate_path(name), version=V)
    assert reply.status == 200
    (await cid.get(f"/mandates/{MANDATE_MAIJA_TO_MATTI}")).expect_error(404, 7)
    assert (await cid.get(f"/users/{LIISA}/receivedmandatedelegations")).ids == []


async def test_d12_removemandate_unknown(cid):
    (await cid.delete("/mandate/nosuch", version=V)).expect_error(404, 7)


# --------------------------------------------------------------------------- mandate templates


async def create_template(cid, name="Invoices") -> str:
    reply = await cid.post(
        "/mandatetemplates/",
        version=V,
        params={"name": name, "type": "OrgToPer", "role": "1234567-8/InvoiceViewer", "description": "View invoices"},
    )
    assert reply.status == 201, reply.text
    return reply.urls[0]


async def test_d12_createmandatetemplate(cid):
    assert await create_template(cid) == base(cid) + "/mandatetemplate/Invoices"


async def test_d12_createmandatetemplate_errors(cid):
    await create_template(cid)
    reply = await cid.post(
        "/mandatetemplates/",
        version=V,
        params={"name": "Invoices", "type": "OrgToPer", "role": "1234567-8/InvoiceViewer"},
    )
    reply.expect_error(409, 4)
    reply = await cid.post(
        "/mandatetemplates/", version=V, params={"name": "X", "type": "OrgToPer", "role": "1234567-8/Nope"}
    )
    reply.expect_error(400, 10)


async def test_d12_listmandatetemplates(cid):
    assert (await cid.get("/mandatetemplates/", version=V)).urls == []
    await create_template(cid)
    reply = await cid.get("/mandatetemplates/", version=V, params={"entities": "true"})
    assert [e.findtext("name") for e in reply.entities] == ["Invoices"]


async def test_d12_listmandatetemplates_bad_boolean(cid):
    (await cid.get("/mandatetemplates/", version=V, params={"entities": "yes"})).expect_error(400, 1)


async def test_d12_querymandatetemplate(cid):
    await create_template(cid)
    reply = await cid.get("/mandatetemplate/Invoices", version=V)
    assert reply.status == 200 and reply.tag == "mandatetemplate" and reply.field("description") == "View invoices"


async def test_d12_querymandatetemplate_unknown(cid):
    (await cid.get("/mandatetemplate/Nope", version=V)).expect_error(404, 7)


async def test_d12_updatemandatetemplate(cid):
    await create_template(cid)
    reply = await cid.put("/mandatetemplate/Invoices", version=V, params={"type": "OrgToOrg", "description": ""})
    assert reply.status == 200
    template = await cid.get("/mandatetemplate/Invoices", version=V)
    assert template.field("type") == "OrgToOrg" and template.field("description") is None


async def test_d12_updatemandatetemplate_bad_type(cid):
    await create_template(cid)
    (await cid.put("/mandatetemplate/Invoices", version=V, params={"type": "Nope"})).expect_error(400, 1)


async def test_d12_removemandatetemplate(cid):
    await create_template(cid)
    assert (await cid.delete("/mandatetemplate/Invoices", version=V)).status == 200
    (await cid.get("/mandatetemplate/Invoices", version=V)).expect_error(404, 7)


async def test_d12_removemandatetemplate_unknown(cid):
    (await cid.delete("/mandatetemplate/Nope", version=V)).expect_error(404, 7)


async def test_d12_assignmandatetemplate_makes_a_mandate(cid):
    await create_template(cid)
    reply = await cid.post("/mandatetemplate/Invoices", version=V, params={"mandater": "1234567-8", "mandatee": MATTI})
    assert reply.status == 201
    (mandate_id,) = set((await cid.get(f"/users/{MATTI}/receivedmandates")).ids) - {MANDATE_MAIJA_TO_MATTI}
    mandate = await cid.get(f"/mandates/{mandate_id}")
    assert mandate.attribute("type") == "OrgToPer"
    # maija -> matti already has the generated name "Matti Meikäläinen": names stay unique
    assert mandate.attribute("name") == "Matti Meikäläinen 2"


async def test_d12_assignmandatetemplate_invalid_reference(cid):
    await create_template(cid)
    reply = await cid.post(
        "/mandatetemplate/Invoices", version=V, params={"mandater": "1234567-8", "mandatee": UNKNOWN_ID}
    )
    reply.expect_error(400, 10)


# --------------------------------------------------------------------------- delegations


async def test_d12_delegatemandate_appears_in_get122(cid):
    reply = await cid.post(
        "/delegations/", version=V, params={"mandate": SARI_MANDATE, "mandatee": ANNA, "mandateruser": SARI}
    )
    assert reply.status == 200 and reply.urls == []
    assert MANDATE_ACME_TO_SARI in (await cid.get(f"/users/{ANNA}/receivedmandatedelegations")).ids


async def test_d12_delegatemandate_invalid_reference(cid):
    reply = await cid.post(
        "/delegations/", version=V, params={"mandate": "nosuch", "mandatee": ANNA, "mandateruser": SARI}
    )
    reply.expect_error(400, 10)


async def test_d12_delegatemandaterole_appears_in_get115(cid):
    reply = await cid.post(
        "/roledelegations/",
        version=V,
        params={"mandate": SARI_MANDATE, "role": "1234567-8/InvoiceViewer", "mandatee": MAIJA, "mandateruser": SARI},
    )
    assert reply.status == 200
    (delegation_id,) = (await cid.get(f"/users/{MAIJA}/delegations")).ids
    assert (await cid.get(f"/delegations/{delegation_id}")).attribute("mandate") == MANDATE_ACME_TO_SARI


async def test_d12_delegatemandaterole_role_not_of_the_mandate(cid):
    reply = await cid.post(
        "/roledelegations/",
        version=V,
        params={"mandate": SARI_MANDATE, "role": "1234567-8/OrganizationUser", "mandatee": MAIJA, "mandateruser": SARI},
    )
    reply.expect_error(400, 10)


async def test_d12_removemandatedelegation(cid):
    name = (await cid.get(f"/mandates/{MANDATE_MAIJA_TO_MATTI}")).attribute("name")
    reply = await cid.delete("/delegations/", version=V, params={"mandate": name, "mandatee": LIISA})
    assert reply.status == 200
    assert (await cid.get(f"/users/{LIISA}/receivedmandatedelegations")).ids == []
    assert MANDATE_DELEGATION_MATTI_TO_LIISA not in cid.emulator.model().delegations


async def test_d12_removemandatedelegation_none_is_entity_not_found(cid):
    reply = await cid.delete("/delegations/", version=V, params={"mandate": SARI_MANDATE, "mandatee": LIISA})
    reply.expect_error(404, 7)


async def test_d12_removemandateroledelegation(cid):
    name = (await cid.get("/mandates/bbbbbbbb-0000-4000-8000-000000000002")).attribute("name")
    reply = await cid.delete(
        "/roledelegations/", version=V, params={"mandate": name, "role": "1234567-8/InvoiceViewer", "mandatee": ANNA}
    )
    assert reply.status == 200
    (await cid.get(f"/delegations/{ROLE_DELEGATION_SARI_TO_ANNA}")).expect_error(404, 7)


async def test_d12_removemandateroledelegation_missing_parameter(cid):
    (await cid.delete("/roledelegations/", version=V, params={"mandate": SARI_MANDATE})).expect_error(400, 1)


async def test_1_2_does_not_serve_2_x_paths(cid):
    (await cid.get("/users/", version=V)).expect_error(404, 7)
    (await cid.get(f"/mandates/{MANDATE_ACME_TO_SARI}", version=V)).expect_error(404, 7)
    assert GLOBEX  # the 2.x id is not a 1.2 mandate name either
