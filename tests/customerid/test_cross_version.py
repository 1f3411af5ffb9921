"""One model behind every CustomerID version: what one version creates, the others
read, change and delete. Also the control API's registration (an invited person
completing it) and the coverage of every 1.x operation by the version test modules."""

import re
from pathlib import Path
from urllib.parse import quote

import aiohttp

from emulator.endpoints import EndpointTable
from tests.support.customerid import INVOICE_VIEWER, MAIJA, SALES_MANAGER, UNKNOWN_ID, VILLE, user_name

ROOT = Path(__file__).resolve().parents[2]


async def test_organization_created_in_1_0_is_listed_by_2_1_changed_in_2_0_and_removed_in_1_0(cid):
    created = await cid.post(
        "/orgs/1234567-8/", version="1.0", params={"organizationId": "x-dept", "friendlyName": "X Dept"}
    )
    assert created.status == 201
    listed = await cid.get("/organizations/", params={"technicalName": "x-dept"})
    (organization_id,) = listed.ids
    assert (await cid.get(f"/organizations/{organization_id}")).attribute("entityName") == "1234567-8/x-dept"
    assert (
        await cid.put(f"/organizations/{organization_id}", version="2.0", params={"friendlyName": "Renamed in 2.0"})
    ).status == 200
    assert (await cid.get("/org/1234567-8/x-dept", version="1.0")).field("friendlyName") == "Renamed in 2.0"
    assert (await cid.delete("/org/1234567-8/x-dept", version="1.0")).status == 200
    (await cid.get(f"/organizations/{organization_id}", version="2.0")).expect_error(404, 7)


async def test_user_created_in_1_0_updated_in_2_1_deleted_in_2_0_is_gone_in_1_0(cid):
    created = await cid.post("/user/1234567-8/sales/", version="1.0", params={"uid": "crossy"})
    url = created.urls[0]
    path = url.split("/eidm2/services", 1)[1]
    user_id = (await cid.get(path, version="1.0")).field("uniqueId")
    assert (await cid.put(f"/users/{user_id}", params={"email": "crossy@example.org"})).status == 200
    assert (await cid.get(path, version="1.0")).field("email") == "crossy@example.org"
    assert (await cid.delete(f"/users/{user_id}", version="2.0")).status == 200
    (await cid.get(path, version="1.0")).expect_error(404, 7)
    (await cid.get("/user/", version="1.0", params={"uniqueId": user_id})).expect_error(404, 7)


async def test_mandate_created_in_1_2_is_the_one_get111_returns_and_2_0_lists(cid):
    reply = await cid.post(
        "/mandates/",
        version="1.2",
        params={
            "type": "PerToPer",
            "mandater": MAIJA,
            "mandatee": VILLE,
            "role": "1234567-8/sales/SalesManager",
            "name": "Cross version",
        },
    )
    assert reply.status == 201
    (mandate_id,) = (await cid.get(f"/users/{VILLE}/receivedmandates")).ids
    mandate = await cid.get(f"/mandates/{mandate_id}")  # GET111
    assert (mandate.attribute("name"), mandate.attribute("mandater"), mandate.attribute("role")) == (
        "Cross version",
        MAIJA,
        SALES_MANAGER,
    )
    assert mandate_id in (await cid.get("/mandates/", version="2.0")).ids
    assert (await cid.get("/mandate/Cross%20version", version="1.2")).field("uniqueId") == mandate_id


async def test_role_created_in_1_0_is_queried_in_2_1_and_its_removal_clears_assignments(cid):
    assert (await cid.put("/role/1234567-8/Auditor", version="1.0")).status == 201
    roles = {}
    for role_id in (await cid.get("/roles")).ids:
        roles[(await cid.get(f"/roles/{role_id}")).attribute("entityName")] = role_id
    auditor = roles["1234567-8/Auditor"]
    assert (
        await cid.post("/assignments/1234567-8/Auditor", version="1.0", params={"user": user_name(cid, MAIJA)})
    ).status == 200
    assert auditor in (await cid.get(f"/users/{MAIJA}/roles")).ids
    assert (await cid.delete("/role/1234567-8/Auditor", version="1.0")).status == 200
    assert auditor not in (await cid.get(f"/users/{MAIJA}/roles")).ids
    (await cid.get(f"/roles/{auditor}", version="2.0")).expect_error(404, 7)


async def test_deleting_a_user_in_2_1_removes_mandates_they_received_in_1_2(cid):
    await cid.post(
        "/mandates/",
        version="1.2",
        params={
            "type": "OrgToPer",
            "mandater": "1234567-8",
            "mandatee": VILLE,
            "role": "1234567-8/InvoiceViewer",
            "name": "For Ville",
        },
    )
    assert (await cid.delete(f"/users/{VILLE}")).status == 200
    (await cid.get("/mandate/For%20Ville", version="1.2")).expect_error(404, 7)


