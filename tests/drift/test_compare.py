"""emulator compare: a cassette recorded against an upstream (the emulator itself,
unaltered or altered on purpose) replayed against a fresh emulator."""

import json
from xml.etree import ElementTree

import aiohttp
import pytest
from aiohttp import web

from emulator.drift.cli import main_compare
from emulator.drift.compare import compare_cassette
from emulator.drift.rules import Rules
from tests.support.drift import ACME_SALES, MAIJA, Client, crud_workload, start_recorder

ALL_VALUES = Rules(all_values=True)


@pytest.fixture
async def record(emulator, aiohttp_server, tmp_path):
    """record(workload) -> cassette path: the workload runs through a recorder in front of ``emulator``."""

    async def run(workload, upstream_url=None):
        cassette = tmp_path / "sandbox.jsonl"
        base = await start_recorder(aiohttp_server, upstream_url or emulator.url, cassette)
        async with aiohttp.ClientSession() as session:
            await workload(Client(session, base, emulator))
        return cassette

    return run


def rows(report):
    return {(row.api, row.operation, row.version): row for row in report.rows()}


async def test_an_unaltered_upstream_gives_a_clean_report_with_ids_mapped_across_create_query_update_delete(
    emulator, record, dfs
):
    # the upstream has one more role than a fresh emulator: the role the workload creates
    # gets id 23 there and 22 in the replay, so only the id map keeps the sequence on track
    (await dfs.post("/v2.0/roles", {"ShortName": "Before", "RoleKey": "before"})).expect(200)
    created = {}

    async def workload(client):
        created.update(await crud_workload(client))

    cassette = await record(workload)
    report = await compare_cassette(cassette, rules=ALL_VALUES)
    assert not report.drift, report.text()
    assert len(report.results) == 17
    assert created["role"] == 23 and report.ids["23"] == "22"
    assert created["organization"].lower() in report.ids  # POST100's uuid ↔ the replay's
    by_operation = rows(report)
    for key in [
        ("customerid", "POST100", "2.1"),
        ("customerid", "GET107", "2.1"),
        ("customerid", "PUT101", "2.1"),
        ("customerid", "GET113", "2.1"),
        ("customerid", "DEL102", "2.1"),
        ("dfs", "patch /v2.0/roles/{roleId}", "2.0"),
        ("dfs", "delete /v2.0/roles/{roleId}", "2.0"),
    ]:
        assert by_operation[key].matched == 1 and by_operation[key].differing == 0
    assert by_operation[("customerid", "GET105", "2.1")].matched == 2  # maija, then pekka's 404
    assert by_operation[("customerid", "D10-QueryOrganization", "1.0")].matched == 1  # "Drift%20Unit" as sent
    assert {(api, version) for api, version, _, _ in report.versions()} == {
        ("customerid", "2.1"),
        ("customerid", "1.0"),
        ("customerid", "1.2"),
        ("dfs", "2.0"),
        ("dfs", "1.0"),
    }
    assert report.text().endswith("OK: no drift")


