"""--contract off|warn|strict (emulator/contract/check.py): every answer of both APIs is
checked against the package's XSDs (CustomerID) and OpenAPI document (DFS); a
renderer broken on purpose is reported on the journal entry (warn) or as a 500
naming the violation (strict)."""

from __future__ import annotations

import aiohttp
import pytest

import emulator.customerid.call as customerid_call
import emulator.dfs.render as dfs_render
from emulator.cli import parse_arguments
from emulator.config import EmulatorConfig
from emulator.contract import check as contract
from emulator.contract import schemacheck
from emulator.dfs.api import DfsApi
from emulator.dfs.contract import dfs_contract
from tests.support.control import ControlClient
from tests.support.customerid import ACME, MAIJA, UNKNOWN_ID, VILLE, CustomerIdClient
from tests.support.dfs import SARAH, UNKNOWN, DfsClient

ACCEPT_JSON = {"Accept": "application/json"}


@pytest.fixture
def break_get105(monkeypatch):
    """GET105's renderer adds an element cid-2.1.xsd does not allow."""
    original = customerid_call.entity_document

    def broken(entity, in_response_to, method):
        return original(entity, in_response_to, method).replace(b"</User>", b"<Nickname>x</Nickname></User>")

    monkeypatch.setattr(customerid_call, "entity_document", broken)


@pytest.fixture
def break_dfs_identity(monkeypatch):
    """get /v1.0/identities/{identityId} answers a property the Identity schema does not have."""
    original = dfs_render.identity
    monkeypatch.setattr(dfs_render, "identity", lambda *args: {**original(*args), "Nickname": "x"})


async def raw(handle, method: str, url: str, headers: dict | None = None) -> tuple[int, str, bytes]:
    async with aiohttp.ClientSession() as http:
        async with http.request(method, url, headers=headers) as response:
            return response.status, response.content_type, await response.read()


async def journal(handle, **query) -> list[dict]:
    async with aiohttp.ClientSession() as http:
        return (await ControlClient(handle, http).get("/requests", params=query))["requests"]


# -- configuration ---------------------------------------------------------------------------


def test_contract_mode_from_environment_command_line_and_code():
    assert EmulatorConfig().contract == "off"
    assert EmulatorConfig.from_environment({"EMULATOR_CONTRACT": "Warn"}).contract == "warn"
    assert EmulatorConfig.from_environment({"EMULATOR_CONTRACT": "warn"}, contract="strict").contract == "strict"
    assert parse_arguments(["--contract", "strict"]).contract == "strict"
    with pytest.raises(ValueError, match="off, warn, strict"):
        EmulatorConfig.from_environment({"EMULATOR_CONTRACT": "loud"})
    with pytest.raises(SystemExit):
        parse_arguments(["--contract", "loud"])


async def test_off_has_no_contract_step_and_serves_a_broken_answer_unchecked(make_emulator, break_get105):
    handle = await make_emulator()
    handlers = {
        route.handler.__qualname__
        for route in handle.app.router.routes()
        if route.resource.canonical.startswith(("/customerid-rest", "/v1.0"))
    }
    assert handlers == {"build_pipeline.<locals>.dispatch"}
    status, _, body = await raw(handle, "GET", handle.customerid_url() + f"/users/{MAIJA}", handle.auth_headers)
    assert status == 200 and b"<Nickname>" in body
    assert (await journal(handle))[-1]["contract"] is None


# -- strict: the emulator's own answers keep the contract --------------------------------------


async def test_strict_customerid_answers_of_every_family_keep_the_contract(make_emulator):
    handle = await make_emulator(contract="strict")
    async with handle.session() as session:
        cid = CustomerIdClient(handle, session)
        assert (await cid.get(f"/users/{MAIJA}")).status == 200  # GET105, cid-2.1.xsd
        assert (await cid.get("/organizations/", version="2.0")).status == 200  # GET106 2.0
        assert (await cid.post("/organizations/", data={"name": "Contract Oy", "parent": ACME})).status == 201
        assert (await cid.patch(f"/users/{MAIJA}", data={"firstname": "Example"}, headers=ACCEPT_JSON)).json[
            "firstname"
        ] == "Example"  # PATCH124 JSON
        assert (await cid.put(f"/users/{VILLE}/reinvite", headers=ACCEPT_JSON)).json["userId"] == VILLE  # PUT123
        assert (await cid.put(f"/users/{MAIJA}/forcepasswordchange")).status == 204  # PUT125
        assert (await cid.get("/registrations/", version="1.2")).status == 200  # cid-1.2.xsd
        assert (await cid.get("/orgs/", version="1.0")).status == 200
        (await cid.get(f"/users/{UNKNOWN_ID}")).expect_error(404, 7)  # customerid-error.xsd
        (await cid.get("/no-such-resource")).expect_error(404, 7)  # outside any operation
        assert (await cid.call("HEAD", f"/users/{MAIJA}")).status == 200
    assert await journal(handle, contract="true") == []


