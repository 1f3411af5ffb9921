"""Control API: health, reset with keep, endpoint coverage, clock, simulated user
actions, the control token and the OpenAPI document."""

import aiohttp
import pytest
from openapi_spec_validator import validate

from emulator.control.routes import PREFIX
from tests.support.control import ControlClient
from tests.support.customerid import ANNA, INVITATION_VILLE, INVOICE_VIEWER, MAIJA, PEKKA, VILLE


async def test_health_reports_uptime_scenarios_counts_faults_journal_clock(control, cid):
    await control.add_fault(match={"operation": "DEL102"}, action={"status": 500})
    await cid.get(f"/users/{MAIJA}")
    health = await control.get("/health")
    assert health["status"] == "ok" and health["uptime_seconds"] >= 0
    assert health["scenarios"][0].endswith("default.yaml")
    assert health["counts"]["customerid"]["users"] == 9
    assert [fault["match"] for fault in health["faults"]] == [{"operation": "DEL102"}]
    assert health["journal"] == {"size": 1, "limit": 1000, "evicted": 0}
    assert health["namespace"] == "default" and health["namespaces"] == 1
    assert health["clock"]["frozen"] is False


async def test_reset_clears_faults_and_journal_unless_kept(control, cid):
    await control.add_fault(match={"operation": "DEL102"}, action={"status": 500})
    await cid.get(f"/users/{MAIJA}")
    kept = await control.post("/reset", params={"keep": "faults,journal"})
    assert kept["kept"] == ["faults", "journal"]
    assert len((await control.get("/faults"))["faults"]) == 1
    assert (await control.get("/requests"))["size"] == 1
    await control.post("/reset", params={"keep": "journal"})
    assert (await control.get("/faults"))["faults"] == []
    assert (await control.get("/requests"))["size"] == 1
    await control.post("/reset")
    assert (await control.get("/requests"))["size"] == 0
    status, problem = await control.call("POST", "/reset", params={"keep": "everything"})
    assert status == 400 and problem["where"] == "?keep"


async def test_endpoints_unused_lists_operations_no_request_hit(control, cid):
    everything = await control.get("/endpoints")
    await cid.get(f"/users/{MAIJA}")
    unused = await control.get("/endpoints", params={"unused": "true"})
    assert unused["count"] == everything["count"] - 1
    # GET105 exists in 2.0 and 2.1: only the 2.1 entry was hit.
    assert ("GET105", "2.1") not in {(item["code"], item["version"]) for item in unused["endpoints"]}
    assert ("GET105", "2.0") in {(item["code"], item["version"]) for item in unused["endpoints"]}
    status, _ = await control.call("GET", "/endpoints", params={"unused": "perhaps"})
    assert status == 400


async def test_clock_set_freeze_and_advance_drive_api_timestamps(control, cid):
    frozen = await control.post("/clock", {"now": "2030-05-01T12:00:00Z", "freeze": True})
    assert frozen == {"now": "2030-05-01T12:00:00.000Z", "frozen": True, "offset_seconds": None}
    created = await cid.post(
        "/organizations/",
        params={"friendlyName": "Timed", "parentOrganizationId": "11111111-1111-4111-8111-111111111111"},
    )
    state = await control.get("/state")  # CustomerID 2.1 documents do not show creation times
    assert state["customerid"]["organizations"][created.ids[0]]["created"] == "2030-05-01T12:00:00.000Z"
    advanced = await control.post("/clock", {"advance_seconds": 3600})
    assert advanced["now"] == "2030-05-01T13:00:00.000Z"
    moving = await control.post("/clock", {"freeze": False, "advance_seconds": 86400})
    assert moving["frozen"] is False and moving["offset_seconds"] > 86400
    for body, where in (
        ({}, "(body)"),
        ({"now": "tomorrow"}, "now"),
        ({"advance_seconds": "1"}, "advance_seconds"),
        ({"freeze": "yes"}, "freeze"),
    ):
        status, problem = await control.call("POST", "/clock", body)
        assert status == 400 and problem["where"] == where, (body, problem)
    await control.post("/reset")
    assert (await control.get("/clock"))["frozen"] is False


async def test_register_lock_and_unlock_user_actions(control, cid):
    registered = await control.post(f"/customerid/users/{VILLE}/register")
    assert registered["status"] == "done"
    assert (registered["result"]["id"], registered["result"]["status"]) == (VILLE, "Enabled")
    assert INVOICE_VIEWER in registered["result"]["roles"]
    assert (await cid.get(f"/users/{VILLE}")).attribute("status") in ("Enabled", "1", "enabled")
    assert INVITATION_VILLE not in str(await control.get("/state"))  # the invitation became a role
    status, problem = await control.call("POST", f"/customerid/users/{VILLE}/register")
    assert status == 409 and "Waiting for registration" in problem["error"]
    assert (await control.post(f"/customerid/users/{MAIJA}/lock"))["result"]["status"] == "Locked"
    assert (await control.post(f"/customerid/users/{PEKKA}/unlock"))["result"]["status"] == "Enabled"
    status, _ = await control.call("POST", f"/customerid/users/{ANNA}/unlock")
    assert status == 409
    status, _ = await control.call("POST", "/customerid/users/99999999-9999-4999-8999-999999999999/lock")
    assert status == 404


async def test_control_token_guards_everything_but_health_and_openapi(make_emulator):
    emulator = await make_emulator(control_token="s3cret")
    async with aiohttp.ClientSession() as plain:
        anonymous = ControlClient(emulator, plain)
        assert (await anonymous.get("/health"))["status"] == "ok"
        assert "paths" in await anonymous.get("/openapi.json")
        status, problem = await anonymous.call("GET", "/faults")
        assert status == 401 and problem["where"] == "Authorization"
        status, _ = await anonymous.call("GET", "/faults", headers={"Authorization": "Bearer wrong"})
        assert status == 401
        authorized = ControlClient(emulator, plain, headers={"Authorization": "Bearer s3cret"})
        assert (await authorized.get("/faults"))["faults"] == []


def _served_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for route in app.router.routes():
        path = route.resource.canonical if route.resource is not None else ""
        if path.startswith(PREFIX) and route.method not in ("HEAD", "*"):  # "*": the JSON 404/405 fallback
            routes.add((route.method, path))
    return routes


async def test_openapi_document_validates_and_matches_the_served_routes(emulator, control):
    document = await control.get("/openapi.json")
    validate(document)
    documented = {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }
    assert documented == _served_routes(emulator.app)
    assert document["components"]["schemas"]["Fault"]["properties"]["match"]["properties"]["api"]["enum"] == list(
        emulator.state.apis
    )


@pytest.mark.parametrize(
    "method, path",
    sorted(
        {
            ("GET", "/health"),
            ("POST", "/reset"),
            ("GET", "/endpoints"),
            ("GET", "/scenarios"),
            ("GET", "/state"),
            ("GET", "/snapshots"),
            ("GET", "/faults"),
            ("GET", "/requests"),
            ("GET", "/clock"),
            ("GET", "/namespaces"),
            ("GET", "/openapi.json"),
        }
    ),
)
async def test_control_endpoints_answer_json(control, method, path):
    status, _ = await control.call(method, path)  # the client asserts a JSON content type
    assert status == 200
