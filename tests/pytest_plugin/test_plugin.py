"""The pytest plugin, exercised the way users meet it: inner test suites run by
pytester in a subprocess, in-process and against an external emulator
(`python -m emulator` started here), with and without `-n 2`."""

import json
import sys
import urllib.request

import pytest

from tests.support.docker import free_port
from tests.support.processes import Server

MAIJA = "aaaaaaaa-0000-4000-8000-000000000001"
INVITED = "aaaaaaaa-0000-4000-8000-000000000006"

EXTRA_SCENARIO = """
customerid:
  users:
    eero: {organization: acme, login: eero.extra, email: eero@example.org}
"""

# One suite for every mode: async and sync tests, markers and helpers.
SUITE = f'''
import json, urllib.request, urllib.error
import pytest

MAIJA = "{MAIJA}"
INVITED = "{INVITED}"


async def test_fresh_state_and_auth(emulator):
    async with emulator.session() as http:
        async with http.get(emulator.customerid_url("2.1") + "/users/" + MAIJA) as r:
            assert r.status == 200
        async with http.delete(emulator.customerid_url("2.1") + "/users/" + MAIJA) as r:
            assert r.status in (200, 204)
    async with emulator.session() as http:
        async with http.get(emulator.dfs_url("1.0") + "/access-policies", headers=emulator.dfs_headers) as r:
            assert r.status == 200, await r.text()
    await emulator.assert_called("GET105", times=1)
    await emulator.assert_called("DEL102")


@pytest.mark.parametrize("n", range(6))
async def test_isolated_from_other_tests(emulator, n):
    # every test deletes the same user: it must be there each time
    async with emulator.session() as http:
        async with http.delete(emulator.customerid_url("2.1") + "/users/" + MAIJA) as r:
            assert r.status in (200, 204), await r.text()
    assert len(await emulator.requests()) == 1


@pytest.mark.emulator_scenario("extra.yaml")
async def test_scenario_marker(emulator):
    async with emulator.session() as http:
        async with http.get(emulator.customerid_url("2.1") + "/users", params={{"login": "eero.extra"}}) as r:
            assert "<Id>" in await r.text()  # not in the default scenario: the marker loaded it


@pytest.mark.emulator_fault(operation="GET105", status=503, times=2)
async def test_fault_marker(emulator):
    statuses = []
    async with emulator.session() as http:
        for _ in range(3):
            async with http.get(emulator.customerid_url("2.1") + "/users/" + MAIJA) as r:
                statuses.append(r.status)
    assert statuses == [503, 503, 200]
    assert [e["status"] for e in await emulator.requests(operation="GET105")] == [503, 503, 200]


async def test_fault_context_snapshot_clock_register(emulator):
    url = emulator.customerid_url("2.1") + "/users/" + MAIJA
    async with emulator.session() as http:
        async with emulator.fault(operation="GET105", status=500):
            async with http.get(url) as r:
                assert r.status == 500
        assert (await emulator.control("GET", "/faults"))["faults"] == []
        async with http.get(url) as r:
            assert r.status == 200
        await emulator.snapshot()
        async with http.delete(url) as r:
            assert r.status in (200, 204)
        await emulator.restore()
        async with http.get(url) as r:
            assert r.status == 200
    frozen = await emulator.clock.freeze("2030-01-01T00:00:00Z")
    assert frozen["now"].startswith("2030-01-01T00:00:00")
    assert (await emulator.clock.advance(60))["now"].startswith("2030-01-01T00:01:00")
    assert (await emulator.register_user(INVITED))["status"] == "Enabled"


def test_sync_client(emulator_sync):
    url = emulator_sync.customerid_url("2.1") + "/users/" + MAIJA
    request = urllib.request.Request(url, headers=emulator_sync.auth_headers)
    with urllib.request.urlopen(request) as response:
        assert response.status == 200
    with emulator_sync.fault(operation="GET105", status=503):
        try:
            urllib.request.urlopen(urllib.request.Request(url, headers=emulator_sync.auth_headers))
        except urllib.error.HTTPError as error:
            assert error.code == 503
        else:
            raise AssertionError("the fault did not fire")
    emulator_sync.assert_called("GET105", times=2)
    assert [e["status"] for e in emulator_sync.requests()] == [200, 503]
    assert emulator_sync.clock.freeze("2031-05-05T00:00:00Z")["frozen"] is True


@pytest.mark.parametrize("n", range(4))
def test_sync_isolated(emulator_sync, n):
    request = urllib.request.Request(emulator_sync.customerid_url("2.1") + "/users/" + MAIJA, method="DELETE",
                                     headers=emulator_sync.auth_headers)
    with urllib.request.urlopen(request) as response:
        assert response.status in (200, 204)
'''

