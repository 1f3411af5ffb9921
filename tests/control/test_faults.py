"""Control API: injected faults (POST/GET/DELETE /__emulator/faults), each kind
observed by a real aiohttp client, and their record on the journal."""

import asyncio
import random
import time

import aiohttp
import pytest

from tests.support.control import ControlClient
from tests.support.customerid import ACME, MAIJA, MATTI

USERS = "/customerid-rest/services/2.1/users/*"


async def test_status_fault_answers_the_apis_own_error_document_then_disappears(control, cid):
    fault = await control.add_fault(
        match={"api": "customerid", "operation": "GET105"}, action={"kind": "status", "status": 503}, times=1
    )
    failed = await cid.get(f"/users/{MAIJA}")
    assert failed.status == 503
    assert failed.root.tag == "error"  # XSD-checked by the client
    assert (await cid.get(f"/users/{MAIJA}")).status == 200
    assert (await control.get("/faults"))["faults"] == []
    entries = (await control.get("/requests"))["requests"]
    assert [entry["status"] for entry in entries] == [503, 200]
    assert entries[0]["fault"] == {"id": fault, "kind": "status", "fired": 1, "after": False}
    assert entries[1]["fault"] is None


async def test_status_fault_with_a_body_and_headers_sends_them(control, cid):
    await control.add_fault(
        match={"method": "GET"}, action={"status": 429, "body": {"error": "slow down"}, "headers": {"Retry-After": "1"}}
    )
    reply = await cid.get(f"/users/{MAIJA}")
    assert reply.status == 429
    assert reply.json == {"error": "slow down"}
    assert reply.headers["Retry-After"] == "1"


async def test_match_by_path_glob_method_and_header(control, cid):
    await control.add_fault(match={"path": USERS, "method": "GET", "header": {"X-Test": "a"}}, action={"status": 500})
    assert (await cid.get(f"/users/{MAIJA}")).status == 200  # no header
    assert (await cid.get(f"/users/{MAIJA}", headers={"X-Test": "b"})).status == 200
    assert (await cid.get(f"/organizations/{ACME}", headers={"X-Test": "a"})).status == 200  # other path
    assert (await cid.get(f"/users/{MAIJA}", headers={"X-Test": "a"})).status == 500
    listed = (await control.get("/faults"))["faults"][0]
    assert (listed["fired"], listed["matched"], listed["remaining"]) == (1, 1, None)


async def test_a_fault_on_a_write_changes_nothing(control, cid):
    await control.add_fault(match={"operation": "PUT103"}, action={"status": 503}, times=1)
    assert (await cid.put(f"/users/{MATTI}", params={"mobile": "+358400000000"})).status == 503
    assert (await cid.get(f"/users/{MATTI}")).attribute("mobile") == "+358407654321"


async def test_after_true_does_the_write_then_answers_the_fault(control, cid):
    await control.add_fault(match={"operation": "PUT103"}, action={"status": 503}, times=1, after=True)
    assert (await cid.put(f"/users/{MATTI}", params={"mobile": "+358400000000"})).status == 503
    assert (await cid.get(f"/users/{MATTI}")).attribute("mobile") == "+358400000000"


async def test_client_retried_twice_after_a_503_then_succeeded(control, cid):
    fault = await control.add_fault(match={"operation": "GET105"}, action={"status": 503}, times=2)
    for _ in range(3):  # the client under test: retry on 503
        reply = await cid.get(f"/users/{MAIJA}")
        if reply.status != 503:
            break
    journal = (await control.get("/requests", params={"operation": "GET105"}))["requests"]
    assert [(entry["status"], entry["fault"] and entry["fault"]["fired"]) for entry in journal] == [
        (503, 1),
        (503, 2),
        (200, None),
    ]
    assert all(entry["fault"] is None or entry["fault"]["id"] == fault for entry in journal)
    assert (await control.post("/requests/count", {"match": {"operation": "GET105", "fault": fault}}))["count"] == 2


async def test_probability_with_a_seed_fires_a_reproducible_share(control, cid):
    await control.add_fault(match={"operation": "GET105"}, action={"status": 503}, probability=0.3, seed=7)
    statuses = [(await cid.get(f"/users/{MAIJA}")).status for _ in range(100)]
    draws = random.Random(7)
    expected = sum(draws.random() < 0.3 for _ in range(100))
    assert statuses.count(503) == expected
    assert 15 <= expected <= 45
    listed = (await control.get("/faults"))["faults"][0]
    assert (listed["fired"], listed["matched"]) == (expected, 100)


async def test_ttl_seconds_expires_a_fault(control, cid):
    await control.add_fault(match={"api": "customerid"}, action={"status": 503}, ttl_seconds=0.3)
    assert (await cid.get(f"/users/{MAIJA}")).status == 503
    assert (await control.get("/faults"))["faults"][0]["expires_in_seconds"] <= 0.3
    await asyncio.sleep(0.35)
    assert (await cid.get(f"/users/{MAIJA}")).status == 200
    assert (await control.get("/faults"))["faults"] == []


async def test_delay_fault_delays_the_real_answer(control, cid):
    await control.add_fault(match={"operation": "GET105"}, action={"kind": "delay", "delay_ms": 300})
    started = time.monotonic()
    reply = await cid.get(f"/users/{MAIJA}")
    assert reply.status == 200 and reply.attribute("login") == "maija.virtanen"
    assert time.monotonic() - started >= 0.3