async def test_strict_dfs_answers_keep_the_openapi_document(make_emulator):
    handle = await make_emulator(contract="strict")
    async with aiohttp.ClientSession() as session:
        dfs = DfsClient(handle, session)
        (await dfs.get(f"/v1.0/identities/{SARAH}")).expect(200)
        (await dfs.get("/v1.0/access-policies")).expect(200)
        (await dfs.get(f"/v1.0/identities/{UNKNOWN}")).expect(404, "NotFound")
        (await dfs.get("/v1.0/access-policies", headers={"Authorization": None})).expect(401, "Unauthorized")
        (await dfs.delete(f"/v1.0/identities/{SARAH}/profilepicture")).expect(204)
    assert await journal(handle, contract="true") == []


# -- a broken renderer: warn journals it, strict answers 500 naming it --------------------------


async def test_warn_serves_the_broken_customerid_answer_and_journals_the_violation(make_emulator, break_get105):
    handle = await make_emulator(contract="warn")
    status, _, body = await raw(handle, "GET", handle.customerid_url() + f"/users/{MAIJA}", handle.auth_headers)
    assert status == 200 and b"<Nickname>" in body
    await raw(handle, "GET", handle.customerid_url() + "/users/", handle.auth_headers)  # GET104: fine
    flagged = await journal(handle, contract="true")
    assert [entry["operation"] for entry in flagged] == ["GET105"]
    violation = flagged[0]["contract"]
    assert violation["mode"] == "warn" and violation["status"] == 200
    assert (violation["operation"], violation["version"], violation["contract"]) == ("GET105", "2.1", "cid-2.1.xsd")
    assert "Nickname" in violation["violation"]
    async with aiohttp.ClientSession() as http:
        count = await ControlClient(handle, http).post("/requests/count", {"match": {"contract": False}})
    assert count["count"] == 1


async def test_the_contract_filter_takes_true_or_false_only(make_emulator):
    handle = await make_emulator()
    async with aiohttp.ClientSession() as http:
        status, answer = await ControlClient(handle, http).call("GET", "/requests", params={"contract": "maybe"})
    assert status == 400 and answer["where"] == "?.contract", answer


async def test_strict_answers_500_with_the_customerid_error_document_naming_the_violation(make_emulator, break_get105):
    handle = await make_emulator(contract="strict")
    async with handle.session() as session:
        reply = await CustomerIdClient(handle, session).get(f"/users/{MAIJA}")  # the client checks the XSD
    reply.expect_error(500, 6)
    assert "contract violation: GET105 (2.1) answered 200, which breaks cid-2.1.xsd" in reply.error_message
    assert "Nickname" in reply.error_message
    entry = (await journal(handle))[-1]
    assert entry["status"] == 500 and entry["contract"]["mode"] == "strict"


async def test_warn_and_strict_report_a_broken_dfs_answer(make_emulator, break_dfs_identity):
    warn = await make_emulator(contract="warn")
    status, _, body = await raw(warn, "GET", warn.url + f"/v1.0/identities/{SARAH}", warn.dfs_headers)
    assert status == 200 and b"Nickname" in body
    (entry,) = await journal(warn, contract="true")
    assert entry["operation"] == "get /v1.0/identities/{identityId}"
    assert entry["contract"]["contract"] == "responses.yaml#/Identity"
    assert "'Nickname' was unexpected" in entry["contract"]["violation"]

    strict = await make_emulator(contract="strict")
    async with aiohttp.ClientSession() as session:
        reply = await DfsClient(strict, session).get(f"/v1.0/identities/{SARAH}")
    reply.expect(500, "InternalServerError")
    assert reply.json["Message"].startswith(
        "contract violation: get /v1.0/identities/{identityId} (1.0) answered 200, which breaks "
        "responses.yaml#/Identity"
    )