async def test_every_kind_of_drift_is_reported_against_its_operation_code(emulator, record, monkeypatch):
    import emulator.customerid.call as call

    original = call.entity_document

    def patched_renderer(entity, in_response_to, method):  # a "real system" that renders differently
        document = original(entity, in_response_to, method)
        if b"<User " in document:
            return document.replace(b'name="firstname"', b'name="givenName"')
        if b"<Organization " in document:
            return document.replace(
                b'xmlns="http://schema.ubisecure.com/customerid/api"',
                b'xmlns="http://schema.ubisecure.com/customerid/api/v3"',
            )
        if b"<Role " in document:
            return document.replace(b' method="GET"', b' method="GET" version="3"')
        return document

    monkeypatch.setattr(call, "entity_document", patched_renderer)
    await emulator.fault(operation="GET111", status=503)  # a status that changed
    await emulator.fault(operation="get /v2.0/roles", body={"Items": []}, status=200)  # an array became an object
    await emulator.fault(
        operation="get /v2.0/roles/{roleId}",
        status=404,
        body={"Code": "RoleMissing", "SubCode": "NA", "Message": "gone"},
    )  # another error code
    await emulator.fault(
        operation="get /v1.0/identities/{identityId}",
        status=200,
        body={"MemberId": "3", "IdentityId": "02000000-0000-4000-8000-000000000001"},
    )

    async def workload(client):
        await client.cid("GET", f"/users/{MAIJA}")
        await client.cid("GET", f"/organizations/{ACME_SALES}")
        await client.cid("GET", "/roles/44444444-4444-4444-8444-444444444441")
        await client.cid("GET", "/mandates/bbbbbbbb-0000-4000-8000-000000000001")
        await client.cid("GET", "/organizations/")  # GET106: undisturbed
        await client.dfs("GET", "/v2.0/roles")
        await client.dfs("GET", "/v2.0/roles/999")
        await client.dfs("GET", "/v1.0/identities/02000000-0000-4000-8000-000000000001")

    cassette = await record(workload)
    monkeypatch.undo()
    report = await compare_cassette(cassette)
    assert report.drift
    kinds = {
        (result.exchange.operation, difference.kind, difference.path)
        for result in report.results
        for difference in result.differences
    }
    # the renamed attribute: a documented one the recording lacks is structure; an unknown name
    # could be a custom attribute, whose presence is data
    assert ("GET105", "extra", "/User/Attribute:firstname") in kinds
    assert ("GET105", "missing", "/User/Attribute:givenName") not in kinds
    assert ("GET107", "namespace", "/Organization") in kinds
    assert ("GET109", "attribute", "/Role/@version") in kinds
    assert ("GET111", "status", "") in kinds
    assert ("get /v2.0/roles", "type", "/") in kinds
    assert ("get /v2.0/roles/{roleId}", "error-code", "/Code") in kinds  # both 404
    assert ("get /v1.0/identities/{identityId}", "type", "/MemberId") in kinds
    assert ("get /v1.0/identities/{identityId}", "missing", "/UserName") not in kinds  # recorded has fewer keys:
    assert ("get /v1.0/identities/{identityId}", "extra", "/UserName") in kinds  # the emulator's are extra
    by_operation = rows(report)
    assert (
        by_operation[("customerid", "GET106", "2.1")].matched,
        by_operation[("customerid", "GET106", "2.1")].differing,
    ) == (1, 0)
    assert by_operation[("customerid", "GET111", "2.1")].first == (
        "#4 GET /customerid-rest/services/2.1/mandates/bbbbbbbb-0000-4000-8000-000000000001: "
        "status: recorded 503, emulator 200"
    )
    assert report.text().endswith("DRIFT: 7 of 8 exchanges differ")


async def test_an_upstream_on_an_older_version_drifts_on_the_operations_it_lacks(emulator, record, aiohttp_server):
    async def still_on_2_0(request: web.Request) -> web.StreamResponse:  # a sandbox not yet on 2.1
        path = request.raw_path.replace("/services/2.1/", "/services/2.0/")
        async with aiohttp.ClientSession() as session:
            async with session.request(request.method, emulator.url + path, headers=request.headers) as answer:
                return web.Response(status=answer.status, body=await answer.read(), content_type=answer.content_type)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", still_on_2_0)
    old = await aiohttp_server(app)

    async def workload(client):
        await client.cid("GET", f"/users/{MAIJA}")  # GET105: in both versions
        await client.cid("GET", f"/organizations/{ACME_SALES}/users")  # GET113: 2.1 only
        await client.cid("GET", f"/users/{MAIJA}/roles")  # GET117: 2.1 only

    report = await compare_cassette(await record(workload, str(old.make_url("")).rstrip("/")))
    by_operation = rows(report)
    assert by_operation[("customerid", "GET105", "2.1")].matched == 1
    assert by_operation[("customerid", "GET113", "2.1")].differing == 1
    assert "status: recorded 404, emulator 200" in by_operation[("customerid", "GET117", "2.1")].first


