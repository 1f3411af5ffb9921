"""Overload (issue 11): namespaces nobody can lock others out with, concurrent writes,
slow and idle connections, malformed requests in the log."""

from __future__ import annotations

import asyncio
import logging
import resource
import time

import aiohttp

from tests.support.control import ControlClient
from tests.support.customerid import ACME, CustomerIdClient

HEADER = "X-Emulator-Namespace"


async def test_a_namespace_flood_does_not_lock_out_a_new_worker(make_emulator):
    emulator = await make_emulator(namespace_idle_seconds=0.2)
    state = emulator.state
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    async with aiohttp.ClientSession() as session:

        async def junk(start: int) -> None:
            for number in range(start, start + 250):
                async with session.get(emulator.url + "/__emulator/health", headers={HEADER: f"junk-{number}"}) as r:
                    assert r.status in (200, 503)

        await asyncio.gather(*(junk(start) for start in range(0, 1200, 250)))
        assert len(state.namespaces) == state.config.max_namespaces == 1000  # the cap is the documented number
        await asyncio.sleep(0.3)  # the flood's namespaces are now idle
        worker = ControlClient(emulator, session, namespace="gw7")
        assert (await worker.get("/health"))["namespace"] == "gw7"
        async with session.get(
            emulator.customerid_url() + "/users/", headers={**emulator.auth_headers, HEADER: "gw8"}
        ) as response:
            assert response.status == 200
        health = await ControlClient(emulator, session).get("/health")
    assert health["memory"]["evicted"]["namespaces"] >= 2
    assert len(state.namespaces) == 1000
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    print(f"namespace flood: 1,202 names, {len(state.namespaces)} kept, peak RSS +{grown_mib:.0f} MiB")


async def test_a_busy_namespace_is_never_evicted_and_the_newcomer_is_told_to_retry(make_emulator):
    emulator = await make_emulator(max_namespaces=3, namespace_idle_seconds=60)
    async with aiohttp.ClientSession() as session:
        for name in ("busy-1", "busy-2"):
            await ControlClient(emulator, session, namespace=name).get("/health")
        status, problem = await ControlClient(emulator, session, namespace="late").call("GET", "/health")
        assert status == 503 and "retry" in problem["error"]
        async with session.get(
            emulator.customerid_url() + "/users/", headers={**emulator.auth_headers, HEADER: "late"}
        ) as response:
            assert response.status == 503 and "xml" in response.content_type
        assert set(emulator.state.namespaces) == {"default", "busy-1", "busy-2"}


async def test_idle_namespaces_expire(make_emulator):
    emulator = await make_emulator(namespace_expire_seconds=0.1)
    async with aiohttp.ClientSession() as session:
        await ControlClient(emulator, session, namespace="old").post("/snapshots", {}, expect=201)
        assert emulator.state.budget.snapshot_bytes > 0
        await asyncio.sleep(0.15)
        await ControlClient(emulator, session, namespace="new").get("/health")
        assert set(emulator.state.namespaces) == {"default", "new"}
        assert emulator.state.budget.snapshot_bytes == 0  # what it held is given back
        assert (await ControlClient(emulator, session).get("/health"))["memory"]["evicted"]["expired_namespaces"] == 1


async def test_with_a_control_token_only_its_holders_create_namespaces(make_emulator):
    emulator = await make_emulator(control_token="s3cret")
    token = {"Authorization": "Bearer s3cret"}
    async with aiohttp.ClientSession() as session:
        async with session.get(
            emulator.customerid_url() + "/users/", headers={**emulator.auth_headers, HEADER: "junk"}
        ) as response:
            assert response.status == 403 and "xml" in response.content_type
        anonymous = ControlClient(emulator, session, namespace="junk")
        status, problem = await anonymous.call("GET", "/health")
        assert status == 403 and "control token" in problem["error"]
        assert set(emulator.state.namespaces) == {"default"}
        worker = ControlClient(emulator, session, namespace="gw0", headers=token)
        await worker.post("/reset")
        async with session.get(
            emulator.customerid_url() + "/users/", headers={**emulator.auth_headers, HEADER: "gw0"}
        ) as response:
            assert response.status == 200  # once made, the API works in it without the token
        assert (await ControlClient(emulator, session, namespace="gw0").get("/health"))["namespace"] == "gw0"


async def test_a_thousand_concurrent_creates_store_a_thousand_distinct_entities(emulator):
    connector = aiohttp.TCPConnector(limit=100)
    async with emulator.session(connector=connector) as session:
        client = CustomerIdClient(emulator, session)

        async def create(number: int) -> str:
            reply = await client.post(
                "/organizations/", params={"friendlyName": f"Concurrent {number}", "parentOrganizationId": ACME}
            )
            assert reply.status == 201, reply.text
            return reply.ids[0]

        ids = await asyncio.gather(*(create(number) for number in range(1000)))
    assert len(set(ids)) == 1000
    model = emulator.model()
    names = {model.organizations.get(organization_id).friendly_name for organization_id in ids}
    assert names == {f"Concurrent {number}" for number in range(1000)}


async def test_idle_and_slow_connections_are_closed(make_emulator):
    emulator = await make_emulator(connection_idle_seconds=0.3, body_read_seconds=0.3)
    host, port = emulator.url.removeprefix("http://").split(":")
    idle_reader, idle_writer = await asyncio.open_connection(host, int(port))
    slow_reader, slow_writer = await asyncio.open_connection(host, int(port))
    slow_writer.write(b"GET /__emulator/health HTTP/1.1\r\nHost: x\r\n")  # the head never ends
    body_reader, body_writer = await asyncio.open_connection(host, int(port))
    body_writer.write(
        b"POST /__emulator/faults HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
    )  # the body never ends
    started = time.monotonic()
    assert await asyncio.wait_for(idle_reader.read(), 3) == b""
    assert await asyncio.wait_for(slow_reader.read(), 3) == b""
    answer = await asyncio.wait_for(body_reader.read(), 3)
    assert time.monotonic() - started < 2.5
    assert b" 408 " in answer.split(b"\r\n")[0] and b"application/json" in answer
    for writer in (idle_writer, slow_writer, body_writer):
        writer.close()


async def test_a_malformed_request_is_one_log_line_without_a_traceback(emulator, caplog):
    host, port = emulator.url.removeprefix("http://").split(":")
    with caplog.at_level(logging.DEBUG, logger="aiohttp.server"):
        for garbage in (
            b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
            b"POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        ):
            reader, writer = await asyncio.open_connection(host, int(port))
            writer.write(garbage)
            answer = await asyncio.wait_for(reader.read(), 3)
            assert answer.startswith(b"HTTP/1.") and b" 400 " in answer.split(b"\r\n")[0]
            writer.close()
    records = [record for record in caplog.records if record.name == "aiohttp.server"]
    assert len(records) == 2, [record.getMessage() for record in records]
    for record in records:
        assert record.exc_info is None and "malformed HTTP request" in record.getMessage()
        assert "\n" not in record.getMessage()