FAILING = f"""
import pytest

@pytest.mark.emulator_fault(operation="GET105", status=503)
async def test_fails_and_explains(emulator):
    async with emulator.session() as http:
        async with http.get(emulator.customerid_url("2.1") + "/users/{MAIJA}") as r:
            assert r.status == 200


def test_sync_fails_and_explains(emulator_sync):
    emulator_sync.fault(operation="GET105", status=502)
    import urllib.request, urllib.error
    try:
        urllib.request.urlopen(urllib.request.Request(emulator_sync.customerid_url("2.1") + "/users/{MAIJA}",
                                                      headers=emulator_sync.auth_headers))
    except urllib.error.HTTPError:
        pass
    assert False, "boom"
"""


@pytest.fixture
def suite(pytester):
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makefile(".yaml", extra=EXTRA_SCENARIO)
    pytester.makepyfile(test_suite=SUITE)
    return pytester


@pytest.fixture
def external():
    """A real external emulator: `python -m emulator --port P`."""
    port = free_port()
    server = Server([sys.executable, "-m", "emulator", "--port", str(port), "--quiet"], port)
    try:
        server.wait_for(lambda line: "listening on" in line)
        yield server
    finally:
        server.stop()


def namespaces(server) -> list[str]:
    with urllib.request.urlopen(server.url + "/__emulator/namespaces", timeout=5) as response:
        return [item["name"] for item in json.load(response)["namespaces"]]


def passed(result) -> int:
    return result.parseoutcomes().get("passed", 0)


TOTAL = 15  # tests in SUITE


def test_in_process(suite):
    result = suite.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == 0, result.stdout.str()
    assert passed(result) == TOTAL


def test_in_process_with_two_workers(suite):
    result = suite.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    assert result.ret == 0, result.stdout.str()
    assert passed(result) == TOTAL


def test_external_emulator_with_two_workers(suite, external):
    result = suite.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2", "--emulator-url", external.url)
    assert result.ret == 0, result.stdout.str()
    assert passed(result) == TOTAL
    assert namespaces(external) == ["default"]  # every test's namespace was deleted
    with urllib.request.urlopen(external.url + "/__emulator/endpoints", timeout=5) as response:
        hits = {(item["code"], item["version"]): item["hits"] for item in json.load(response)["endpoints"]}
    assert hits[("DEL102", "2.1")] >= 10  # the requests went to the external emulator


def test_external_emulator_from_ini_and_environment(suite, external, monkeypatch):
    suite.makeini(f"[pytest]\nasyncio_default_fixture_loop_scope = function\nemulator_url = {external.url}\n")
    result = suite.runpytest_subprocess("-p", "no:cacheprovider", "-k", "fresh_state or sync_client")
    assert result.ret == 0, result.stdout.str()
    assert passed(result) == 2
    suite.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    monkeypatch.setenv("EMULATOR_URL", external.url)
    result = suite.runpytest_subprocess("-p", "no:cacheprovider", "-k", "fault_marker")
    assert result.ret == 0, result.stdout.str()
    with urllib.request.urlopen(external.url + "/__emulator/endpoints", timeout=5) as response:
        hits = {(item["code"], item["version"]): item["hits"] for item in json.load(response)["endpoints"]}
    assert hits[("GET105", "2.1")] >= 4


@pytest.mark.parametrize("mode", ["in-process", "external"])
def test_failure_report_shows_the_tests_journal(pytester, request, mode):
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_failing=FAILING)
    arguments = ["-p", "no:cacheprovider"]
    if mode == "external":
        arguments += ["--emulator-url", request.getfixturevalue("external").url]
    result = pytester.runpytest_subprocess(*arguments)
    assert result.parseoutcomes().get("failed") == 2
    output = result.stdout.str()
    assert output.count("emulator journal") == 2, output
    result.stdout.fnmatch_lines(
        [
            "*emulator journal*",
            f"#1 * GET * /customerid-rest/services/2.1/users/{MAIJA} -> 503  GET105 * fault f1 (status)",
        ]
    )
    result.stdout.fnmatch_lines([f"#1 * GET * /customerid-rest/services/2.1/users/{MAIJA} -> 502  GET105 *"])


def test_strict_asyncio_mode_needs_no_marker(pytester):
    pytester.makeini("[pytest]\nasyncio_mode = strict\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(
        test_one=f"""
async def test_unmarked(emulator):
    async with emulator.session() as http:
        async with http.get(emulator.customerid_url() + "/users/{MAIJA}") as r:
            assert r.status == 200
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == 0 and passed(result) == 1, result.stdout.str()


def test_options_are_documented_in_help(pytester):
    result = pytester.runpytest_subprocess("--help")
    output = result.stdout.str()
    for word in (
        "--emulator-url",
        "--emulator-scenario",
        "--emulator-control-token",
        "emulator_url (string)",
        "emulator_scenarios (linelist)",
    ):
        assert word in output, word
