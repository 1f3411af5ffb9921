"""Control API: isolated namespaces (X-Emulator-Namespace, GET/DELETE
/__emulator/namespaces)."""

import asyncio

import aiohttp

from tests.support.control import ControlClient
from tests.support.customerid import ACME, MAIJA, MATTI, CustomerIdClient

HEADER = "X-Emulator-Namespace"


async def test_namespaces_are_isolated_from_each_other_and_from_the_default(emulator, control):
    async with (
        emulator.session(headers={HEADER: "a"}) as a_session,
        emulator.session(headers={HEADER: "b"}) as b_session,
    ):
        a, b = CustomerIdClient(emulator, a_session), CustomerIdClient(emulator, b_session)
        default = CustomerIdClient(emulator, a_session)
        assert (await a.delete(f"/users/{MAIJA}")).status == 200
        assert (await b.get(f"/users/{MAIJA}")).status == 200
        assert (await default.get(f"/users/{MAIJA}", headers={HEADER: "default"})).status == 200
        async with aiohttp.ClientSession() as plain:  # no header: the default namespace
            async with plain.get(
                emulator.customerid_url() + f"/users/{MAIJA}", headers=emulator.auth_headers
            ) as response:
                assert response.status == 200
    names = [item["name"] for item in (await control.get("/namespaces"))["namespaces"]]
    assert names == ["default", "a", "b"]


async def test_concurrent_workers_writing_the_same_ids_do_not_see_each_other(emulator):
    async def worker(name: str):
        async with emulator.session(headers={HEADER: name}) as session:
            client = CustomerIdClient(emulator, session)
            for round_number in range(10):
                mobile = f"+35840{name[-1]}{round_number:06d}"
                assert (await client.put(f"/users/{MATTI}", params={"mobile": mobile})).status == 200
                await asyncio.sleep(0)
                assert (await client.get(f"/users/{MATTI}")).attribute("mobile") == mobile
            created = await client.post(
                "/organizations/", params={"friendlyName": f"Org {name}", "parentOrganizationId": ACME}
            )
            return created.ids[0]

    created = await asyncio.gather(*(worker(f"worker{n}") for n in range(4)))
    async with emulator.session(headers={HEADER: "worker0"}) as session:
        client = CustomerIdClient(emulator, session)
        assert (await client.get(f"/organizations/{created[0]}")).status == 200
        assert (await client.get(f"/organizations/{created[1]}")).status == 404
    async with emulator.session() as session:
        assert (await CustomerIdClient(emulator, session).get(f"/users/{MATTI}")).attribute("mobile") == "+358407654321"


async def test_faults_journal_snapshots_and_clock_are_per_namespace(emulator):
    async with (
        aiohttp.ClientSession() as plain,
        emulator.session(headers={HEADER: "a"}) as a_session,
        emulator.session() as default_session,
    ):
        control_a = ControlClient(emulator, plain, namespace="a")
        control_default = ControlClient(emulator, plain)
        await control_a.add_fault(match={"api": "customerid"}, action={"status": 503})
        await control_a.post("/snapshots", {"id": "mine"}, expect=201)
        await control_a.post("/clock", {"now": "2030-01-01T00:00:00Z", "freeze": True})
        a, default = CustomerIdClient(emulator, a_session), CustomerIdClient(emulator, default_session)
        assert (await a.get(f"/users/{MAIJA}")).status == 503
        assert (await default.get(f"/users/{MAIJA}")).status == 200
        assert (await control_a.get("/requests"))["size"] == 1
        assert (await control_default.get("/requests"))["size"] == 1
        assert (await control_default.get("/faults"))["faults"] == []
        assert (await control_default.get("/snapshots"))["snapshots"] == []
        assert (await control_a.get("/clock"))["now"] == "2030-01-01T00:00:00.000Z"
        assert (await control_default.get("/clock"))["frozen"] is False
        health = await control_a.get("/health")
        assert health["namespace"] == "a" and len(health["faults"]) == 1
        # reset is per namespace too
        await control_a.post("/reset")
        assert (await control_a.get("/faults"))["faults"] == []
        assert (await control_default.get("/requests"))["size"] == 1


async def test_delete_namespace_drops_its_state(emulator, control):
    async with emulator.session(headers={HEADER: "gone"}) as session:
        client = CustomerIdClient(emulator, session)
        await client.delete(f"/users/{MAIJA}")
        assert await control.delete("/namespaces/gone") == {"deleted": "gone"}
        assert (await client.get(f"/users/{MAIJA}")).status == 200  # created again, fresh
    status, problem = await control.call("DELETE", "/namespaces/nope")
    assert status == 404
    status, problem = await control.call("DELETE", "/namespaces/default")
    assert status == 409


async def test_invalid_namespace_name_is_refused_by_api_and_control(emulator, control):
    async with emulator.session(headers={HEADER: "no spaces"}) as session:
        reply = await CustomerIdClient(emulator, session).get(f"/users/{MAIJA}")
        assert reply.status == 400 and reply.root.tag == "error"
    status, problem = await control.call("GET", "/health", headers={HEADER: "../x"})
    assert status == 400 and problem["where"] == HEADER


async def test_namespace_limit(make_emulator):
    # At most max_namespaces exist, the default one included (on main a second one was let in).
    emulator = await make_emulator(max_namespaces=2)
    async with aiohttp.ClientSession() as plain:
        assert (await ControlClient(emulator, plain, namespace="one").get("/health"))["namespace"] == "one"
        status, problem = await ControlClient(emulator, plain, namespace="two").call("GET", "/health")
        assert status == 503 and "in use" in problem["error"]
        assert len(emulator.state.namespaces) == 2
