"""Hostile and careless input (issue 11): every reproducer of the issue, and its class,
gets the API's own error document or the control API's JSON error with a 4xx,
quickly, in bounded memory. Each test here failed on the main branch the issue was
filed against (crash, stall, 500, text/plain page or silent acceptance)."""

from __future__ import annotations

import asyncio
import base64
import json
import time

import aiohttp
import pytest

from tests.support.control import ControlClient
from tests.support.customerid import MAIJA, CustomerIdClient

HEADER = "X-Emulator-Namespace"

DEEP_YAML = "description: " + "[" * 50000 + "]" * 50000
DEEP_JSON = "[" * 50000 + "]" * 50000


def alias_bomb(levels: int = 8) -> str:
    """433 bytes that expand to 10**9 nodes (the issue's reproducer)."""
    lines = ["a0: &a0 [" + ", ".join(["lol"] * 10) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


async def _raw(session, method, url, *, data=None, headers=None):
    async with session.request(method, url, data=data, headers=headers) as response:
        return response.status, response.content_type, await response.read()


# -- YAML and JSON bombs on every control entry point -------------------------------------------


async def test_deeply_nested_yaml_scenario_is_refused_not_a_crash(emulator, control):
    started = time.perf_counter()
    status, problem = await control.call(
        "POST", "/scenarios", data=DEEP_YAML, headers={"Content-Type": "application/yaml"}
    )
    assert status == 400 and "deeper than" in problem["error"], problem
    assert time.perf_counter() - started < 2
    assert (await control.get("/health"))["status"] == "ok"  # still alive


@pytest.mark.parametrize(
    "opening,levels", [("[", 65), ("[", 1200), ("[", 50000), ("{a: ", 65), ("{a: ", 1200), ("- ", 65), ("- ", 1200)]
)
def test_deep_yaml_is_refused_in_the_emulators_words_whoever_notices_first(opening, levels):
    """Past 1000 levels libyaml >= 0.2.6 (PyYAML 6.0.4) refuses on its own, reading
    ahead of the emulator's check; the refusal reads the same either way."""
    from emulator.formats.safeparse import UnsafeDocument, load_yaml

    if opening == "- ":  # block nesting: one level per line
        document = "".join("  " * level + "- \n" for level in range(levels))[:-1] + "x\n"
    else:
        document = "description: " + opening * levels + "x" + ("]" if opening == "[" else "}") * levels
    with pytest.raises(UnsafeDocument, match=r"^the document nests deeper than 64 levels"):
        load_yaml(document)


async def test_yaml_alias_bomb_is_refused_quickly_without_echoing_the_document(emulator):
    async with aiohttp.ClientSession() as session:
        bomb = ControlClient(emulator, session, namespace="bomber")
        bystander = ControlClient(emulator, session, namespace="bystander")
        started = time.perf_counter()
        posted = asyncio.create_task(
            bomb.call("POST", "/scenarios", data=alias_bomb(), headers={"Content-Type": "application/yaml"})
        )
        assert (await bystander.get("/health"))["status"] == "ok"
        status, problem = await posted
        assert time.perf_counter() - started < 2
        assert status == 400 and "alias" in problem["error"], problem
        assert len(json.dumps(problem)) < 2000  # the expanded document is never echoed


@pytest.mark.parametrize(
    "method,path",
    [
        ("POST", "/scenarios"),
        ("POST", "/snapshots"),
        ("POST", "/faults"),
        ("POST", "/requests/count"),
        ("POST", "/clock"),
        ("POST", "/dfs/token"),
    ],
)
async def test_json_bombs_and_bad_bytes_on_every_control_body(control, method, path):
    for body, words in (
        (DEEP_JSON, "deeper than"),
        ('{"a": ' * 5000 + "1" + "}" * 5000, "deeper than"),
        (b'{"id": "\xff\xfe"}', "UTF-8"),
        ('{"delay_ms": NaN}', "NaN"),
        ('{"x": 1e999}', "range"),
    ):
        status, problem = await control.call(method, path, data=body, headers={"Content-Type": "application/json"})
        assert status == 400, (path, body[:20], status, problem)
        assert words in json.dumps(problem, ensure_ascii=False), (path, problem)  # DFS words its own error


async def test_scenario_files_refuse_bombs_too(tmp_path):
    from emulator.world.scenarios import ScenarioError, read_scenario_file

    for name, text in (("deep.yaml", DEEP_YAML), ("bomb.yaml", alias_bomb())):
        path = tmp_path / name
        path.write_text(text)
        with pytest.raises(ScenarioError) as caught:
            read_scenario_file(path)
        assert len(str(caught.value)) < 300


async def test_dfs_api_bodies_refuse_json_bombs_with_the_dfs_error_document(dfs):
    for body in (DEEP_JSON, '{"Page": ' + "[" * 3000 + "]" * 3000 + "}", b'{"SearchTerm": "\xff"}'):
        reply = await dfs.call("POST", "/v1.0/identities/search", data=body)
        reply.expect(400)


async def test_customerid_json_body_bomb_is_invalid_arguments(cid):
    reply = await cid.patch(f"/users/{MAIJA}", data=DEEP_JSON, headers={"Content-Type": "application/json"})
    reply.expect_error(400, 1)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"<a>" * 200_000, "nests deeper than 64 levels"),  # issue 19: 600 KB, never closed
        (b"<UserRequest>" + b"<a/>" * 20_000 + b"</UserRequest>", "more than 10000 elements"),
        (b"<UserRequest><email>x</email>", "not well-formed XML: no element found"),
    ],
)
async def test_customerid_xml_body_bombs_are_invalid_arguments(cid, body, problem):
    reply = await cid.patch(f"/users/{MAIJA}", data=body, headers={"Content-Type": "application/xml"})
    reply.expect_error(400, 1)
    assert problem in reply.text


