"""The plugin's command-line options and ini keys, and what they resolve to."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ..builtin_scenarios import find_scenario
from ..config import CONTRACT_MODES


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("emulator", "identity emulator (CustomerID / DFS)")
    group.addoption(
        "--emulator-url",
        dest="emulator_url",
        metavar="URL",
        help="use the emulator running at URL (a sidecar) instead of an in-process one; "
        "each test gets its own namespace (ini emulator_url, env EMULATOR_URL)",
    )
    group.addoption(
        "--emulator-scenario",
        dest="emulator_scenarios",
        action="append",
        metavar="FILE|NAME",
        help="scenario file, or built-in scenario name (default, bulk-50k, dfs-bulk), every test "
        "starts from; repeat for several (ini emulator_scenarios; default: the built-in "
        "default, or the external emulator's own)",
    )
    group.addoption(
        "--emulator-control-token",
        dest="emulator_control_token",
        metavar="TOKEN",
        help="control token of the external emulator (ini emulator_control_token, env EMULATOR_CONTROL_TOKEN)",
    )
    group.addoption(
        "--emulator-contract",
        dest="emulator_contract",
        choices=CONTRACT_MODES,
        help="check every answer of the in-process emulator against the APIs' XSDs / OpenAPI "
        "document: off (default), warn (violations on the journal and in the failure "
        "report) or strict (answer 500 naming them); ini emulator_contract, env "
        "EMULATOR_CONTRACT",
    )
    group.addoption(
        "--emulator-pact-dir",
        dest="emulator_pact_dir",
        metavar="DIR",
        help="write one Pact V4 file of the session's traffic to the in-process emulators into DIR (docs/pact.md)",
    )
    group.addoption(
        "--emulator-pact-consumer",
        dest="emulator_pact_consumer",
        metavar="NAME",
        help="the consumer name in that pact (default: the rootdir's name)",
    )
    group.addoption(
        "--emulator-pact-provider",
        dest="emulator_pact_provider",
        default="identity-emulator",
        metavar="NAME",
        help="the provider name in that pact (default: identity-emulator)",
    )
    group.addoption(
        "--emulator-har-dir",
        dest="emulator_har_dir",
        metavar="DIR",
        help="write the emulator's journal as a HAR 1.2 file (one per failing test, named after it) "
        "into DIR, for a browser's developer tools (ini emulator_har_dir)",
    )
    parser.addini("emulator_har_dir", "directory for failing tests' HAR files (as --emulator-har-dir)", default="")
    parser.addini("emulator_contract", "off, warn or strict (as --emulator-contract)", default="")
    parser.addini(
        "emulator_scenarios",
        "scenario files (relative to the rootdir) or built-in scenario names every test starts from",
        type="linelist",
        default=[],
    )
    parser.addini("emulator_url", "URL of an external emulator (as --emulator-url)", default="")
    parser.addini("emulator_control_token", "control token of the external emulator", default="")


def external_url(config: pytest.Config) -> str | None:
    url = config.getoption("emulator_url") or config.getini("emulator_url") or os.environ.get("EMULATOR_URL")
    return url.rstrip("/") if url else None


def har_dir(config: pytest.Config) -> Path | None:
    """--emulator-har-dir, else the ini's emulator_har_dir (relative to the rootdir)."""
    given = config.getoption("emulator_har_dir") or config.getini("emulator_har_dir")
    return Path(str(config.rootpath)) / given if given else None


def control_token(config: pytest.Config) -> str | None:
    return (
        config.getoption("emulator_control_token")
        or config.getini("emulator_control_token")
        or os.environ.get("EMULATOR_CONTROL_TOKEN")
        or None
    )


def contract_mode(config: pytest.Config) -> str:
    """--emulator-contract, else the ini's emulator_contract, else EMULATOR_CONTRACT, else off."""
    mode = (
        config.getoption("emulator_contract")
        or config.getini("emulator_contract").strip()
        or os.environ.get("EMULATOR_CONTRACT", "").strip()
        or "off"
    ).lower()
    if mode not in CONTRACT_MODES:
        raise pytest.UsageError(f"emulator_contract / EMULATOR_CONTRACT = {mode!r}: one of {', '.join(CONTRACT_MODES)}")
    return mode


def scenario_entries(config: pytest.Config) -> list[str]:
    """The scenarios as configured: file paths or built-in names, in order."""
    return list(config.getoption("emulator_scenarios") or config.getini("emulator_scenarios"))


def configured_scenarios(config: pytest.Config) -> list[Path]:
    """The configured scenarios as files: relative to the rootdir, or built-in names
    ("default"); a ScenarioNotFound names the places looked."""
    root = Path(str(config.rootpath))
    return [find_scenario(entry, search=[root]) for entry in scenario_entries(config)]