async def test_reset_fault_is_a_connection_error_for_the_client(emulator, control):
    await control.add_fault(match={"operation": "GET105"}, action={"kind": "reset"})
    async with emulator.session() as http:
        with pytest.raises(aiohttp.ClientConnectionError):
            async with http.get(emulator.customerid_url() + f"/users/{MAIJA}") as response:
                await response.read()
        await control.delete("/faults")
        async with http.get(emulator.customerid_url() + f"/users/{MAIJA}") as response:
            assert response.status == 200
    # aiohttp itself retries an idempotent request once when the connection drops:
    # the journal shows both attempts.
    dropped = (await control.get("/requests", params={"status": "none"}))["requests"]
    assert [entry["fault"]["fired"] for entry in dropped] == [1, 2]
    assert all(entry["fault"]["kind"] == "reset" for entry in dropped)
    assert (await control.post("/requests/count", {"match": {"status": 200}}))["count"] == 1


async def test_empty_fault_closes_without_a_response(emulator, control):
    await control.add_fault(match={"operation": "GET105"}, action={"kind": "empty"})
    async with emulator.session() as http:
        with pytest.raises(aiohttp.ServerDisconnectedError):
            async with http.get(emulator.customerid_url() + f"/users/{MAIJA}") as response:
                await response.read()


async def test_malformed_fault_sends_a_truncated_body(emulator, control):
    await control.add_fault(match={"operation": "GET105"}, action={"kind": "malformed"}, after=True)
    async with emulator.session() as http:
        with pytest.raises(aiohttp.ClientPayloadError):
            async with http.get(emulator.customerid_url() + f"/users/{MAIJA}") as response:
                assert response.status == 200  # the real answer's head, then half its body
                await response.read()


async def test_timeout_fault_holds_until_the_client_gives_up(make_emulator):
    emulator = await make_emulator(fault_max_hold_seconds=1.0)
    async with aiohttp.ClientSession() as session:
        await ControlClient(emulator, session).add_fault(match={"api": "customerid"}, action={"kind": "timeout"})
    async with emulator.session(timeout=aiohttp.ClientTimeout(total=0.3)) as http:
        started = time.monotonic()
        with pytest.raises(asyncio.TimeoutError):
            async with http.get(emulator.customerid_url() + f"/users/{MAIJA}") as response:
                await response.read()
        assert 0.25 <= time.monotonic() - started < 1.0
    await asyncio.sleep(0.8)  # let the held request end before the server stops


async def test_timeout_fault_is_bounded_by_the_server_maximum(make_emulator):
    emulator = await make_emulator(fault_max_hold_seconds=0.3)
    async with aiohttp.ClientSession() as session:
        await ControlClient(emulator, session).add_fault(match={"api": "customerid"}, action={"kind": "timeout"})
    async with emulator.session(timeout=aiohttp.ClientTimeout(total=10)) as http:
        started = time.monotonic()
        with pytest.raises(aiohttp.ServerDisconnectedError):
            async with http.get(emulator.customerid_url() + f"/users/{MAIJA}") as response:
                await response.read()
        assert 0.3 <= time.monotonic() - started < 2


async def test_control_endpoints_are_never_subject_to_faults(control):
    await control.add_fault(action={"status": 503})  # matches every API request
    assert (await control.get("/health"))["status"] == "ok"
    assert len((await control.get("/faults"))["faults"]) == 1


async def test_faults_of_unrouted_requests_use_no_operation(control, cid):
    await control.add_fault(match={"path": "/customerid-rest/nowhere"}, action={"status": 502})
    assert (await cid.call("GET", "", version="2.1")).status in (404, 405)
    async with cid.session.get(cid.emulator.url + "/customerid-rest/nowhere") as response:
        assert response.status == 502


async def test_list_get_and_delete_faults(control):
    first = await control.add_fault(match={"operation": "GET105"}, action={"status": 500})
    named = await control.add_fault(id="slow-users", match={"path": USERS}, action={"delay_ms": 10})
    assert named == "slow-users"
    listed = (await control.get("/faults"))["faults"]
    assert [fault["id"] for fault in listed] == [first, "slow-users"]
    assert listed[1]["action"] == {"kind": "delay", "delay_ms": 10}
    assert (await control.get(f"/faults/{first}"))["match"] == {"operation": "GET105"}
    assert (await control.delete(f"/faults/{first}"))["deleted"] == first
    status, problem = await control.call("DELETE", f"/faults/{first}")
    assert status == 404 and problem["where"] == "id"
    status, _ = await control.call("GET", f"/faults/{first}")
    assert status == 404
    assert (await control.delete("/faults"))["deleted"] == 1
    assert (await control.get("/faults"))["faults"] == []


@pytest.mark.parametrize(
    "spec, where",
    [
        ({"match": {"api": "nope"}, "action": {"status": 503}}, "match.api"),
        ({"match": {"verb": "GET"}, "action": {"status": 503}}, "match.verb"),
        ({"action": {"kind": "explode"}}, "action.kind"),
        ({"action": {"status": 99}}, "action.status"),
        ({"action": {"kind": "delay"}}, "action.delay_ms"),
        ({"action": {"status": 503}, "probability": 2}, "probability"),
        ({"action": {"status": 503}, "times": 0}, "times"),
        ({"action": {"status": 503}, "ttl_seconds": "soon"}, "ttl_seconds"),
        ({"action": {"status": 503}, "after": "yes"}, "after"),
        ({"match": {"header": {"X-A": 1}}, "action": {"status": 503}}, "match.header"),
        ({"match": {}}, "action"),
        ({"action": {"status": 503, "content_type": 5}}, "action.content_type"),  # the document: a string
    ],
)
async def test_invalid_fault_is_refused_and_says_where(control, spec, where):
    status, problem = await control.call("POST", "/faults", spec)
    assert status == 400 and problem["where"] == where, problem
    assert (await control.get("/faults"))["faults"] == []


async def test_fault_body_must_be_json(control):
    status, problem = await control.call("POST", "/faults", data="{nope", headers={"Content-Type": "application/json"})
    assert status == 400 and "JSON" in problem["error"]