def test_bounded_xml_reads_what_elementtree_reads_and_stops_at_the_limits():
    from xml.etree.ElementTree import fromstring, tostring

    from emulator.formats.safeparse import ParseLimits, UnsafeDocument, load_xml

    document = (
        b'<?xml version="1.0" encoding="ISO-8859-1"?><!-- c --><UserRequest xmlns="urn:x" xmlns:o="urn:o" o:a="1">'
        b"<email>\xe9@example.org</email><?pi?><customAttributes><attribute name='n'><value>v</value>"
        b"</attribute></customAttributes>tail</UserRequest>"
    )
    assert tostring(load_xml(document)) == tostring(fromstring(document))
    limits = ParseLimits(max_depth=3, max_elements=4)
    assert load_xml(b"<a><b><c/></b><d/></a>", limits).find("b/c") is not None
    with pytest.raises(UnsafeDocument, match="deeper than 3 levels"):
        load_xml(b"<a><b><c><d/></c></b></a>", limits)
    with pytest.raises(UnsafeDocument, match="more than 4 elements"):
        load_xml(b"<a><b/><b/><b/><b/></a>", limits)
    with pytest.raises(UnsafeDocument, match="larger than"):
        load_xml(b"<a>" + b" " * 100 + b"</a>", ParseLimits(max_bytes=100))
    with pytest.raises(UnsafeDocument, match="DTDs or entity declarations") as refused:
        load_xml(b'<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>')
    assert refused.value.__context__ is None  # nothing holds on to the parser or a partial tree


# -- numbers --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/v1.0/identities/search", "/v1.0/members/search", "/v1.0/participants/search"])
async def test_dfs_search_refuses_a_float_page(dfs, path):
    (await dfs.post(path, {"Page": 1.0})).expect(400)
    (await dfs.post(path, {"Page": 1})).expect(200)


async def test_dfs_create_identity_refuses_a_float_salutation(dfs):
    reply = await dfs.post("/v1.2/identities", {"Username": "floaty", "IdentityRoleId": 3, "SalutationId": 2.0})
    reply.expect(400)
    search = await dfs.post("/v1.0/identities/search", {"SearchTerm": "floaty", "SearchIdentityBy": "UserName"})
    assert search.json["Results"] == []  # nothing stored


