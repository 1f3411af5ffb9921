"""Watching the journal: POST /__emulator/requests/wait, GET /__emulator/requests/stream
(server-sent events), GET /__emulator/requests.har, and body matching (faults and
journal queries)."""

import asyncio
import gc
import json
import random
import socket
import statistics
import time

import aiohttp
import pytest

from emulator.control import world as control_world
from emulator.world.watchers import MAX_QUEUED, Subscriber, Waiter, count_of
from tests.support.customerid import MAIJA, MATTI

XML_NS = "http://schema.ubisecure.com/customerid/api"


def xml_patch(firstname: str) -> dict:
    body = f'<UserRequest xmlns="{XML_NS}"><firstname>{firstname}</firstname></UserRequest>'
    return {"data": body, "headers": {"Content-Type": "application/xml"}}


def json_patch(firstname: str) -> dict:
    return {"data": json.dumps({"firstname": firstname}), "headers": {"Content-Type": "application/json"}}


# -- wait ------------------------------------------------------------------------------------


async def test_wait_returns_as_soon_as_a_background_call_arrives(control, cid):
    delay = random.uniform(0.2, 0.6)

    async def background_job():
        await asyncio.sleep(delay)
        return await cid.get(f"/users/{MAIJA}")

    job = asyncio.create_task(background_job())
    started = time.monotonic()
    answer = await control.post("/requests/wait", {"match": {"operation": "GET105"}, "count": 1, "timeout": 30})
    waited = time.monotonic() - started
    assert (await job).status == 200
    assert answer["matched"] is True and answer["timed_out"] is False and answer["count"] == 1
    assert answer["requests"][0]["operation"] == "GET105" and answer["requests"][0]["path"].endswith(MAIJA)
    assert delay <= waited < 30  # it answered on the request, not at the timeout


async def test_wait_counts_what_is_already_in_the_journal_after_the_given_id(control, cid):
    await cid.get(f"/users/{MAIJA}")
    first = (await control.get("/requests"))["requests"][-1]["id"]
    assert (await control.post("/requests/wait", {"match": {"operation": "GET105"}, "timeout": 0}))["matched"]
    answer = await control.post("/requests/wait", {"match": {"operation": "GET105"}, "after": first, "timeout": 0.1})
    assert answer == {**answer, "matched": False, "timed_out": True, "count": 0, "wanted": 1}


async def test_wait_times_out_with_what_it_saw(control, cid):
    await cid.get(f"/users/{MAIJA}")
    answer = await control.post("/requests/wait", {"match": {"operation": "GET105"}, "count": 2, "timeout": 0.2})
    assert answer["timed_out"] is True and answer["count"] == 1 and len(answer["requests"]) == 1
    assert answer["waited_ms"] >= 200


@pytest.mark.parametrize(
    "body, where",
    [
        ({"count": 0}, "count"),
        ({"timeout": 61}, "timeout"),
        ({"timeout": "soon"}, "timeout"),
        ({"after": -1}, "after"),
        ({"match": {"verb": "GET"}}, "match.verb"),
        ({"match": {"body": {"json": {"path": "/a", "matches": "("}}}}, "match.body.json.matches"),
        ({"colour": "red"}, "(body)"),
    ],
)
async def test_wait_refuses_what_it_cannot_wait_for(control, body, where):
    status, problem = await control.call("POST", "/requests/wait", body)
    assert status == 400 and problem["where"] == where, problem


async def test_the_plugin_wait_for_returns_the_requests_and_fails_with_the_journal(emulator, cid):
    later = asyncio.create_task(asyncio.sleep(0.1))
    await later
    background = asyncio.create_task(cid.get(f"/users/{MATTI}"))
    entries = await emulator.wait_for("GET105", timeout=10)
    await background
    assert [entry["operation"] for entry in entries] == ["GET105"]
    position = await emulator.journal_position()
    with pytest.raises(AssertionError, match=r"(?s)waited 0.1 s for 1 request.*GET105"):
        await emulator.wait_for("GET105", timeout=0.1, after=position)


def test_the_sync_plugin_wait_for(emulator_sync):
    import threading
    import urllib.request

    def call_later():
        time.sleep(0.2)
        request = urllib.request.Request(
            emulator_sync.customerid_url() + f"/users/{MAIJA}", headers=emulator_sync.auth_headers
        )
        urllib.request.urlopen(request, timeout=10).read()

    thread = threading.Thread(target=call_later)
    thread.start()
    assert emulator_sync.wait_for("GET105", timeout=10)[0]["status"] == 200
    thread.join()
    with pytest.raises(AssertionError, match="journal"):
        emulator_sync.wait_for("GET105", count=2, timeout=0.1)


# -- stream ----------------------------------------------------------------------------------


async def read_events(response: aiohttp.ClientResponse, wanted: int) -> list[tuple[str, dict]]:
    events, kind, data = [], None, None
    async for raw in response.content:
        line = raw.decode().rstrip("\n")
        if line.startswith("event: "):
            kind = line[7:]
        elif line.startswith("data: "):
            data = json.loads(line[6:])
        elif not line and kind:
            events.append((kind, data))
            kind = None
            if len(events) == wanted:
                return events
    return events


