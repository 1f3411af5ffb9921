"""The fixtures: ``emulator`` (async tests), ``emulator_sync`` (plain tests), and
the session-scoped pieces they share in-process (baseline, app, background server).

In-process, the emulator app is built once per worker from the session's
scenarios (the built-in ``default`` unless configured) and served per test on a
free port of the test's own loop; each test starts from a full in-process reset
(measured fastest: docs/pytest.md, "How fresh state is made"). Against
``--emulator-url`` nothing of that is built (external.py).

Imported only when pytest-asyncio is installed (the ``identity-emulator[pytest]``
extra): see __init__.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestServer

from ..app import create_app, default_apis
from ..config import DEFAULT_SCENARIO, EmulatorConfig
from ..testing.embedded import serve
from ..testing.handle import EmulatorHandle
from ..testing.sync_handle import SyncEmulatorHandle, _Portal
from ..world.scenarios import Baseline, load_baseline
from ..world.state import STATE
from .external import drop_namespace, external_handle, prepare_namespace
from .markers import apply_markers
from .options import configured_scenarios, contract_mode, external_url
from .report import register


@pytest.fixture(scope="session")
def emulator_baseline(request: pytest.FixtureRequest) -> Baseline:
    """The scenarios every in-process test starts from, loaded once per worker."""
    paths = configured_scenarios(request.config) or [DEFAULT_SCENARIO]
    return load_baseline(paths, default_apis())


def _config(config: pytest.Config) -> EmulatorConfig:
    return EmulatorConfig(contract=contract_mode(config))


@pytest.fixture(scope="session")
def emulator_app(request: pytest.FixtureRequest, emulator_baseline: Baseline):
    """The in-process emulator app, built once per worker; tests reuse it after a full reset."""
    return create_app(_config(request.config), baseline=emulator_baseline)


def _search_path(request: pytest.FixtureRequest) -> list[Path]:
    return [Path(str(request.path)).parent, Path(str(request.config.rootpath))]


async def _prepare(handle: EmulatorHandle, request: pytest.FixtureRequest) -> None:
    """Default scenarios (external emulator), then the test's markers."""
    if handle.external:
        await prepare_namespace(handle, request)
    await apply_markers(handle, request)


async def _serve_in_process(request: pytest.FixtureRequest) -> tuple[EmulatorHandle, TestServer]:
    app = request.getfixturevalue("emulator_app")
    baseline = request.getfixturevalue("emulator_baseline")
    app[STATE].renew()
    # aiohttp remembers the loop an app first ran on; each test has its own loop and
    # nothing in the emulator holds on to it, so the app may move (3 ms saved per test).
    app._loop = None
    server = TestServer(app, host="127.0.0.1", port=0)
    try:
        await server.start_server()
    except RuntimeError:  # an aiohttp that will not let an app move between loops: a fresh app (+3 ms)
        app = create_app(_config(request.config), baseline=baseline)
        server = TestServer(app, host="127.0.0.1", port=0)
        await server.start_server()
    handle = EmulatorHandle(str(server.make_url("")), app=app, baseline=baseline, search=_search_path(request))
    return handle, server


@pytest_asyncio.fixture
async def emulator(request: pytest.FixtureRequest) -> EmulatorHandle:
    """The emulator for an ``async def`` test: fresh state, ready auth, async helpers."""
    url = external_url(request.config)
    server = None
    if url is not None:
        handle = external_handle(url, request, _search_path(request))
    else:
        handle, server = await _serve_in_process(request)
    register(request, handle)
    try:
        await _prepare(handle, request)
        yield handle
    finally:
        if handle.external:
            await drop_namespace(handle)
        await handle._control.close()
        if server is not None:
            await server.close()


@pytest.fixture(scope="session")
def _emulator_portal():
    portal = _Portal()
    yield portal
    portal.close()


@pytest.fixture(scope="session")
def emulator_server(request: pytest.FixtureRequest, _emulator_portal: _Portal, emulator_baseline: Baseline):
    """The in-process emulator served from a background thread (its own loop) for
    sync tests: ``(app, url)``, one per worker."""
    app = create_app(_config(request.config), baseline=emulator_baseline)
    runner, url = _emulator_portal.run(serve(app))
    yield app, url
    _emulator_portal.run(runner.cleanup())


@pytest.fixture
def emulator_sync(request: pytest.FixtureRequest, _emulator_portal: _Portal) -> SyncEmulatorHandle:
    """The emulator for a plain ``def`` test (requests, httpx, urllib): the same
    helpers as ``emulator``, as ordinary calls."""
    url = external_url(request.config)
    if url is not None:
        handle = external_handle(url, request, _search_path(request))
    else:
        app, server_url = request.getfixturevalue("emulator_server")

        async def renew():
            app[STATE].renew()

        _emulator_portal.run(renew())  # on the server's loop: no request sees half a reset
        handle = EmulatorHandle(
            server_url, app=app, baseline=request.getfixturevalue("emulator_baseline"), search=_search_path(request)
        )
        handle._threaded = True
    sync = SyncEmulatorHandle(handle, _emulator_portal)
    register(request, sync)
    try:
        _emulator_portal.run(_prepare(handle, request))
        yield sync
    finally:
        if handle.external:
            _emulator_portal.run(drop_namespace(handle))
        _emulator_portal.run(handle._control.close())