async def test_pending_user_from_1_2_registers_and_is_enabled_with_the_role_everywhere(cid):
    created = await cid.post(
        "/pendingusers/",
        version="1.2",
        params={"organization": "1234567-8", "email": "joiner@example.org", "role": "1234567-8/InvoiceViewer"},
    )
    user_id = created.urls[0].rsplit("/", 1)[1]
    async with cid.session.post(f"{cid.emulator.url}/__emulator/customerid/users/{user_id}/register") as response:
        assert response.status == 200
        body = await response.json()
    assert body["result"]["status"] == "Enabled" and INVOICE_VIEWER in body["result"]["roles"]
    assert (await cid.get(f"/users/{user_id}")).attribute("status") == "Enabled"
    assert (await cid.get(f"/users/{user_id}", version="2.0")).attribute("status") == "Enabled"
    assert (await cid.get("/user/", version="1.0", params={"uniqueId": user_id})).field("status") == "Enabled"
    assert INVOICE_VIEWER in (await cid.get(f"/users/{user_id}/roles")).ids
    assert (await cid.get(f"/users/{user_id}/roleinvitations", version="2.0")).ids == []
    (await cid.get(f"/registration/{user_id}", version="1.2")).expect_error(404, 7)


async def test_register_grants_every_invited_role_of_a_scenario_user(cid):
    async with cid.session.post(f"{cid.emulator.url}/__emulator/customerid/users/{VILLE}/register") as response:
        assert response.status == 200
    roles = set((await cid.get(f"/users/{VILLE}/roles")).ids)
    assert INVOICE_VIEWER in roles and len(roles) >= 2


async def test_register_errors_are_json(cid):
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{cid.emulator.url}/__emulator/customerid/users/{MAIJA}/register") as response:
            assert response.status == 409
            assert "Waiting for registration" in (await response.json())["error"]
        async with http.post(f"{cid.emulator.url}/__emulator/customerid/users/{UNKNOWN_ID}/register") as response:
            assert response.status == 404


async def test_mandate_naming_a_missing_organization_is_invalid_reference_in_1_2(cid):
    reply = await cid.post(
        "/mandates/",
        version="1.2",
        params={"type": "OrgToOrg", "mandater": "1234567-8", "mandatee": "nosuch", "role": "1234567-8/InvoiceViewer"},
    )
    reply.expect_error(400, 10)


async def test_entity_names_with_spaces_and_scandinavian_letters(cid):
    reply = await cid.post("/orgs/", version="1.0", params={"organizationId": "Öljy Oy", "friendlyName": "Öljy"})
    assert reply.urls == [cid.emulator.url + "/eidm2/services/org/" + quote("Öljy Oy")]
    assert (await cid.get("/org/" + quote("Öljy Oy"), version="1.0")).field("friendlyName") == "Öljy"
    assert (await cid.get("/organizations/", params={"friendlyName": "Öljy"})).status == 200


async def test_endpoint_listing_names_every_version(cid):
    async with cid.session.get(cid.emulator.url + "/__emulator/endpoints") as response:
        listing = await response.json()
    customerid = [entry for entry in listing["endpoints"] if entry["api"] == "customerid"]
    # "sso": the Ubisecure SSO's OAuth2 operations under /uas, served beside CustomerID
    assert {entry["version"] for entry in customerid} == {"1.0", "1.2", "2.0", "2.1", "sso"}
    v10 = {entry["code"] for entry in customerid if entry["version"] == "1.0"}
    assert {
        "MOD001b",
        "MOD002",
        "MOD003b",
        "MOD004b",
        "MOD005",
        "MOD006",
        "MOD007",
        "MOD008",
        "MOD009",
        "MOD010b",
    } <= v10
    paths = {entry["path"] for entry in listing["endpoints"] if entry["code"] == "MOD001b"}
    assert paths == {"/eidm2/services/orgs/", "/eidm2/services/orgs/{parent:path}"}


def test_every_1_x_and_2_0_operation_has_tests_named_after_it():
    """Each 1.0/1.2 operation code (and each 2.0 one) appears in the name of at least
    two tests of its version's module: a success and an error case."""
    table = EndpointTable.load(ROOT / "emulator" / "customerid" / "endpoints.yaml")
    modules = {"1.0": "customerid/test_v10.py", "1.2": "customerid/test_v12.py", "2.0": "customerid/test_v20.py"}
    for version, module in modules.items():
        names = re.findall(r"^async def (test_\w+)", (ROOT / "tests" / module).read_text(), re.M)
        for operation in table.operations:
            if version not in operation.versions:
                continue
            token = operation.code_for(version).lower().replace("-", "_")
            hits = [name for name in names if f"_{token}_" in name + "_"]
            assert len(hits) >= 2, f"{version} {operation.code_for(version)}: tests {hits}"
