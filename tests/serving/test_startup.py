"""What keeps start-up short (docs/performance.md, "Start-up"): libraries a
plain start does not need stay unimported, package YAML is read by libyaml with the same
result, a cached baseline needs no scenario validation, the collector is back on after
serving, and the run keys made by the background warm-up are the keys requests use."""

import gc
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml

from emulator import cli
from emulator.app import default_apis
from emulator.auth import signing
from emulator.formats.packagedata import read_yaml
from emulator.world.scenarios import load_baseline

PACKAGE = Path(__file__).resolve().parents[2] / "emulator"

# Imported on first use only: xmlschema (the OpenAPI document, --contract), PyJWT and
# cryptography (tokens), Faker (generated data).
NOT_AT_START = ("xmlschema", "jwt", "cryptography", "faker")


def modules_after(code: str, environment: dict | None = None) -> set[str]:
    script = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(environment or {})},
    )
    assert result.returncode == 0, result.stderr
    return {name.split(".")[0] for name in json.loads(result.stdout.splitlines()[-1])}


def test_create_app_imports_no_token_xsd_or_faker_library():
    loaded = modules_after("from emulator.app import create_app\ncreate_app()")
    assert not loaded & set(NOT_AT_START), loaded & set(NOT_AT_START)


def test_a_baseline_read_from_the_cache_needs_no_jsonschema(tmp_path):
    code = (
        "from emulator.app import create_app, default_apis\n"
        "from emulator.world.baselinecache import load_baseline_cached\n"
        "apis = default_apis()\n"
        "create_app(apis=apis, baseline=load_baseline_cached(['default'], apis))"
    )
    environment = {"EMULATOR_CACHE_DIR": str(tmp_path), "EMULATOR_BASELINE_CACHE": "1"}
    assert "jsonschema" in modules_after(code, environment)  # the first start validates and fills the cache
    assert list(tmp_path.glob("baseline-*.pickle"))
    second = modules_after(code, environment)
    assert not second & {"jsonschema", "referencing", "yaml", *NOT_AT_START}  # package YAML: packagedata's cache


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.yaml")), ids=lambda path: str(path.relative_to(PACKAGE)))
def test_package_yaml_reads_as_the_pure_python_loader_reads_it(path, tmp_path, monkeypatch):
    monkeypatch.setenv("EMULATOR_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("EMULATOR_BASELINE_CACHE", raising=False)
    expected = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    assert read_yaml(path) == expected  # parsed by libyaml
    assert read_yaml(path) == expected  # read back from the cache


def test_package_yaml_is_parsed_once_per_content_and_again_when_the_cache_is_damaged(tmp_path, monkeypatch):
    monkeypatch.setenv("EMULATOR_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("EMULATOR_BASELINE_CACHE", raising=False)
    parses = []
    real_load = yaml.load
    monkeypatch.setattr(yaml, "load", lambda *args, **kwargs: parses.append(1) or real_load(*args, **kwargs))
    table = tmp_path / "table.yaml"
    table.write_text("api: t\nversions: [1, 2]\n")
    assert read_yaml(table) == read_yaml(table) == {"api": "t", "versions": [1, 2]}
    assert len(parses) == 1
    table.write_text("api: u\n")  # other content, another entry
    assert read_yaml(table) == {"api": "u"} and len(parses) == 2
    for cached in (tmp_path / "cache").glob("package-*.marshal"):
        cached.write_bytes(b"\xff damaged")
    assert read_yaml(table) == {"api": "u"} and len(parses) == 3
    monkeypatch.setenv("EMULATOR_BASELINE_CACHE", "0")  # the cache switched off: always parsed
    assert read_yaml(table) == {"api": "u"} and len(parses) == 4


def test_main_serve_turns_the_collector_back_on_when_it_returns():
    assert gc.isenabled()
    assert cli.main_serve(["--port", "0", "--scenario", "nonesuch"]) == 2
    assert gc.isenabled()


def test_run_key_is_made_once_however_many_threads_ask(monkeypatch):
    monkeypatch.setattr(signing, "_RUN_KEYS", {})
    made = []
    start = threading.Barrier(4)

    def ask():
        start.wait()
        made.append(signing.run_key("test-server"))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(key) for key in made}) == 1


def test_warm_up_makes_the_keys_the_token_servers_sign_with(monkeypatch):
    from emulator.customerid.sso.model import signing_key as sso_key
    from emulator.dfs.auth import signing_key as dfs_key

    monkeypatch.setattr(signing, "_RUN_KEYS", {})
    apis = default_apis()
    baseline = load_baseline(["default"], apis)
    state = type("State", (), {"apis": {api.name: api for api in apis}, "baseline": baseline})()
    cli._warm_up(state)
    assert set(signing._RUN_KEYS) == {"customerid-sso", "dfs-identity"}
    assert dfs_key(baseline.settings["dfs"]) is signing._RUN_KEYS["dfs-identity"]
    assert sso_key(baseline.settings["customerid"].sso) is signing._RUN_KEYS["customerid-sso"]