async def test_an_undocumented_status_is_a_violation(make_emulator, monkeypatch):
    """A status the operation's OpenAPI entry does not list is reported as such."""
    original = DfsApi.bind

    def bind(self, operation, version):
        bound = original(self, operation, version)
        if operation.code != "get /v1.0/access-policies":
            return bound

        async def teapot(request, world, path_params):
            response = await bound(request, world, path_params)
            response.set_status(418)
            return response

        return teapot

    monkeypatch.setattr(DfsApi, "bind", bind)
    handle = await make_emulator(contract="warn")
    status, _, _ = await raw(handle, "GET", handle.url + "/v1.0/access-policies", handle.dfs_headers)
    assert status == 418
    (entry,) = await journal(handle, contract="true")
    assert (
        "status 418 is not documented for this operation (documented: 200, 400, 401, 403, 500)"
        in entry["contract"]["violation"]
    )


async def test_faults_are_not_contract_violations(make_emulator):
    """An injected fault acts outside the operation: the operation's answer is what is checked."""
    handle = await make_emulator(contract="strict")
    async with aiohttp.ClientSession() as http:
        await ControlClient(handle, http).add_fault(
            match={"operation": "GET105"}, action={"status": 200, "body": "<not the contract/>"}
        )
    status, _, body = await raw(handle, "GET", handle.customerid_url() + f"/users/{MAIJA}", handle.auth_headers)
    assert (status, body) == (200, b"<not the contract/>")
    (entry,) = await journal(handle)
    assert entry["fault"] is not None and entry["contract"] is None


async def test_token_servers_have_no_published_contract_and_are_skipped_under_strict(make_emulator, caplog):
    """SSO (/uas/...) and the DFS identity server answer OAuth2 JSON: not checked, not failed;
    the operations they reach with a token still are."""
    with caplog.at_level("INFO", logger="emulator.contract"):
        handle = await make_emulator(contract="strict")
    skipped = "\n".join(record.getMessage() for record in caplog.records)
    assert "post /uas/oauth2/token (sso)" in skipped and "post /connect/token (identity)" in skipped
    async with aiohttp.ClientSession() as http:
        async with http.post(
            handle.url + "/uas/oauth2/token",
            headers={"Authorization": aiohttp.encode_basic_auth("ci-client", "ci-client-secret")},
            data={
                "grant_type": "password",
                "scope": "customerid-api",
                "username": "api-user",
                "password": "api-user-password",
            },
        ) as response:
            assert response.status == 200
            token = (await response.json())["access_token"]
        async with http.get(
            handle.customerid_url() + f"/users/{MAIJA}", headers={"Authorization": f"Bearer {token}"}
        ) as response:
            assert response.status == 200  # GET105, checked against cid-2.1.xsd
        async with http.post(
            handle.url + "/connect/token",
            headers={"Authorization": aiohttp.encode_basic_auth("dfs-ci-client", "dfs-ci-secret")},
            data={"grant_type": "client_credentials"},
        ) as response:
            assert response.status == 200
        async with http.get(handle.url + "/uas/no-such-endpoint") as response:
            assert response.status == 404 and (await response.json())["error"] == "not_found"
    assert await journal(handle, contract="true") == []


def test_operations_without_a_published_contract_are_skipped_not_failed():
    """An operation the contract has nothing for (e.g. a token endpoint) gets no checker and is listed."""
    api = DfsApi()

    class Partial:
        def checker(self, operation, version):
            return (
                None if operation.handler == "get_identity" else dfs_contract(api.endpoints).checker(operation, version)
            )

        def error_checker(self, path):
            return dfs_contract(api.endpoints).error_checker(path)

    checked = contract.ContractCheck(api, Partial(), "strict")
    checkers = {
        operation.handler: checked.checker(operation, version)
        for operation in api.endpoints.operations
        for version in operation.versions
    }
    assert checkers["get_identity"] is None
    assert checkers["list_access_policies"] is not None
    # besides the identity server's operations, which publish no answer schema
    assert [entry for entry in checked.unchecked if not entry.endswith("(identity)")] == [
        "get /v1.0/identities/{identityId} (1.0)"
    ]


