"""A project with its own ``emulator`` package: pytest stops with one line naming it
(identity_emulator_pytest.py, the pytest11 entry point), not an import traceback.

The inner runs load the entry point's module explicitly (``-p``, plugin autoload
off), so they test this checkout's module whatever the environment has installed;
``test_the_entry_point_is_that_module`` ties it to pyproject.toml. The installed
wheel's entry point meets the same project in .ci/package_check.py."""

import tomllib
from pathlib import Path

import pytest

import identity_emulator_pytest

ROOT = Path(__file__).resolve().parents[2]
LOAD_THE_ENTRY_POINT = ("-p", "identity_emulator_pytest", "-p", "pytest_asyncio.plugin", "-p", "no:cacheprovider")
OWN_TEST = "import emulator\n\ndef test_own():\n    assert emulator.OWN\n"


@pytest.fixture
def run(pytester, monkeypatch):
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # after the working directory, as site-packages would be

    def run_pytest(*arguments):
        result = pytester.runpytest_subprocess(*LOAD_THE_ENTRY_POINT, *arguments)
        return result, result.stdout.str() + result.stderr.str()

    return run_pytest


def own_package(where: Path) -> Path:
    package = where / "emulator"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("OWN = True\n")
    return package


def test_the_entry_point_is_that_module():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["entry-points"]["pytest11"] == {"emulator": "identity_emulator_pytest"}
    assert "identity_emulator_pytest" in project["tool"]["setuptools"]["py-modules"]


def test_an_own_emulator_package_first_on_sys_path_is_named_in_one_line(pytester, run):
    package = own_package(pytester.path)  # `python -m pytest` puts the working directory first
    pytester.makepyfile(test_own=OWN_TEST)
    result, output = run()
    assert result.ret == pytest.ExitCode.USAGE_ERROR, output
    assert (
        f"ERROR: identity-emulator: your project's own `emulator` package ({package}) shadows "
        "identity-emulator's `emulator` package, so its pytest plugin cannot load; rename your package, "
        "or run pytest with -p no:emulator to go without identity-emulator's fixtures"
    ) in output
    assert "Traceback" not in output and "No module named" not in output, output


def test_an_own_emulator_package_put_first_by_the_pythonpath_setting_is_named_too(pytester, run):
    package = own_package(pytester.path / "src")  # not importable when the plugin loads
    pytester.makeini("[pytest]\npythonpath = src\n")
    pytester.makepyfile(test_own=OWN_TEST)
    result, output = run()
    assert result.ret == pytest.ExitCode.USAGE_ERROR, output
    assert f"your project's own `emulator` package ({package}) shadows" in output
    assert "Traceback" not in output, output


def test_without_the_plugin_the_own_package_is_tested(pytester, monkeypatch):
    own_package(pytester.path)
    pytester.makepyfile(test_own=OWN_TEST)
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_a_project_without_one_gets_the_fixtures(pytester, run):
    pytester.makepyfile(test_fixture="def test_it(emulator_sync):\n    assert emulator_sync.url\n")
    result, output = run()
    result.assert_outcomes(passed=1)


def test_identity_emulators_own_package_is_not_a_shadow(tmp_path):
    assert identity_emulator_pytest.is_identity_emulator([ROOT / "emulator"])
    assert not identity_emulator_pytest.is_identity_emulator([ROOT / "tests"])  # has a pytest_plugin/ too
    assert not identity_emulator_pytest.is_identity_emulator([own_package(tmp_path)])
    assert not identity_emulator_pytest.is_identity_emulator([])