async def test_values_are_compared_on_request_and_rules_from_a_file_extend_the_built_in_ones(
    emulator, record, tmp_path
):
    async with emulator.session() as session:  # the sandbox's Maija is called Maria
        async with session.put(emulator.customerid_url() + f"/users/{MAIJA}", params={"firstname": "Maria"}) as answer:
            assert answer.status == 200

    async def workload(client):
        await client.cid("GET", f"/users/{MAIJA}")

    cassette = await record(workload)
    assert not (await compare_cassette(cassette)).drift  # the same structure; values are not compared
    report = await compare_cassette(cassette, rules=ALL_VALUES)
    assert [str(difference) for difference in report.results[0].differences] == [
        "value at /User/Attribute:firstname/Value: recorded 'Maria', emulator 'Maija'"
    ]
    rules = tmp_path / "rules.yaml"
    rules.write_text("values: all\nrules:\n  - {field: firstname, operation: GET105, action: ignore-value}\n")
    assert not (await compare_cassette(cassette, rules=Rules.load(rules))).drift
    loaded = Rules.load(rules)
    assert loaded.action("/User/Attribute:firstname/Value", "firstname", "GET107") is None
    assert loaded.action("/error/code", "code", "GET105") == "compare-value"  # built-in rules stay
    rules.write_text("rules:\n  - {action: explode}\n")
    with pytest.raises(ValueError, match="rules"):
        Rules.load(rules)


def test_compare_cli_exit_codes_and_report_formats(tmp_path, capsys):
    from tests.support.drift import write_cassette

    clean, drifted = tmp_path / "clean.jsonl", tmp_path / "drifted.jsonl"
    write_cassette(clean, status=404)
    write_cassette(drifted, status=401)
    assert main_compare([str(clean), "--scenario", "default"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("OK: no drift")
    assert main_compare([str(drifted), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["drift"] is True and report["operations"][0]["operation"] == "GET105"
    assert report["differences"][0]["differences"] == [
        {"kind": "status", "path": "", "recorded": 401, "emulated": 404},
        {"kind": "error-code", "path": "/error/code", "recorded": "2", "emulated": "7"},
    ]
    junit = tmp_path / "drift.xml"
    assert main_compare([str(drifted), "--format", "junit", "--output", str(junit)]) == 1
    suites = ElementTree.parse(junit).getroot()
    case = suites.find("testsuite/testcase")
    assert suites.get("failures") == "1" and case.get("classname") == "drift.customerid.GET105.2.1"
    assert case.find("failure").get("message") == "status: recorded 401, emulator 404"
    (tmp_path / "junk.jsonl").write_text("not a cassette\n")
    assert main_compare([str(tmp_path / "junk.jsonl")]) == 2
    assert "not an emulator cassette" in capsys.readouterr().err


async def test_compare_against_a_running_emulator_uses_a_namespace_of_its_own(emulator, record):
    cassette = await record(crud_workload)  # the recording changed the upstream's default namespace
    report = await compare_cassette(cassette, emulator_url=emulator.url, credentials=emulator.credentials)
    assert not report.drift, report.text()
    assert report.target == emulator.url
    namespaces = await emulator.control("GET", "/namespaces")
    assert [entry["name"] for entry in namespaces["namespaces"]] == ["default"]  # the replay's is gone


async def test_an_exchange_the_emulator_does_not_answer_is_a_transport_difference(emulator, record, aiohttp_server):
    async def workload(client):
        await client.cid("GET", f"/users/{MAIJA}")
        await client.cid("GET", f"/organizations/{ACME_SALES}")

    cassette = await record(workload)

    async def dropping_users(request: web.Request) -> web.StreamResponse:  # an emulator that hangs up on GET105
        if "/users/" in request.path:
            request.transport.close()
            return web.Response()
        async with aiohttp.ClientSession() as session:
            async with session.request(
                request.method, emulator.url + request.raw_path, headers=request.headers, data=await request.read()
            ) as answer:
                return web.Response(
                    status=answer.status,
                    body=await answer.read(),
                    headers={"Content-Type": answer.headers.get("Content-Type", "application/octet-stream")},
                )

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", dropping_users)
    flaky = await aiohttp_server(app)
    report = await compare_cassette(cassette, emulator_url=str(flaky.make_url("")), credentials=emulator.credentials)
    first, second = report.results
    assert first.differences[0].kind == "transport" and first.status is None
    assert second.matched, second.differences  # the replay goes on