# -- the pytest plugin ---------------------------------------------------------------------------

PLUGIN_SUITE = f"""
import pytest
import emulator.customerid.call as call

@pytest.fixture(autouse=True)
def broken_get105(monkeypatch):
    original = call.entity_document
    monkeypatch.setattr(call, "entity_document",
                        lambda *args: original(*args).replace(b"</User>", b"<Nickname>x</Nickname></User>"))

async def test_strict_answers_500(emulator):
    async with emulator.session() as http:
        async with http.get(emulator.customerid_url() + "/users/{MAIJA}") as r:
            assert r.status == 500
            assert "contract violation: GET105 (2.1)" in await r.text()

async def test_fails_and_the_report_names_the_violation(emulator):
    async with emulator.session() as http:
        async with http.get(emulator.customerid_url() + "/users/{MAIJA}") as r:
            assert r.status == 200
"""


def test_plugin_option_wins_over_the_ini_and_the_report_shows_the_violation(pytester):
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\nemulator_contract = warn\n")
    pytester.makepyfile(test_contract_suite=PLUGIN_SUITE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--emulator-contract", "strict")
    assert result.parseoutcomes() == {"passed": 1, "failed": 1}, result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            f"#1 * GET * /customerid-rest/services/2.1/users/{MAIJA} -> 500  GET105 * CONTRACT cid-2.1.xsd: "
            "Unexpected child with tag '{http://schema.ubisecure.com/customerid/api}Nickname'*"
        ]
    )


# -- remembered verdicts (schemacheck.Verdicts) ---------------------------------------------


async def test_a_repeated_broken_answer_is_flagged_every_time(make_emulator, break_get105):
    """GET105 of one user answers the same bytes: the remembered verdict is the violation again."""
    handle = await make_emulator(contract="warn")
    for _ in range(3):
        await raw(handle, "GET", handle.customerid_url() + f"/users/{MAIJA}", handle.auth_headers)
    flagged = await journal(handle, contract="true")
    assert [entry["operation"] for entry in flagged] == ["GET105"] * 3
    assert len({entry["contract"]["violation"] for entry in flagged}) == 1


async def test_a_repeated_valid_answer_stays_valid(make_emulator):
    handle = await make_emulator(contract="strict")
    for _ in range(3):
        status, _, _ = await raw(handle, "GET", handle.customerid_url() + f"/users/{MAIJA}", handle.auth_headers)
        assert status == 200
    assert await journal(handle, contract="true") == []


def test_verdicts_judge_each_body_once_and_forget_the_oldest(monkeypatch):
    monkeypatch.setattr(schemacheck, "REMEMBERED_ANSWERS", 2)
    judged: list[bytes] = []

    def judge(body: bytes) -> str | None:
        judged.append(body)
        return "bad" if body.startswith(b"bad") else None

    verdicts = schemacheck.Verdicts(judge)
    assert [verdicts.problem(b) for b in (b"ok", b"bad", b"ok", b"bad")] == [None, "bad", None, "bad"]
    assert judged == [b"ok", b"bad"]
    verdicts.problem(b"third")  # the oldest (b"ok") is forgotten
    assert verdicts.problem(b"ok") is None and judged[-1] == b"ok"


def test_verdicts_do_not_keep_a_large_body(monkeypatch):
    monkeypatch.setattr(schemacheck, "REMEMBERED_BYTES", 4)
    judged: list[bytes] = []
    verdicts = schemacheck.Verdicts(lambda body: judged.append(body))
    verdicts.problem(b"large body")
    verdicts.problem(b"large body")
    assert judged == [b"large body", b"large body"]


def test_verdicts_keep_to_their_byte_budget(monkeypatch):
    monkeypatch.setattr(schemacheck, "REMEMBERED_TOTAL_BYTES", 10)
    judged: list[bytes] = []
    verdicts = schemacheck.Verdicts(lambda body: judged.append(body))
    for body in (b"aaaa", b"bbbb", b"cccc", b"aaaa"):  # the third pushes the first out
        verdicts.problem(body)
    assert judged == [b"aaaa", b"bbbb", b"cccc", b"aaaa"]
    verdicts.problem(b"cccc")
    assert len(judged) == 4
