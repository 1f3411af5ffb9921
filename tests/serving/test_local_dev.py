"""The local dev stand-in: `make run`'s curl lines, --reload-scenarios, request
lines (text and JSON), `emulator validate`, `emulator endpoints`, `emulator
healthcheck`, and the serve form without a subcommand."""

import asyncio
import json
import logging
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from emulator.app import create_app
from emulator.cli import health_target
from emulator.config import DEFAULT_SCENARIO, EmulatorConfig
from emulator.endpoints import EndpointTable
from emulator.serving.reload import ScenarioWatcher
from emulator.world.state import STATE
from tests.support.docker import free_port
from tests.support.processes import Server, make_run_command

ROOT = Path(__file__).resolve().parents[2]

SMALL = """\
name: small
customerid:
  organizations:
    org: {technicalName: "7654321-0", friendlyName: Small Oy}
  users:
{users}
"""


def small_scenario(*logins: str) -> str:
    users = "\n".join(
        f"    {login}: {{organization: org, status: Enabled, login: {login}, firstname: A, surname: B}}"
        for login in logins
    )
    return SMALL.replace("{users}", users)


def test_make_run_prints_curl_lines_for_both_apis_that_work():
    port = free_port()
    command = make_run_command(port)
    assert "--print-curl" in command and "--reload-scenarios" in command
    server = Server(command, port)
    try:
        server.wait_for(lambda line: line.startswith(f"curl -s {server.url}/__emulator/health"))
        printed = server.seen[server.seen.index("Try it (paste into a shell):") + 1 :]
        token_line = next(line for line in printed if line.startswith("export DFS_TOKEN="))
        curls = [line for line in printed if line.startswith("curl ")]
        assert any("-u restuser:secret" in line and "/customerid-rest/services/2.1/" in line for line in curls)
        assert any("Bearer $DFS_TOKEN" in line and "/v1.0/" in line for line in curls)
        script = token_line + "\n" + "\n".join(f"{line} -o /dev/null -w '%{{http_code}}\\n'" for line in curls)
        result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30)
        assert result.stdout.split() == ["200"] * len(curls), (result.stdout, result.stderr)
        # the one-per-request lines name the operations
        server.wait_for(lambda line: line.startswith('GET /v1.0/access-policies "get /v1.0/access-policies" 200'))
    finally:
        assert server.stop() == 0


