"""The package as a user gets it (issue 10): the wheel carries every data file the
code reads, the sdist can rebuild it, the metadata is complete, and the pytest11
entry point is light and quiet. (The installed wheel serving and running
examples/user-project in a throwaway venv is `make test-package`, part of `make test`.)"""

import email
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import emulator

ROOT = Path(__file__).resolve().parents[2]
DATA_SUFFIXES = {".yaml", ".yml", ".xsd", ".json", ".typed", ".html", ".js", ".css", ".png", ".txt", ".md"}
DATA_NAMES = {"LICENSE", "NOTICE"}  # of vendored assets


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out


def wheel_names(dist: Path) -> list[str]:
    return zipfile.ZipFile(next(dist.glob("*.whl"))).namelist()


def test_the_wheel_carries_every_data_file_the_package_has(dist):
    names = set(wheel_names(dist))
    data = [
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "emulator").rglob("*")
        if (path.suffix in DATA_SUFFIXES or path.name in DATA_NAMES) and "__pycache__" not in path.parts
    ]
    assert {
        "emulator/builtin_scenarios/default.yaml",
        "emulator/builtin_scenarios/bulk-50k.yaml",
        "emulator/builtin_scenarios/dfs-bulk.yaml",
        "emulator/control/control-openapi.yaml",
        "emulator/customerid/endpoints.yaml",
        "emulator/dfs/endpoints.yaml",
        "emulator/py.typed",
    } <= set(data)
    assert any(name.endswith(".xsd") for name in data)  # the CustomerID XML Schemas
    assert any(name.startswith("emulator/dfs/schemas/") for name in data)  # the DFS JSON Schemas
    assert set(data) <= names, set(data) - names
    assert not any(name.startswith(("tests/", "scenarios/", "fixtures/")) for name in names)


def test_wheel_metadata_license_classifiers_one_version_and_extras(dist):
    wheel = zipfile.ZipFile(next(dist.glob("*.whl")))
    info = next(name.split("/")[0] for name in wheel.namelist() if name.endswith(".dist-info/METADATA"))
    metadata = email.message_from_bytes(wheel.read(f"{info}/METADATA"))
    assert metadata["Version"] == emulator.__version__
    assert metadata["License-Expression"] == "MIT"
    assert f"{info}/licenses/LICENSE" in wheel.namelist()
    assert "identity-emulator contributors" in wheel.read(f"{info}/licenses/LICENSE").decode()
    # No Project-URL until the project has a public home: an invented address would mislead.
    assert metadata.get_all("Project-URL") is None
    assert {"Framework :: Pytest", "Typing :: Typed"} <= set(metadata.get_all("Classifier"))
    requires = metadata.get_all("Requires-Dist")
    serving = [line for line in requires if "extra ==" not in line]
    assert not any(line.lower().startswith("pytest") for line in serving), serving  # serving needs no pytest
    assert any(line.startswith("pytest-asyncio") and 'extra == "pytest"' in line for line in requires)
    entry_points = wheel.read(f"{info}/entry_points.txt").decode()
    assert "[pytest11]\nemulator = identity_emulator_pytest" in entry_points
    assert "identity_emulator_pytest.py" in wheel.namelist()
    assert "emulator = emulator.cli:main" in entry_points


def test_the_sdist_holds_what_rebuilds_the_wheel_and_runs_the_tests(dist):
    with tarfile.open(next(dist.glob("*.tar.gz"))) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {
        "pyproject.toml",
        "LICENSE",
        "README.md",
        "Makefile",
        "MANIFEST.in",
        "tests/conftest.py",
        "tests/data/customerid-2.1-operation-codes.txt",
        "tests/data/dfs-documented-operations.txt",
        "tests/data/customerid-2.1-curl-examples.txt",
        "tests/data/customerid-1.0-curl-examples.txt",
        "tests/data/dfs-request-samples.json",
        "examples/user-project/pyproject.toml",
        "emulator/builtin_scenarios/default.yaml",
        ".ci/package_check.py",
        "requirements/run.txt",
        "requirements/test.txt",
        "identity_emulator_pytest.py",
    } <= names
    assert any(name.startswith("fixtures/customerid/") for name in names)
    assert not any(name.endswith(".pyc") for name in names)
    source = {
        path.relative_to(ROOT).as_posix()
        for folder in ("emulator", "tests", "fixtures", "docs", "examples", ".ci")
        for path in (ROOT / folder).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    assert source <= names, sorted(source - names)  # every file of those folders travels


def test_the_entry_point_imports_only_what_every_pytest_run_can_afford():
    probe = (
        "import sys, identity_emulator_pytest, emulator.pytest_plugin as plugin; "
        "heavy = [m for m in ('pytest_asyncio', 'emulator.pytest_plugin.fixtures', 'emulator.app', "
        "'aiohttp.test_utils') if m in sys.modules]; print(heavy)"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr


def test_without_the_pytest_extra_the_plugin_is_quiet_and_a_fixture_says_what_to_install(pytester, monkeypatch):
    shadow = pytester.mkdir("shadow")
    (shadow / "pytest_asyncio").mkdir()
    (shadow / "pytest_asyncio" / "__init__.py").write_text("raise ImportError('not installed (simulated)')\n")
    pytester.makepyfile(
        test_plain="def test_plain():\n    pass\n", test_wants="def test_wants(emulator_sync):\n    pass\n"
    )
    monkeypatch.setenv("PYTHONPATH", str(shadow))
    quiet = pytester.runpytest_subprocess(
        "-p", "no:asyncio", "-p", "no:aiohttp", "-p", "no:cacheprovider", "-W", "error", "test_plain.py"
    )
    quiet.assert_outcomes(passed=1)
    told = pytester.runpytest_subprocess(
        "-p", "no:asyncio", "-p", "no:aiohttp", "-p", "no:cacheprovider", "test_wants.py"
    )
    told.assert_outcomes(errors=1)
    assert (
        "the emulator_sync fixture needs the emulator's pytest extra (pytest_asyncio is not installed): "
        "pip install 'identity-emulator[pytest]'"
    ) in told.stdout.str()


def test_no_asyncio_loop_scope_warning_in_a_project_without_pytest_configuration(pytester):
    pytester.makepyfile(test_one="async def test_one(emulator):\n    assert emulator.url\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "error::DeprecationWarning")
    result.assert_outcomes(passed=1)
    assert "PytestDeprecationWarning" not in result.stdout.str() + result.stderr.str()


def test_a_project_that_chose_its_loop_scope_keeps_it(pytester):
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = module\n")
    pytester.makepyfile(
        test_one="def test_one(pytestconfig):\n"
        "    assert pytestconfig.getini('asyncio_default_fixture_loop_scope') == 'module'\n"
    )
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)
