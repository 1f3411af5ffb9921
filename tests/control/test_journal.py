"""Control API: the request journal (GET/DELETE /__emulator/requests,
POST /__emulator/requests/count)."""

import aiohttp
import pytest

from tests.support.control import ControlClient
from tests.support.customerid import ACME, MAIJA, MATTI


async def test_journal_records_each_request_with_operation_status_bodies_and_timing(control, cid):
    await cid.get("/users", params={"login": "maija.virtanen"})
    await cid.patch(
        f"/users/{MATTI}", data="firstname=Matti", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    journal = await control.get("/requests")
    assert (journal["size"], journal["limit"], journal["evicted"], journal["count"]) == (2, 1000, 0, 2)
    get, patch = journal["requests"]
    assert (get["api"], get["operation"], get["version"], get["method"], get["status"]) == (
        "customerid",
        "GET104",
        "2.1",
        "GET",
        200,
    )
    assert get["path"] == "/customerid-rest/services/2.1/users" and get["query"] == "login=maija.virtanen"
    assert get["request_body"] is None and MAIJA in get["response_body"]
    assert get["duration_ms"] >= 0 and get["timestamp"].endswith("Z")
    assert get["request_headers"]["Authorization"].startswith("Basic ")
    assert patch["operation"] == "PATCH124" and patch["request_body"] == "firstname=Matti"
    assert patch["id"] > get["id"]


async def test_journal_filters(control, cid):
    await cid.get(f"/users/{MAIJA}")
    await cid.get(f"/organizations/{ACME}")
    await cid.get("/users/99999999-9999-4999-8999-999999999999")
    middle = (await control.get("/requests"))["requests"][1]["timestamp"]
    await cid.delete(f"/users/{MATTI}")

    async def paths(**params):
        return [entry["operation"] for entry in (await control.get("/requests", params=params))["requests"]]

    assert await paths(operation="GET105") == ["GET105", "GET105"]
    assert await paths(method="delete") == ["DEL102"]
    assert await paths(path="/customerid-rest/services/2.1/organizations/*") == ["GET107"]
    assert await paths(path="**/users/**") == ["GET105", "GET105", "DEL102"]
    assert await paths(status="404") == ["GET105"]
    assert await paths(status="2xx") == ["GET105", "GET107", "DEL102"]
    assert await paths(api="customerid", since=middle) == ["GET107", "GET105", "DEL102"]
    assert await paths(api="dfs") == []
    assert await paths(limit="1") == ["DEL102"]
    assert await paths(fault="false") == ["GET105", "GET107", "GET105", "DEL102"]


@pytest.mark.parametrize(
    "params, where",
    [
        ({"colour": "red"}, "?colour"),
        ({"status": "teapot"}, "?.status"),
        ({"since": "yesterday"}, "?.since"),
        ({"limit": "-1"}, "?limit"),
    ],
)
async def test_journal_filter_errors_say_where(control, params, where):
    status, problem = await control.call("GET", "/requests", params=params)
    assert status == 400 and problem["where"] == where, problem


async def test_count_with_a_match_object_like_wiremock(control, cid):
    for _ in range(3):
        await cid.get(f"/users/{MAIJA}")
    await cid.get(f"/organizations/{ACME}")
    assert await control.post("/requests/count", {"match": {"operation": "GET105"}}) == {"count": 3, "evicted": 0}
    assert (await control.post("/requests/count", {"match": {"method": "GET", "status": 200}}))["count"] == 4
    assert (await control.post("/requests/count", {"match": {"header": {"Authorization": "*"}}}))["count"] == 4
    assert (await control.post("/requests/count", {"match": {"header": {"X-Missing": "*"}}}))["count"] == 0
    assert (await control.post("/requests/count", {}))["count"] == 4
    status, problem = await control.call("POST", "/requests/count", {"match": {"verb": "GET"}})
    assert status == 400 and problem["where"] == "match.verb"
    status, problem = await control.call("POST", "/requests/count", {"match": ["GET"]})
    assert status == 400 and problem["where"] == "match"


async def test_delete_clears_the_journal(control, cid):
    await cid.get(f"/users/{MAIJA}")
    assert await control.delete("/requests") == {"deleted": 1}
    assert (await control.get("/requests"))["requests"] == []


async def test_full_journal_evicts_the_oldest_and_reports_how_many(make_emulator):
    emulator = await make_emulator(journal_limit=3, journal_body_bytes=20)
    async with emulator.session() as http, aiohttp.ClientSession() as plain:
        for _ in range(5):
            async with http.get(emulator.customerid_url() + f"/users/{MAIJA}") as response:
                assert response.status == 200
        journal = await ControlClient(emulator, plain).get("/requests")
    assert (journal["size"], journal["limit"], journal["evicted"]) == (3, 3, 2)
    assert [entry["id"] for entry in journal["requests"]] == [3, 4, 5]
    assert journal["requests"][0]["response_body"].endswith("…")
    assert len(journal["requests"][0]["response_body"]) == 21


async def test_journal_limit_zero_turns_it_off(make_emulator):
    emulator = await make_emulator(journal_limit=0)
    async with emulator.session() as http, aiohttp.ClientSession() as plain:
        async with http.get(emulator.customerid_url() + f"/users/{MAIJA}") as response:
            assert response.status == 200
        assert (await ControlClient(emulator, plain).get("/requests"))["size"] == 0


async def test_control_requests_are_not_journaled(control):
    await control.get("/health")
    assert (await control.get("/requests"))["size"] == 0