async def test_reload_swaps_baseline_and_world_and_a_bad_edit_keeps_the_old_state(tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text(small_scenario("anna"))
    app = create_app(EmulatorConfig(scenarios=(scenario,)))
    state = app[STATE]
    events = []
    watcher = ScenarioWatcher(
        state, (scenario,), lambda event, details: events.append((event, details)), interval=0.01, settle=0.01
    )
    assert not await watcher.check()  # nothing changed
    before = state.world
    state.world.models["customerid"]

    scenario.write_text(small_scenario("anna", "bert"))
    os.utime(scenario, ns=(time.time_ns(), time.time_ns() + 1_000_000))
    assert await watcher.check()
    assert state.world is not before
    assert state.world.store["customerid.users"].__len__() == 2
    assert state.baseline.files == (str(scenario),)
    assert events[-1][0] == "reloaded"
    good = state.world

    scenario.write_text(
        small_scenario("anna", "bert") + "    carl: {organization: nowhere, status: Enabled, "
        "login: carl, firstname: C, surname: D}\n"
    )
    os.utime(scenario, ns=(time.time_ns(), time.time_ns() + 2_000_000))
    assert not await watcher.check()
    assert state.world is good  # untouched
    event, details = events[-1]
    assert event == "reload-failed"
    assert details["file"] == str(scenario) and details["path"].startswith("customerid.users.carl")
    assert "nowhere" in details["problem"]

    scenario.write_text("customerid: [unclosed\n")
    os.utime(scenario, ns=(time.time_ns(), time.time_ns() + 3_000_000))
    assert not await watcher.check()
    assert events[-1][1]["path"].startswith("line ")
    assert state.world is good


def test_reload_from_the_command_line_reports_where_a_bad_edit_is(tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text(small_scenario("anna"))
    port = free_port()
    server = Server(
        [sys.executable, "-m", "emulator", "--port", str(port), "--scenario", str(scenario), "--reload-scenarios"], port
    )
    try:
        server.wait_for(lambda line: "watching 1 scenario file(s)" in line)
        assert server.health()["counts"]["customerid"]["users"] == 1
        scenario.write_text(small_scenario("anna", "bert"))
        server.wait_for(lambda line: line.startswith("emulator: scenarios reloaded"))
        assert server.health()["counts"]["customerid"]["users"] == 2
        scenario.write_text(small_scenario("anna", "bert").replace("status: Enabled", "status: [1]", 1))
        error = server.wait_for(lambda line: line.startswith("emulator: scenario error"))
        assert f"{scenario}: customerid.users.anna.status" in error and "keeping the previous state" in error
        assert server.health()["counts"]["customerid"]["users"] == 2
    finally:
        assert server.stop() == 0


def test_json_log_format_one_object_per_line(tmp_path):
    port = free_port()
    server = Server([sys.executable, "-m", "emulator", "--port", str(port), "--log-format", "json"], port)
    try:
        first = json.loads(server.wait_for(lambda line: line.startswith("{")))
        assert first["event"] == "listening" and first["url"].endswith(f":{port}")
        request = urllib.request.Request(
            server.url + "/customerid-rest/services/2.0/organizations/?"
            "friendlyName=Logged&parentOrganizationId=11111111-1111-4111-8111-"
            "111111111111",
            method="POST",
            headers={"Authorization": "Basic cmVzdHVzZXI6c2VjcmV0"},
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 201
        server.health()  # health checks are not logged
        line = json.loads(server.wait_for(lambda line: '"method"' in line))
        assert line["method"] == "POST" and line["path"] == "/customerid-rest/services/2.0/organizations/"
        assert (line["api"], line["operation"], line["version"], line["status"]) == ("customerid", "MOD001", "2.0", 201)
        assert isinstance(line["ms"], float) and line["query"].startswith("friendlyName=Logged")
        assert "T" in line["time"]
    finally:
        assert server.stop() == 0
    assert not any("/__emulator/health" in seen for seen in server.seen)


async def test_apps_built_with_create_app_log_nothing(aiohttp_client, caplog):
    """The pytest fixture builds its apps with create_app: no request lines."""
    caplog.set_level(logging.INFO, logger="emulator")
    client = await aiohttp_client(create_app())
    response = await client.get(
        "/customerid-rest/services/2.1/users?status=Enabled", headers={"Authorization": "Basic cmVzdHVzZXI6c2VjcmV0"}
    )
    assert response.status == 200
    assert not [record for record in caplog.records if record.name.startswith("emulator")]
    assert not logging.getLogger("emulator.access").handlers


def run_cli(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "emulator", *arguments], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_validate_accepts_good_files_and_names_file_path_and_problem(tmp_path):
    ok = run_cli("validate", str(DEFAULT_SCENARIO), "dfs-bulk")  # a path and a built-in name
    assert ok.returncode == 0, ok.stderr
    assert "2 file(s) ok" in ok.stdout
    schema = tmp_path / "schema.yaml"
    schema.write_text("customerid:\n  users:\n    bob: {status: [1]}\n")
    syntax = tmp_path / "syntax.yaml"
    syntax.write_text("customerid: [unclosed\n")
    bad = run_cli("validate", str(schema), str(syntax))
    assert bad.returncode == 2
    assert f"{schema}: customerid.users.bob" in bad.stderr
    assert f"{syntax}: line 2, column 1: not valid YAML" in bad.stderr  # every broken file is reported
    assert "2 of 2 file(s) invalid" in bad.stderr
    dangling = tmp_path / "dangling.yaml"
    dangling.write_text("customerid:\n  users:\n    bob: {organization: no-such-org, status: Enabled, login: bob}\n")
    refused = run_cli("validate", str(dangling))
    assert refused.returncode == 2 and f"{dangling}: customerid.users.bob" in refused.stderr
    assert "no-such-org" in refused.stderr
    locale = tmp_path / "locale.yaml"
    locale.write_text("customerid:\n  generate:\n    - {organization: acme, users: 1, locales: [xx_YY]}\n")
    refused = run_cli("validate", str(DEFAULT_SCENARIO), str(locale))  # no traceback: one line naming the locale
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert f"{locale}: customerid.generate[0].locales: unknown Faker locale 'xx_YY'" in refused.stderr
    missing = run_cli("validate", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr


def test_endpoints_prints_the_operation_table():
    text = run_cli("endpoints")
    assert text.returncode == 0
    rows = [line.split() for line in text.stdout.splitlines()]
    get105 = next(row for row in rows if row[:2] == ["customerid", "GET105"])
    assert get105[2:] == ["GET", "/customerid-rest/services/2.1/users/{userId}", "2.0,2.1"]
    listing = json.loads(run_cli("endpoints", "--format", "json").stdout)
    expected = sum(
        len(EndpointTable.load(ROOT / "emulator" / api / "endpoints.yaml").operations) for api in ("customerid", "dfs")
    )
    assert listing["count"] == expected == len(listing["endpoints"])
    post100 = next(row for row in listing["endpoints"] if row["code"].startswith("POST100"))
    assert post100["code"] == "POST100 / MOD001" and post100["versions"] == ["2.0", "2.1"]


def test_healthcheck_target_follows_address_file_then_arguments_then_environment(tmp_path):
    assert health_target({}) == "http://127.0.0.1:8080/__emulator/health"
    assert health_target({"EMULATOR_HOST": "::", "EMULATOR_PORT": "9000"}) == "http://[::1]:9000/__emulator/health"
    assert health_target({"EMULATOR_HOST": "10.1.2.3"}) == "http://10.1.2.3:8080/__emulator/health"
    address = tmp_path / "address.json"
    environ = {"EMULATOR_PORT": "8080", "EMULATOR_ADDRESS_FILE": str(address)}
    assert health_target(environ) == "http://127.0.0.1:8080/__emulator/health"  # no file yet
    address.write_text(json.dumps({"host": "0.0.0.0", "port": 9100}))
    assert health_target(environ) == "http://127.0.0.1:9100/__emulator/health"
    assert health_target(environ, port=9200) == "http://127.0.0.1:9200/__emulator/health"


def test_serve_form_and_serve_subcommand_both_work():
    for form in (["--host", "127.0.0.1"], ["serve", "--host", "127.0.0.1"]):
        port = free_port()
        server = Server(
            [
                sys.executable,
                "-m",
                "emulator",
                *form,
                "--port",
                str(port),
                "--scenario",
                str(DEFAULT_SCENARIO),
                "--quiet",
            ],
            port,
        )
        try:
            server.wait_for(lambda line: "listening on" in line)
            assert server.health()["status"] == "ok"
        finally:
            assert server.stop() == 0


def test_bad_configuration_from_the_environment_is_refused():
    result = subprocess.run(
        [sys.executable, "-m", "emulator"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "EMULATOR_LOG_FORMAT": "xml"},
        timeout=60,
    )
    assert result.returncode == 2 and "EMULATOR_LOG_FORMAT" in result.stderr


def test_watcher_runs_on_its_own_loop_interval(tmp_path):
    """The polling loop itself (not just check): a change is picked up by run()."""
    scenario = tmp_path / "s.yaml"
    scenario.write_text(small_scenario("anna"))
    app = create_app(EmulatorConfig(scenarios=(scenario,)))
    events = []

    async def scenario_run():
        watcher = ScenarioWatcher(
            app[STATE], (scenario,), lambda event, details: events.append(event), interval=0.02, settle=0.01
        )
        task = asyncio.get_running_loop().create_task(watcher.run())
        await asyncio.sleep(0.05)
        scenario.write_text(small_scenario("anna", "bert"))
        for _ in range(200):
            if events:
                break
            await asyncio.sleep(0.01)
        task.cancel()
        return watcher.reloads

    assert asyncio.run(scenario_run()) == 1
    assert events == ["reloaded"]


@pytest.mark.parametrize("value", ["1", "yes", "0", "off"])
def test_access_log_flag_from_the_environment(value):
    from emulator.cli import _env_flag

    assert _env_flag("X", False, {"X": value}) is (value in ("1", "yes"))
