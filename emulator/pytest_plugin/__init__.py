"""The emulator's pytest plugin (docs/pytest.md), loaded by the ``pytest11`` entry
point ``identity_emulator_pytest`` once it has checked that ``emulator`` is this package.

Two fixtures, one API: ``emulator`` for ``async def`` tests (helpers are
coroutines) and ``emulator_sync`` for plain ``def`` tests (the same helpers as
ordinary calls). In-process by default, on the built-in ``default`` scenario;
with ``--emulator-url URL`` against an emulator running elsewhere, each test in
its own namespace.

The entry point is loaded in every pytest run of an environment that has the
package, so this module imports only pytest and the plugin's own light modules.
The fixtures need pytest-asyncio (the ``identity-emulator[pytest]`` extra); they
are registered at configure time when it is there, and stand-ins that say what
to install when it is not.

One concern per module: options.py (command line and ini), markers.py
(``emulator_scenario`` / ``emulator_fault``), handle.py and sync_handle.py (what a
test gets), fixtures.py (how it gets it in-process), external.py (the
``--emulator-url`` mode), report.py (the journal in a failing test's report),
drift.py (``emulator_compare``: a recorded cassette replayed against the test's
emulator), missing_extra.py (the stand-ins).

May import: ``emulator.drift`` and everything below it (a top layer, beside
``emulator.cli``, which it never imports).
"""

from __future__ import annotations

import functools
import importlib

import pytest

from .markers import check_marker_use, mark_asyncio, register_markers
from .options import control_token, external_url, pytest_addoption  # noqa: F401 (a hook)

PLUGIN_NAME = "emulator-fixtures"
# What the fixtures import beyond the serving dependencies
NEEDED = ("pytest_asyncio",)
LOOP_SCOPE = "asyncio_default_fixture_loop_scope"


@functools.lru_cache(maxsize=1)
def _missing() -> str | None:
    for name in NEEDED:
        try:
            importlib.import_module(name)  # pytest loads it anyway when it is installed
        except ImportError:
            return name
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    register_markers(config)
    missing = _missing()
    if missing is not None:
        from . import missing_extra

        missing_extra.missing = missing
        config.pluginmanager.register(missing_extra, PLUGIN_NAME)
        return
    _default_loop_scope(config)
    from . import drift, fixtures, pact, report

    config.pluginmanager.register(fixtures, PLUGIN_NAME)
    config.pluginmanager.register(drift, "emulator-drift")
    config.pluginmanager.register(pact, "emulator-pact")
    config.pluginmanager.register(report, "emulator-report")


def _default_loop_scope(config: pytest.Config) -> None:
    """pytest-asyncio warns (PytestDeprecationWarning) in every run that leaves its
    fixture loop scope unset; the emulator's fixtures are function-scoped, so a
    project that did not choose gets "function" (pytest-asyncio's own future
    default) instead of a warning. A project's own setting is left alone."""
    try:
        chosen = config.getini(LOOP_SCOPE)
    except ValueError:  # an older pytest-asyncio without the option
        return
    if not chosen:
        config._inicache[LOOP_SCOPE] = "function"


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector, name, obj):
    if _missing() is None:
        mark_asyncio(collector, name, obj)
    return None


def pytest_sessionstart(session: pytest.Session) -> None:
    """Against a sidecar: one clear line before any test when nothing answers there
    (the xdist controller checks; its workers then trust it)."""
    config = session.config
    url = external_url(config)
    if url is not None and not hasattr(config, "workerinput"):
        from .external import check_reachable

        check_reachable(url, control_token(config))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Against a sidecar: the finished tests' namespaces are deleted in the
    background (external.py); the session waits (bounded) for the last of them."""
    if external_url(session.config) is not None:
        from .external import flush_namespace_drops

        flush_namespace_drops()


def pytest_runtest_setup(item: pytest.Item) -> None:
    check_marker_use(item)


def __getattr__(name: str):
    """``from emulator.pytest_plugin import EmulatorHandle`` (and the other public
    classes) without importing them for every pytest run."""
    public = {
        "EmulatorHandle": "handle",
        "EmulatorCallError": "handle",
        "FaultHandle": "handle",
        "Clock": "handle",
        "UnknownScenarioKey": "handle",
        "fault_document": "handle",
        "scenario_body": "handle",
        "SyncEmulatorHandle": "sync_handle",
        "journal_lines": "report",
        "configured_scenarios": "options",
    }
    if name in public:
        module = importlib.import_module(f".{public[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