async def test_the_stream_sends_each_matching_exchange_as_the_journal_gives_it(emulator, cid):
    async with aiohttp.ClientSession() as session:
        url = emulator.url + "/__emulator/requests/stream"
        async with session.get(url, params={"operation": "PATCH124"}) as response:
            assert response.status == 200 and response.content_type == "text/event-stream"
            await cid.get(f"/users/{MAIJA}")  # filtered out
            await cid.patch(f"/users/{MATTI}", **json_patch("Matti"))
            ((kind, entry),) = await asyncio.wait_for(read_events(response, 1), 10)
    assert kind == "request" and entry["operation"] == "PATCH124" and entry["status"] == 200
    journal = (await emulator.requests(operation="PATCH124"))[0]
    assert entry == journal


async def test_streams_are_bounded_per_namespace(emulator, monkeypatch):
    monkeypatch.setattr(control_world, "MAX_SUBSCRIBERS", 1)
    async with aiohttp.ClientSession() as session:
        url = emulator.url + "/__emulator/requests/stream"
        async with session.get(url) as first:
            assert first.status == 200
            await first.content.readline()
            async with session.get(url) as second:
                assert second.status == 429 and "journal streams" in (await second.json())["error"]
    status_filter = emulator.url + "/__emulator/requests/stream?status=teapot"
    async with aiohttp.ClientSession() as session, session.get(status_filter) as refused:
        assert refused.status == 400 and (await refused.json())["where"] == "?.status"


async def test_a_subscriber_that_falls_behind_is_dropped_with_a_notice(emulator):
    journal = emulator.state.default.journal
    subscriber = Subscriber(journal, control_world._match({}, "match"), max_queued=3)
    journal.watch(subscriber)
    async with emulator.session() as session:
        for _ in range(5):
            async with session.get(emulator.customerid_url() + f"/users/{MAIJA}") as response:
                assert response.status == 200
    assert subscriber.dropped and not subscriber.queue and subscriber not in journal.watchers


def rss_kib() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


async def test_many_waiters_and_a_subscriber_that_never_reads_cost_neither_memory_nor_latency(emulator):
    """200 waiters that never match and a stream client that never reads, while
    thousands of requests go by: the subscriber is dropped (its queue freed), the
    waiters all answer, memory stays put and other requests stay about as fast."""
    url = emulator.customerid_url() + f"/users/{MAIJA}"
    journal = emulator.state.default.journal

    async def timed_calls(session, n):
        times = []
        for _ in range(n):
            started = time.perf_counter()
            async with session.get(url) as response:
                await response.read()
                assert response.status == 200
            times.append(time.perf_counter() - started)
        return times

    async with emulator.session() as session:
        await timed_calls(session, 200)  # warm up
        gc.collect()
        before_kib = rss_kib()
        quiet = await timed_calls(session, 1000)
        # a stream client that never reads: a raw socket, a tiny receive buffer
        reader, writer = await asyncio.open_connection("127.0.0.1", int(emulator.url.rsplit(":", 1)[1]))
        writer.transport.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        writer.write(b"GET /__emulator/requests/stream HTTP/1.1\r\nHost: localhost\r\n\r\n")
        await writer.drain()
        async with asyncio.timeout(30):
            while count_of(journal, Subscriber) == 0:
                await asyncio.sleep(0.01)
        waiting = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))  # 200 connections at once
        wait_url = emulator.url + "/__emulator/requests/wait"
        never = {"match": {"operation": "DEL102"}, "timeout": 60}
        waiters = [asyncio.create_task(waiting.post(wait_url, json=never)) for _ in range(200)]
        async with asyncio.timeout(30):
            while count_of(journal, Waiter) < 200:
                await asyncio.sleep(0.01)
        watched = await timed_calls(session, MAX_QUEUED * 3)
        assert count_of(journal, Subscriber) == 0  # dropped, long before the requests ended
        gc.collect()
        grown_kib = rss_kib() - before_kib
        emulator._on_server(journal.close_watchers)  # as the server's shutdown does (on its loop): every waiter answers
        answers = [await response.json() for response in await asyncio.gather(*waiters)]
        await waiting.close()
        writer.close()
    assert all(answer["timed_out"] for answer in answers)
    quiet_ms, watched_ms = statistics.median(quiet) * 1000, statistics.median(watched) * 1000
    print(
        f"\nmedian latency: {quiet_ms:.3f} ms quiet, {watched_ms:.3f} ms with 200 waiters and a stuck stream; "
        f"RSS grew {grown_kib} KiB over {len(watched)} requests"
    )
    assert grown_kib < 64 * 1024  # the 1000-entry journal itself is a few MB; an unbounded queue would not stop
    assert watched_ms < quiet_ms * 10 + 20  # generous: the machine is shared


# -- HAR -------------------------------------------------------------------------------------


