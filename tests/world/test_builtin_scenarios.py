"""Built-in scenarios (package data) are addressable by name wherever a scenario is
given; file paths still work; a missing one says where it looked and which names exist."""

import subprocess
import sys

import aiohttp
import pytest

from emulator.app import create_app, default_apis
from emulator.builtin_scenarios import ScenarioNotFound, builtin_scenarios, find_scenario
from emulator.config import DEFAULT_SCENARIO, EmulatorConfig
from emulator.world.scenarios import ScenarioError, load_baseline

BUILTIN = ["bulk-50k", "default", "dfs-bulk"]


def test_the_built_in_scenarios_are_package_data_next_to_the_code():
    assert sorted(builtin_scenarios()) == BUILTIN
    assert builtin_scenarios()["default"] == DEFAULT_SCENARIO and DEFAULT_SCENARIO.is_file()
    assert DEFAULT_SCENARIO.parent.name == "builtin_scenarios" and DEFAULT_SCENARIO.parent.parent.name == "emulator"


def test_a_name_finds_the_built_in_and_a_path_wins_over_a_name(tmp_path, monkeypatch):
    assert find_scenario("default") == DEFAULT_SCENARIO
    assert find_scenario("dfs-bulk.yaml") == builtin_scenarios()["dfs-bulk"]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "default").write_text("name: mine\n")
    assert find_scenario("default") == tmp_path.joinpath("default").relative_to(tmp_path)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "x.yaml").write_text("name: x\n")
    assert find_scenario("x.yaml", search=[tmp_path / "sub"]) == tmp_path / "sub" / "x.yaml"
    assert find_scenario("x", directories=[tmp_path / "sub"]) == tmp_path / "sub" / "x.yaml"


def test_a_missing_scenario_lists_the_places_looked_and_the_built_in_names(tmp_path):
    with pytest.raises(ScenarioNotFound) as caught:
        find_scenario("defualt", search=[tmp_path])
    message = str(caught.value)
    assert str(tmp_path / "defualt") in message and "bulk-50k, default, dfs-bulk" in message
    with pytest.raises(ScenarioError) as refused:  # the loader words it as a scenario error
        load_baseline(["no/such/file.yaml"], default_apis())
    assert refused.value.file == "no/such/file.yaml" and "built-in name: bulk-50k, default, dfs-bulk" in str(
        refused.value
    )


def test_load_baseline_and_the_environment_take_names():
    baseline = load_baseline(["default"], default_apis())
    assert baseline.files == (str(DEFAULT_SCENARIO),)
    config = EmulatorConfig.from_environment({"EMULATOR_SCENARIOS": "default"})
    app = create_app(config)
    from emulator.world.state import STATE

    assert app[STATE].baseline.files == (str(DEFAULT_SCENARIO),)


def test_cli_reports_a_missing_scenario_name_with_the_built_in_names():
    result = subprocess.run(
        [sys.executable, "-m", "emulator", "--scenario", "nonesuch", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "scenario error: nonesuch: cannot read" in result.stderr
    assert "bulk-50k, default, dfs-bulk" in result.stderr


async def test_control_api_loads_a_built_in_by_name_and_lists_them(emulator):
    async with aiohttp.ClientSession() as http:
        async with http.get(emulator.url + "/__emulator/scenarios") as response:
            listing = await response.json()
        assert [item["name"] for item in listing["available"]] == BUILTIN
        async with http.post(emulator.url + "/__emulator/scenarios?replace=true", json={"name": "default"}) as response:
            assert response.status == 200, await response.text()
            assert (await response.json())["scenarios"] == [str(DEFAULT_SCENARIO)]
        async with http.post(emulator.url + "/__emulator/scenarios", json={"name": "nonesuch"}) as response:
            assert response.status == 404
            problem = await response.json()
    assert "built-in scenarios (bulk-50k, default, dfs-bulk)" in problem["error"]
    assert problem["available"] == BUILTIN


def test_pytest_plugin_takes_built_in_names_in_ini_option_and_marker(pytester):
    pytester.makeini(
        "[pytest]\nasyncio_default_fixture_loop_scope = function\nemulator_scenarios =\n    default\n    extra.yaml\n"
    )
    pytester.makefile(".yaml", extra="customerid:\n  users:\n    eero: {organization: acme, login: eero.x}\n")
    pytester.makepyfile(
        test_names="""
import pytest


async def test_ini_names_and_files(emulator):
    assert emulator.id_of("user", "maija") and emulator.id_of("user", "eero")


@pytest.mark.emulator_scenario("default", replace=True)
async def test_marker_name(emulator):
    assert (await emulator.control("GET", "/scenarios"))["loaded"][-1].endswith("builtin_scenarios/default.yaml")
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    missing = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--emulator-scenario", "nonesuch")
    assert "bulk-50k, default, dfs-bulk" in missing.stdout.str() + missing.stderr.str()