async def test_clock_values_stay_representable(emulator, control):
    status, problem = await control.call("POST", "/clock", {"advance_seconds": 1e300})
    assert status == 400 and problem["where"] == "advance_seconds"
    status, problem = await control.call("POST", "/clock", {"now": "9999-12-31T23:59:59Z", "freeze": False})
    assert status == 400 and problem["where"] == "now"
    status, _ = await control.call("POST", "/clock", {"now": "0001-01-01T00:00:00Z"})
    assert status == 400
    await control.post("/clock", {"now": "9000-12-31T23:59:58Z", "freeze": True})
    status, problem = await control.call("POST", "/clock", {"advance_seconds": 10})
    assert status == 422 and "9000" in problem["error"]
    await control.post("/clock", {"now": "8999-06-01T00:00:00Z", "freeze": False})
    await asyncio.sleep(0.01)
    assert (await control.get("/health"))["status"] == "ok"
    async with emulator.session() as session:
        created = await CustomerIdClient(emulator, session).post(
            "/organizations/", params={"friendlyName": "Far future"}
        )
        assert created.status == 201


async def test_fault_numbers_must_be_finite(control):
    for spec in (
        {"action": {"kind": "delay", "delay_ms": 1e999}},
        {"action": {"kind": "status"}, "probability": 1e999},
        {"action": {"kind": "status"}, "ttl_seconds": 1e999},
    ):
        status, problem = await control.call(
            "POST",
            "/faults",
            data=json.dumps(spec).replace("Infinity", "1e999"),
            headers={"Content-Type": "application/json"},
        )
        assert status == 400, problem
    assert (await control.get("/faults"))["faults"] == []


async def test_journal_limit_must_be_an_ascii_number(control):
    for limit in ("²", "1" * 50, "-1"):
        status, problem = await control.call("GET", "/requests", params={"limit": limit})
        assert status == 400 and problem["where"] == "?limit"


# -- credentials and charsets ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "version,method,path",
    [
        ("1.0", "POST", "/orgs/"),
        ("1.2", "POST", "/pendingusers/"),
        ("2.0", "GET", "/users/"),
        ("2.1", "GET", "/users/"),
    ],
)
async def test_non_ascii_credentials_are_authentication_failed(emulator, version, method, path):
    basic = "Basic " + base64.b64encode("restuser:sécret".encode()).decode()
    latin = "Basic " + base64.b64encode("räksmörgås:x".encode("latin-1")).decode()
    async with aiohttp.ClientSession() as session:
        client = CustomerIdClient(emulator, session)
        for headers, params in (
            ({"Authorization": basic}, None),
            ({"Authorization": latin}, None),
            ({}, {"username": "ä", "password": "x"}),
            ({}, {"username": "restuser", "password": "ä"}),
        ):
            reply = await client.call(method, path, version=version, headers=headers, params=params)
            reply.expect_error(401, 2)


@pytest.mark.parametrize("charset", ["nope", "utf-16", "x" * 300])
async def test_patch124_form_with_a_foreign_charset_is_invalid_arguments(cid, charset):
    reply = await cid.patch(
        f"/users/{MAIJA}",
        data="mobile=%2B358401234567",
        headers={"Content-Type": f"application/x-www-form-urlencoded; charset={charset}"},
    )
    reply.expect_error(400, 1)
    ok = await cid.patch(
        f"/users/{MAIJA}",
        data="mobile=%2B358401234567",
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"},
    )
    assert ok.status == 200


# -- paths and the control API's own errors ------------------------------------------------------


async def test_paths_with_control_characters_get_the_apis_error_document_and_are_journaled(emulator, control):
    async with aiohttp.ClientSession() as session:
        url = emulator.customerid_url() + "/users/x%0Ay"
        async with session.get(aiohttp.client.URL(url, encoded=True), headers=emulator.auth_headers) as response:
            assert response.status == 404 and "xml" in response.content_type
        url = emulator.dfs_url() + "/identities/%0A%0D"
        async with session.get(aiohttp.client.URL(url, encoded=True), headers=emulator.dfs_headers) as response:
            assert response.status in (400, 404) and response.content_type == "application/json"
    journal = await control.get("/requests")
    assert [entry["path"] for entry in journal["requests"]][-2:] == [
        "/customerid-rest/services/2.1/users/x\ny",
        "/dfs/v1.0/identities/\n\r",
    ] or journal["count"] == 2
    fault = await control.post("/faults", {"match": {"path": "**/x*"}, "action": {"status": 418}}, expect=201)
    async with aiohttp.ClientSession() as session:
        url = emulator.customerid_url() + "/users/x%0Ay"
        async with session.get(aiohttp.client.URL(url, encoded=True), headers=emulator.auth_headers) as response:
            assert response.status == 418
    await control.delete(f"/faults/{fault['id']}")


