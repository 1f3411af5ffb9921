"""The control API cannot be driven by a web page (docs/limits.md, "Security model"):
no state change from what a page may send without a CORS preflight, no answer to
a Host name it does not serve (DNS rebinding), no empty control token, nothing
about a namespace's faults in the open health answer to a caller without the token."""

from __future__ import annotations

import aiohttp
import pytest

from emulator.cli import main
from emulator.config import EmulatorConfig
from tests.support.control import ControlClient

FAULT = {"match": {"operation": "GET105"}, "action": {"status": 503}}
NO_TYPE = ("Content-Type",)
SAFELISTED = ("text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data")


async def raw(emulator, method: str, path: str, *, data=None, headers=None, skip=()) -> tuple[int, dict]:
    """A request as a page or a hand-written client sends it (``skip``: headers aiohttp
    would add, such as the Content-Type: application/octet-stream of a bodiless POST)."""
    async with (
        aiohttp.ClientSession(skip_auto_headers=skip) as session,
        session.request(method, emulator.url + "/__emulator" + path, data=data, headers=headers) as response,
    ):
        assert response.content_type == "application/json", response.content_type
        return response.status, await response.json()


# -- content types --------------------------------------------------------------------------------


@pytest.mark.parametrize("content_type", SAFELISTED)
async def test_a_json_body_sent_as_a_safelisted_type_is_refused_and_changes_nothing(emulator, control, content_type):
    status, problem = await raw(
        emulator, "POST", "/faults", data=b'{"action": {"status": 503}}', headers={"Content-Type": content_type}
    )
    assert (status, problem["where"]) == (415, "Content-Type"), problem
    assert "application/json" in problem["error"]
    assert (await control.get("/faults"))["faults"] == []


async def test_a_body_without_a_content_type_is_refused(emulator, control):
    status, problem = await raw(emulator, "POST", "/faults", data=b'{"action": {}}', skip=NO_TYPE)
    assert (status, problem["where"]) == (415, "Content-Type"), problem
    assert (await control.get("/faults"))["faults"] == []


async def test_json_and_yaml_bodies_are_taken(emulator, control):
    fault = b'{"action": {"status": 503}}'
    assert (await raw(emulator, "POST", "/faults", data=fault, headers={"Content-Type": "application/json"}))[0] == 201
    yaml_status, _ = await raw(
        emulator, "POST", "/scenarios", data=b"customerid: {}\n", headers={"Content-Type": "application/yaml"}
    )
    assert yaml_status == 200


async def test_a_bodiless_post_from_another_origin_is_refused(emulator, control):
    await control.add_fault(**FAULT)
    status, problem = await raw(emulator, "POST", "/reset", headers={"Origin": "http://evil.example"}, skip=NO_TYPE)
    assert (status, problem["where"]) == (403, "Origin"), problem
    assert len((await control.get("/faults"))["faults"]) == 1  # not reset


async def test_a_bodiless_post_from_a_client_or_the_dashboard_is_taken(emulator):
    assert (await raw(emulator, "POST", "/reset", skip=NO_TYPE))[0] == 200  # curl -X POST $E/reset
    own_origin = emulator.url  # the dashboard, served by the emulator itself
    assert (await raw(emulator, "POST", "/reset", headers={"Origin": own_origin}, skip=NO_TYPE))[0] == 200


async def test_a_bodiless_post_from_an_origin_allowed_by_cors_is_taken(make_emulator):
    emulator = await make_emulator(cors_origins=("http://app.example",))
    assert (await raw(emulator, "POST", "/reset", headers={"Origin": "http://app.example"}, skip=NO_TYPE))[0] == 200
    assert (await raw(emulator, "POST", "/reset", headers={"Origin": "http://evil.example"}, skip=NO_TYPE))[0] == 403


# -- Host --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8080", "127.0.0.1.evil.example"])
async def test_a_host_the_emulator_does_not_serve_is_refused(emulator, control, host):
    await control.add_fault(**FAULT)
    for method, path in (("GET", "/health"), ("GET", "/faults"), ("DELETE", "/faults")):
        status, problem = await raw(emulator, method, path, headers={"Host": host})
        assert (status, problem["where"]) == (403, "Host"), (method, path, problem)
        assert "--allowed-hosts" in problem["error"]
    assert len((await control.get("/faults"))["faults"]) == 1


