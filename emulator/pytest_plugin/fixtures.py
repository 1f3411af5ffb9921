"""The fixtures: ``emulator`` (async tests), ``emulator_sync`` (plain tests), and
the session-scoped pieces they share (baseline, app, background server).

In-process, the emulator app is built once per worker from the session's
scenarios and served per test by pytest-aiohttp on a free port of the test's own
loop; each test starts from a full in-process reset (measured fastest:
docs/pytest.md, "How fresh state is made"). Against ``--emulator-url`` see
external.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_asyncio

from ..app import create_app, default_apis
from ..config import DEFAULT_SCENARIO, EmulatorConfig
from ..scenarios import Baseline, load_baseline
from ..state import STATE
from .external import drop_namespace, external_handle, prepare_namespace
from .handle import EmulatorHandle
from .markers import apply_markers
from .options import configured_scenarios, external_url
from .report import register
from .sync_handle import SyncEmulatorHandle, _Portal


@pytest.fixture(scope="session")
def emulator_baseline(request: pytest.FixtureRequest) -> Baseline:
    """The scenarios every in-process test starts from, loaded once per worker."""
    paths = configured_scenarios(request.config) or [DEFAULT_SCENARIO]
    return load_baseline(paths, default_apis())


@pytest.fixture(scope="session")
def emulator_app(emulator_baseline: Baseline):
    """The in-process emulator app, built once per worker; tests reuse it after a full reset."""
    return create_app(EmulatorConfig(), baseline=emulator_baseline)


def _search_path(request: pytest.FixtureRequest) -> list[Path]:
    return [Path(str(request.path)).parent, Path(str(request.config.rootpath))]


async def _prepare(handle: EmulatorHandle, request: pytest.FixtureRequest) -> None:
    """Default scenarios (external emulator), then the test's markers."""
    if handle.external:
        await prepare_namespace(handle, request)
    await apply_markers(handle, request)


@pytest_asyncio.fixture
async def emulator(request: pytest.FixtureRequest, emulator_baseline: Baseline, emulator_app,
                   aiohttp_server) -> EmulatorHandle:
    """The emulator for an ``async def`` test: fresh state, ready auth, async helpers."""
    url = external_url(request.config)
    if url is not None:
        handle = external_handle(url, request, emulator_baseline, _search_path(request))
    else:
        app = emulator_app
        app[STATE].renew()
        # aiohttp remembers the loop an app first ran on; each test has its own loop and
        # nothing in the emulator holds on to it, so the app may move (3 ms saved per test).
        app._loop = None
        try:
            server = await aiohttp_server(app)
        except RuntimeError:  # an aiohttp that will not let an app move between loops: a fresh app (+3 ms)
            app = create_app(EmulatorConfig(), baseline=emulator_baseline)
            server = await aiohttp_server(app)
        handle = EmulatorHandle(str(server.make_url("")), app=app, baseline=emulator_baseline,
                                search=_search_path(request))
    register(request, handle)
    try:
        await _prepare(handle, request)
        yield handle
    finally:
        if handle.external:
            await drop_namespace(handle)
        await handle._control.close()


@pytest.fixture(scope="session")
def _emulator_portal():
    portal = _Portal()
    yield portal
    portal.close()


@pytest.fixture(scope="session")
def emulator_server(request: pytest.FixtureRequest, _emulator_portal: _Portal, emulator_baseline: Baseline):
    """The in-process emulator served from a background thread (its own loop) for
    sync tests: ``(app, url)``, one per worker. None against an external emulator."""
    if external_url(request.config) is not None:
        yield None
        return
    from aiohttp import web

    app = create_app(EmulatorConfig(), baseline=emulator_baseline)

    async def start():
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        return runner, f"http://127.0.0.1:{port}"

    runner, url = _emulator_portal.run(start())
    yield app, url
    _emulator_portal.run(runner.cleanup())


@pytest.fixture
def emulator_sync(request: pytest.FixtureRequest, _emulator_portal: _Portal, emulator_server,
                  emulator_baseline: Baseline) -> SyncEmulatorHandle:
    """The emulator for a plain ``def`` test (requests, httpx, urllib): the same
    helpers as ``emulator``, as ordinary calls."""
    url = external_url(request.config)
    if url is not None:
        handle = external_handle(url, request, emulator_baseline, _search_path(request))
    else:
        app, server_url = emulator_server

        async def renew():
            app[STATE].renew()

        _emulator_portal.run(renew())  # on the server's loop: no request sees half a reset
        handle = EmulatorHandle(server_url, app=app, baseline=emulator_baseline, search=_search_path(request))
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