async def test_control_errors_are_json_413_404_405(make_emulator):
    emulator = await make_emulator(max_body_bytes=1000)
    async with aiohttp.ClientSession() as session:
        base = emulator.url + "/__emulator"
        status, content_type, body = await _raw(
            session,
            "POST",
            base + "/faults",
            data=b"{" + b" " * 5000 + b"}",
            headers={"Content-Type": "application/json"},
        )
        assert (status, content_type) == (413, "application/json") and "error" in json.loads(body)
        status, content_type, body = await _raw(session, "GET", base + "/no-such-thing")
        assert (status, content_type) == (404, "application/json")
        async with session.put(base + "/health") as response:
            assert response.status == 405 and response.content_type == "application/json"
            assert "GET" in response.headers["Allow"]


# -- limits on counts and ids -----------------------------------------------------------------------


async def test_snapshot_ids_and_counts_are_bounded(make_emulator):
    emulator = await make_emulator(max_snapshots=3)
    async with aiohttp.ClientSession() as session:
        control = ControlClient(emulator, session)
        status, _ = await control.call("POST", "/snapshots", {"id": "x" * 900_000})
        assert status in (400, 413)
        status, _ = await control.call("POST", "/snapshots", {"id": "a/b"})
        assert status == 400
        for number in range(3):
            await control.post("/snapshots", {"id": f"s-{number}"}, expect=201)
        await control.post("/snapshots", {"id": "s-0"}, expect=201)  # replacing one is fine
        status, problem = await control.call("POST", "/snapshots", {"id": "one-too-many"})
        assert status == 409 and "3 snapshots" in problem["error"]
        health = await control.get("/health")
        assert health["snapshots"] == 3 and health["memory"]["snapshot_bytes"] > 0
        await control.delete("/snapshots/s-1")
        await control.post("/snapshots", {"id": "fits-again"}, expect=201)


async def test_fault_counts_are_bounded(make_emulator):
    emulator = await make_emulator(max_faults=2)
    async with aiohttp.ClientSession() as session:
        control = ControlClient(emulator, session)
        for number in range(2):
            await control.post("/faults", {"id": f"f{number}", "action": {"status": 503}}, expect=201)
        status, problem = await control.call("POST", "/faults", {"action": {"status": 503}})
        assert status == 409 and "2 faults" in problem["error"]
        await control.post("/faults", {"id": "f0", "action": {"status": 502}}, expect=201)  # replace


async def test_one_memory_budget_evicts_journal_entries_across_namespaces(make_emulator):
    emulator = await make_emulator(memory_budget_bytes=400_000, journal_body_bytes=8192)
    body = "mobile=%2B35840" + "1" * 6000
    async with aiohttp.ClientSession() as session:
        for name in ("w1", "w2", "w3"):
            client = CustomerIdClient(emulator, session)
            for _ in range(40):
                await client.call(
                    "PATCH",
                    f"/users/{MAIJA}",
                    data=body,
                    headers={
                        **emulator.auth_headers,
                        HEADER: name,
                        "Content-Type": "application/x-www-form-urlencoded",
                    },
                )
        health = await ControlClient(emulator, session).get("/health")
    memory = health["memory"]
    assert memory["used_bytes"] <= memory["budget_bytes"]
    assert memory["evicted"]["journal_entries"] > 0
    state = emulator.state
    assert sum(namespace.journal.bytes for namespace in state.namespaces.values()) == memory["journal_bytes"]


async def test_snapshots_beyond_the_budget_are_refused_with_507(make_emulator):
    emulator = await make_emulator(memory_budget_bytes=200_000)
    async with aiohttp.ClientSession() as session:
        control = ControlClient(emulator, session)
        statuses = [(await control.call("POST", "/snapshots", {}))[0] for _ in range(20)]
        assert 201 in statuses and statuses[-1] == 507
        assert (await control.get("/health"))["memory"]["refused"] >= 1
