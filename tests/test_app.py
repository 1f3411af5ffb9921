"""App factory, control endpoints (health, reset, endpoints), configuration and the
command line."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from emulator.app import create_app
from emulator.config import DEFAULT_SCENARIO, EmulatorConfig
from emulator.endpoints import EndpointTable
from tests.support.customerid import ACME, MAIJA
from tests.support.vendored import vendored_lines

ROOT = Path(__file__).resolve().parent.parent


def mounted_operations(api: str) -> int:
    """Operation x version pairs in an API's endpoints.yaml: what the emulator mounts."""
    table = EndpointTable.load(ROOT / "emulator" / api / "endpoints.yaml")
    return sum(len(operation.versions) for operation in table.operations)


async def test_health_reports_ok_apis_scenarios_and_counts(emulator):
    async with aiohttp.ClientSession() as http:
        async with http.get(emulator.url + "/__emulator/health") as response:
            assert response.status == 200
            body = await response.json()
    assert body["status"] == "ok"
    assert body["apis"] == {"customerid": mounted_operations("customerid"), "dfs": mounted_operations("dfs")}
    assert body["scenarios"] == [str(DEFAULT_SCENARIO)]
    assert body["counts"]["customerid"]["users"] == 9


async def test_reset_returns_to_exactly_the_loaded_scenario(emulator, cid):
    created = await cid.post("/organizations/", params={"friendlyName": "Temporary", "parentOrganizationId": ACME})
    assert created.status == 201
    assert (await cid.delete(f"/users/{MAIJA}")).status == 200
    async with aiohttp.ClientSession() as http:
        async with http.post(emulator.url + "/__emulator/reset") as response:
            assert response.status == 200
            assert (await response.json())["status"] == "reset"
    assert (await cid.get(f"/organizations/{created.ids[0]}")).status == 404
    assert (await cid.get(f"/users/{MAIJA}")).attribute("login") == "maija.virtanen"


async def test_endpoints_lists_every_operation_with_hit_counts(emulator, cid):
    await cid.get(f"/users/{MAIJA}")
    await cid.get(f"/users/{MAIJA}/")
    async with aiohttp.ClientSession() as http:
        async with http.get(emulator.url + "/__emulator/endpoints") as response:
            listing = await response.json()
    assert listing["count"] == mounted_operations("customerid") + mounted_operations("dfs")
    by_code = {item["code"]: item for item in listing["endpoints"] if item["version"] == "2.1"}
    assert by_code["GET105"]["hits"] == 2
    assert by_code["GET105"]["path"] == "/customerid-rest/services/2.1/users/{userId}"
    assert by_code["PUT125"]["hits"] == 0
    spec_codes = set(vendored_lines("customerid-2.1-operation-codes.txt"))  # "REST API 2.1 - CustomerID"
    assert len(spec_codes) == 26
    assert spec_codes <= set(by_code), spec_codes - set(by_code)


async def test_two_emulators_in_one_process_do_not_share_state(emulator, aiohttp_server):
    other = await aiohttp_server(create_app(EmulatorConfig()))
    model = emulator.model()
    model.delete_user(MAIJA)
    async with emulator.session() as http:
        async with http.get(str(other.make_url(f"/customerid-rest/services/2.1/users/{MAIJA}"))) as response:
            assert response.status == 200


def test_configuration_from_environment_and_overrides():
    config = EmulatorConfig.from_environment(
        {"EMULATOR_HOST": "0.0.0.0", "EMULATOR_PORT": "9000", "EMULATOR_SCENARIOS": "a.yaml,b.yaml"}
    )
    assert (config.host, config.port, config.scenarios) == ("0.0.0.0", 9000, (Path("a.yaml"), Path("b.yaml")))
    config = EmulatorConfig.from_environment({"EMULATOR_PORT": "9000"}, port=9100)
    assert config.port == 9100 and config.host == "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, seconds: float = 20.0) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"emulator exited: {process.stdout.read()}")
        try:
            with urllib.request.urlopen(url + "/__emulator/health", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("emulator did not become healthy")


def test_command_line_serves_and_stops_cleanly_on_sigterm():
    port = free_port()
    environment = {**os.environ, "EMULATOR_PORT": str(port)}
    process = subprocess.Popen(
        [sys.executable, "-m", "emulator", "--scenario", str(DEFAULT_SCENARIO)],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_healthy(f"http://127.0.0.1:{port}", process)
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert f"listening on http://127.0.0.1:{port}" in output
    assert f"{mounted_operations('customerid')} operations mounted" in output
    assert f"{mounted_operations('dfs')} operations mounted" in output
    assert "users 9" in output


def test_command_line_refuses_an_invalid_scenario_naming_file_and_path(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("customerid:\n  users:\n    bob: {organization: acme, status: [1]}\n", encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "emulator",
            "--port",
            str(free_port()),
            "--scenario",
            str(DEFAULT_SCENARIO),
            "--scenario",
            str(bad),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "bad.yaml: customerid.users.bob.status" in result.stderr


@pytest.mark.parametrize("missing", ["nonexistent.yaml"])
def test_command_line_reports_a_missing_scenario_file(missing):
    result = subprocess.run(
        [sys.executable, "-m", "emulator", "--scenario", missing], cwd=ROOT, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2 and "nonexistent.yaml: cannot read" in result.stderr