@pytest.mark.parametrize("host", ["localhost", "localhost:8080", "127.0.0.1:1", "[::1]:8080", "LOCALHOST."])
async def test_loopback_names_are_served_with_any_port(emulator, host):
    assert (await raw(emulator, "GET", "/faults", headers={"Host": host}))[0] == 200


async def test_configured_host_names_are_served(make_emulator):
    emulator = await make_emulator(allowed_hosts=("emulator",))
    assert (await raw(emulator, "GET", "/faults", headers={"Host": "emulator:8080"}))[0] == 200
    assert (await raw(emulator, "GET", "/faults", headers={"Host": "localhost"}))[0] == 200
    assert (await raw(emulator, "GET", "/faults", headers={"Host": "other"}))[0] == 403


@pytest.mark.parametrize("config", [{"host": "0.0.0.0"}, {"allowed_hosts": ("*",)}])
async def test_a_sidecar_on_all_interfaces_or_a_star_serves_any_host(make_emulator, config):
    emulator = await make_emulator(**config)
    assert (await raw(emulator, "GET", "/faults", headers={"Host": "emulator:8080"}))[0] == 200


def test_control_hosts_follow_the_listening_address_and_the_option():
    loopback = {"localhost", "127.0.0.1", "[::1]"}
    assert EmulatorConfig().control_hosts == loopback
    assert EmulatorConfig(host="::1").control_hosts == loopback
    assert EmulatorConfig(host="0.0.0.0").control_hosts is None
    assert EmulatorConfig(host="0.0.0.0", allowed_hosts=("emulator",)).control_hosts == loopback | {"emulator"}
    environ = {"EMULATOR_ALLOWED_HOSTS": "Emulator:8080, ci.example ,"}
    assert EmulatorConfig.from_environment(environ).allowed_hosts == ("emulator", "ci.example")


async def test_the_emulated_apis_answer_any_host(emulator):
    async with (
        aiohttp.ClientSession() as session,
        session.get(emulator.url + "/connect/token", headers={"Host": "emulator"}) as response,
    ):
        assert response.status == 405  # the identity server's own answer, not the control API's refusal


# -- the control token ------------------------------------------------------------------------------


@pytest.mark.parametrize("token", ["", "  "])
def test_an_empty_control_token_is_refused_at_start_up(token, capsys, monkeypatch):
    with pytest.raises(ValueError, match="empty"):
        EmulatorConfig(control_token=token)
    with pytest.raises(ValueError, match="empty"):
        EmulatorConfig.from_environment({"EMULATOR_CONTROL_TOKEN": token})
    monkeypatch.delenv("EMULATOR_CONTROL_TOKEN", raising=False)
    assert main(["--control-token", token, "--port", "0"]) == 2
    assert "EMULATOR_CONTROL_TOKEN is empty" in capsys.readouterr().err


# -- the open health answer ----------------------------------------------------------------------------


async def test_health_without_the_token_says_nothing_about_a_namespaces_faults(make_emulator):
    emulator = await make_emulator(control_token="t0ken")
    async with aiohttp.ClientSession() as session:
        owner = ControlClient(emulator, session, namespace="team-b", headers={"Authorization": "Bearer t0ken"})
        await owner.add_fault(**FAULT, id="secret-fault")
        stranger = ControlClient(emulator, session, namespace="team-b")
        answer = await stranger.get("/health")
        assert answer["status"] == "ok" and answer["faults"] == 1 and answer["token_required"] is True
        assert "secret-fault" not in str(answer) and "GET105" not in str(answer)
        assert not {"scenarios", "counts", "journal", "clock", "memory"} & set(answer)
        full = await owner.get("/health")
        assert [fault["id"] for fault in full["faults"]] == ["secret-fault"]


async def test_health_without_a_token_configured_is_whole(control):
    await control.add_fault(**FAULT)
    answer = await control.get("/health")
    assert len(answer["faults"]) == 1 and "counts" in answer and "token_required" not in answer
