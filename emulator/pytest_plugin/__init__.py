"""The emulator's pytest plugin (registered through the ``pytest11`` entry point
``emulator.pytest_plugin``; docs/pytest.md).

Two fixtures, one API: ``emulator`` for ``async def`` tests (helpers are
coroutines) and ``emulator_sync`` for plain ``def`` tests (the same helpers as
ordinary calls). In-process by default; with ``--emulator-url URL`` against an
emulator running elsewhere, each test in its own namespace.

One concern per module: options.py (command line and ini), markers.py
(``emulator_scenario`` / ``emulator_fault``), handle.py and sync_handle.py (what a
test gets), fixtures.py (how it gets it in-process), external.py (the
``--emulator-url`` mode), report.py (the journal in a failing test's report),
drift.py (``emulator_compare``: a recorded cassette replayed against the test's emulator).
"""

from __future__ import annotations

from .drift import emulator_compare
from .fixtures import (_emulator_portal, emulator, emulator_app, emulator_baseline, emulator_server,
                       emulator_sync)
from .handle import Clock, EmulatorCallError, EmulatorHandle, FaultHandle, fault_document, scenario_body
from .markers import pytest_configure, pytest_pycollect_makeitem
from .options import configured_scenarios, control_token, external_url, pytest_addoption
from .report import journal_lines, pytest_runtest_makereport
from .sync_handle import SyncEmulatorHandle

__all__ = [
    "Clock", "EmulatorCallError", "EmulatorHandle", "FaultHandle", "SyncEmulatorHandle",
    "configured_scenarios", "control_token", "emulator", "emulator_app", "emulator_baseline", "emulator_compare",
    "emulator_server", "emulator_sync", "external_url", "fault_document", "journal_lines",
    "pytest_addoption", "pytest_configure", "pytest_pycollect_makeitem", "pytest_runtest_makereport",
    "scenario_body", "_emulator_portal",
]
