"""Mistakes fail loudly, with the fix in the message (issue 10, point 8), and the
ephemeral port is reported as bound everywhere (point 6)."""

import json
import re
import subprocess
import sys

import aiohttp
import pytest

from tests.support.processes import ROOT, Server


def run_cli(*arguments: str, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    environment = {key: value for key, value in os.environ.items() if not key.startswith("EMULATOR_")}
    return subprocess.run(
        [sys.executable, "-m", "emulator", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**environment, **(env or {})},
    )


async def test_a_fault_naming_an_unknown_operation_code_is_refused_with_the_close_matches(emulator):
    async with aiohttp.ClientSession() as http:

        async def post(operation):
            async with http.post(
                emulator.url + "/__emulator/faults", json={"match": {"operation": operation}, "action": {"status": 503}}
            ) as response:
                return response.status, await response.json()

        status, problem = await post("GET1055")
        assert status == 400 and problem["where"] == "match.operation"
        assert "unknown operation code 'GET1055'" in problem["error"] and "GET105" in problem["error"]
        assert "`emulator endpoints` lists every code" in problem["error"]
        status, problem = await post("get105")
        assert status == 400 and "close: GET105" in problem["error"]
        status, problem = await post("MOD001")  # POST100's 2.0 code: faults match the operation's own code
        assert status == 400 and "use 'POST100'" in problem["error"]
        status, added = await post("GET105")
        assert status == 201 and added["match"] == {"operation": "GET105"}


def test_a_fault_marker_with_an_unknown_code_errors_the_test_and_a_marker_without_fixture_too(pytester):
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(
        test_marks="""
import pytest


@pytest.mark.emulator_fault(operation="GET1055", status=503)
async def test_typo(emulator):
    pass


@pytest.mark.emulator_fault(operation="GET105", status=503)
def test_forgot_the_fixture():
    pass


@pytest.mark.emulator_scenario("default")
def test_forgot_it_too():
    pass
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=3)
    output = result.stdout.str()
    assert "unknown operation code 'GET1055'" in output
    assert (
        "@pytest.mark.emulator_fault on test_forgot_the_fixture does nothing: the test takes neither the "
        "emulator nor the emulator_sync fixture; add one of them to its arguments"
    ) in output
    assert "@pytest.mark.emulator_scenario on test_forgot_it_too does nothing" in output


async def test_id_of_an_unknown_kind_or_key_lists_what_exists(emulator):
    from emulator.pytest_plugin import UnknownScenarioKey

    assert emulator.id_of("user", "maija")
    with pytest.raises(UnknownScenarioKey) as unknown:
        emulator.id_of("user", "maja")
    assert "no user with key 'maja'; did you mean maija" in str(unknown.value)
    assert "the user keys are: anna," in str(unknown.value)
    with pytest.raises(KeyError) as unknown:  # still a KeyError, as before
        emulator.id_of("users", "maija")
    assert "no scenario key kind 'users'" in str(unknown.value) and "organization" in str(unknown.value)


def test_an_unreachable_emulator_url_is_one_line_not_a_traceback_per_test(pytester):
    pytester.makepyfile(test_many="\n".join(f"async def test_{n}(emulator):\n    pass\n" for n in range(5)))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--emulator-url", "http://127.0.0.1:9")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.stderr.lines if "emulator-url" in line]
    assert len(errors) == 1 and errors[0].startswith("ERROR: --emulator-url http://127.0.0.1:9: no emulator answers")
    assert "Traceback" not in result.stdout.str() + result.stderr.str()


def test_cli_mistakes_name_the_fix():
    bogus = run_cli("endpoints", "--api", "bogus")
    assert bogus.returncode == 2 and "invalid choice: 'bogus' (choose from 'customerid', 'dfs')" in bogus.stderr
    port = run_cli(env={"EMULATOR_PORT": "x"})
    assert port.returncode == 2
    assert "EMULATOR_PORT='x': must be an integer (unset it to use the default)" in port.stderr
    limit = run_cli(env={"EMULATOR_JOURNAL_LIMIT": "lots"})
    assert limit.returncode == 2 and "EMULATOR_JOURNAL_LIMIT='lots'" in limit.stderr
    help_text = run_cli("serve", "--help")
    assert help_text.returncode == 0 and help_text.stdout.startswith("usage: emulator serve ")
    assert "--scenario FILE|NAME" in help_text.stdout and "built-in scenario" in help_text.stdout


def test_emulator_scenarios_lists_the_built_ins():
    listing = run_cli("scenarios", "--format", "json")
    assert listing.returncode == 0
    rows = json.loads(listing.stdout)["scenarios"]
    assert [row["name"] for row in rows] == ["bulk-50k", "default", "dfs-bulk"]
    assert all(row["origin"] == "built-in" and row["description"] for row in rows)
    text = run_cli("scenarios")
    assert re.search(r"^default +ACME group", text.stdout, re.M)


def test_port_zero_is_reported_as_the_bound_port_everywhere(tmp_path):
    address_file = tmp_path / "address.json"
    server = Server(
        [sys.executable, "-m", "emulator", "--port", "0", "--print-curl", "--quiet"],
        0,
        env={"EMULATOR_ADDRESS_FILE": str(address_file)},
    )
    try:
        banner = server.wait_for(lambda line: "listening on" in line)
        port = int(re.search(r"listening on http://127\.0\.0\.1:(\d+) ", banner).group(1))
        assert port != 0
        curl = server.wait_for(lambda line: line.startswith("curl "))
        assert f"http://127.0.0.1:{port}/" in curl and ":0/" not in curl
        control = next(line for line in server.seen if "/__emulator/" in line)
        assert f":{port}/__emulator/" in control
        written = json.loads(address_file.read_text())
        assert written["port"] == port
        health = run_cli("healthcheck", env={"EMULATOR_ADDRESS_FILE": str(address_file)})
        assert health.returncode == 0 and f"healthy: http://127.0.0.1:{port}/__emulator/health" in health.stdout
    finally:
        assert server.stop() == 0


def test_slow_scenario_loads_print_a_progress_line_per_file():
    from emulator.app import default_apis
    from emulator.serving.load_progress import LoadProgress
    from emulator.world.scenarios import load_baseline

    lines: list[str] = []
    progress = LoadProgress(lines.append, slow_seconds=0.0)  # everything counts as slow
    load_baseline(
        ["default"],
        default_apis(),
        documents=[("extra", {"customerid": {"users": {"x": {"organization": "acme", "login": "x"}}}})],
        progress=progress,
    )
    progress.done()
    per_file = [line for line in lines if line.startswith("  scenario ")]
    assert re.fullmatch(
        r"  scenario default\.yaml: \d{2,},?\d* entities loaded in \d+\.\d s \(\d+\.\d s elapsed\)", per_file[0]
    ), lines
    assert per_file[1].startswith("  scenario extra: 1 entities loaded")
    quiet: list[str] = []
    fast = LoadProgress(quiet.append, slow_seconds=3600.0)  # nothing is slow: no line (not timed: a loaded
    load_baseline(["default"], default_apis(), progress=fast)  # machine may take seconds to load default)
    fast.done()
    assert quiet == []
    assert LoadProgress(quiet.append).slow_seconds == 1.0  # by default, only past a second