async def test_the_journal_as_har_passes_a_har_reader(make_emulator):
    from haralyzer import HarParser

    emulator = await make_emulator(journal_body_bytes=64)
    async with emulator.session() as session:
        async with session.get(emulator.customerid_url() + f"/users/{MAIJA}") as response:
            full = await response.read()
        async with session.patch(emulator.customerid_url() + f"/users/{MATTI}", **json_patch("Matti")) as response:
            assert response.status == 200
    try:
        har = await emulator.har()
    finally:
        await emulator._control.close()
    assert har["log"]["version"] == "1.2" and har["log"]["creator"]["name"] == "identity-emulator"
    parser = HarParser(har)
    entries = parser.har_data["entries"]
    assert len(entries) == 2 and parser.creator["name"] == "identity-emulator"
    get, patch = entries
    assert get["request"]["method"] == "GET" and get["response"]["status"] == 200
    assert get["response"]["statusText"] == "OK"
    content = get["response"]["content"]
    assert content["_truncated"] is True and "cut at 64 bytes" in content["comment"]
    assert content["text"] == full[:64].decode() and content["size"] == len(full)
    assert patch["request"]["postData"]["text"] == '{"firstname": "Matti"}'
    assert patch["request"]["queryString"] == [] and patch["request"]["url"].endswith(f"/users/{MATTI}")
    for entry in entries:
        for key in ("startedDateTime", "time", "request", "response", "cache", "timings"):
            assert key in entry
        assert entry["timings"]["wait"] >= 0 and entry["timings"]["send"] == 0


async def test_har_filters_like_the_journal(control, cid):
    await cid.get(f"/users/{MAIJA}")
    har = await control.get("/requests.har", params={"operation": "GET999"})
    assert har["log"]["entries"] == []
    status, problem = await control.call("GET", "/requests.har", params={"colour": "red"})
    assert status == 400 and problem["where"] == "?colour"


# -- body matching ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, hit, miss",
    [
        ({"json": {"path": "/firstname", "equals": "Boom"}}, json_patch("Boom"), json_patch("Calm")),
        ({"json": {"path": "/firstname", "matches": "B.*"}}, json_patch("Boom"), json_patch("Calm")),
        ({"xml": {"path": "UserRequest/firstname", "equals": "Boom"}}, xml_patch("Boom"), xml_patch("Calm")),
        ({"xml": {"path": "*/firstname", "matches": "Bo+m"}}, xml_patch("Boom"), json_patch("Boom")),
        (
            {"form": {"name": "firstname", "equals": "Boom"}},
            {"data": "firstname=Boom", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
            {"data": "firstname=Calm", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
        ),
    ],
    ids=["json-equals", "json-matches", "xml-equals", "xml-matches", "form-equals"],
)
async def test_a_body_matched_fault_fires_only_on_matching_bodies(control, cid, body, hit, miss):
    await control.add_fault(match={"operation": "PATCH124", "body": body}, action={"status": 503})
    assert (await cid.patch(f"/users/{MATTI}", **miss)).status == 200
    assert (await cid.patch(f"/users/{MATTI}", **hit)).status == 503
    faults = (await control.get("/faults"))["faults"]
    assert faults[0]["fired"] == 1 and faults[0]["match"]["body"] == body


@pytest.mark.parametrize(
    "body, where",
    [
        ({"yaml": {}}, "match.body"),
        ({"json": {"path": "firstname", "equals": 1}}, "match.body.json.path"),
        ({"json": {"path": "/a~2", "equals": 1}}, "match.body.json.path"),
        ({"json": {"path": "/a", "matches": "(unclosed"}}, "match.body.json.matches"),
        ({"json": {"path": "/a"}}, "match.body.json"),
        ({"xml": {"path": "a//b[1]", "equals": "x"}}, "match.body.xml.path"),
        ({"xml": {"path": "a", "equals": 1}}, "match.body.xml.equals"),
        ({"form": {"path": "a", "equals": "x"}}, "match.body.form.path"),
    ],
)
async def test_a_bad_body_pattern_is_refused_naming_the_key(control, body, where):
    status, problem = await control.call("POST", "/faults", {"match": {"body": body}, "action": {"status": 503}})
    assert status == 400 and problem["where"] == where, problem


async def test_journal_queries_match_bodies(control, cid):
    await cid.patch(f"/users/{MATTI}", **json_patch("Matti"))
    await cid.patch(f"/users/{MATTI}", **xml_patch("Matt"))
    by_json = {"json": {"path": "/firstname", "equals": "Matti"}}
    assert (await control.post("/requests/count", {"match": {"body": by_json}}))["count"] == 1
    by_xml = {"xml": {"path": "UserRequest/firstname", "matches": "Matt.?"}}
    assert (await control.post("/requests/count", {"match": {"body": by_xml}}))["count"] == 1
    listed = await control.get("/requests", params={"body": json.dumps(by_json)})
    assert [entry["request_body"] for entry in listed["requests"]] == [json.dumps({"firstname": "Matti"})]
    status, problem = await control.call("GET", "/requests", params={"body": "{not json"})
    assert status == 400 and problem["where"] == "?body"
