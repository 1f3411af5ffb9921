"""The fixtures: ``emulator`` (async tests), ``emulator_sync`` (plain tests), and
the session-scoped pieces they share in-process (baseline, app, background server).

In-process, the emulator app is built once per worker from the session's
scenarios (the built-in ``default`` unless configured) and served by one server
per worker, on a loop in a background thread; async and plain tests alike reach
it over real HTTP, and each starts from a full in-process reset (docs/pytest.md,
"How fresh state is made"). Nothing is started or stopped per test. Against
``--emulator-url`` nothing of that is built (external.py).

Imported only when pytest-asyncio is installed (the ``identity-emulator[pytest]``
extra): see __init__.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from ..app import create_app, default_apis
from ..config import DEFAULT_SCENARIO, EmulatorConfig
from ..testing.embedded import serve, serve_https
from ..testing.handle import EmulatorHandle
from ..testing.sync_handle import SyncEmulatorHandle, _Portal
from ..world.scenarios import Baseline, load_baseline
from ..world.state import STATE
from .external import drop_namespace_later, external_handle, prepare_namespace
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
    """The in-process emulator app, built once per worker and served by
    ``emulator_server``; tests reuse it after a full reset."""
    return create_app(_config(request.config), baseline=emulator_baseline)


def _search_path(request: pytest.FixtureRequest) -> list[Path]:
    return [request.path.parent, request.config.rootpath]


async def _prepare(handle: EmulatorHandle, request: pytest.FixtureRequest) -> None:
    """Default scenarios (external emulator), then the test's markers."""
    if handle.external:
        await prepare_namespace(handle, request)
    await apply_markers(handle, request)


# The worker's in-process pieces, looked up once: pytest's fixture lookup costs
# more per test than renewing the state does.
_SERVED = pytest.StashKey[tuple]()
# The in-process server's HTTPS address and the CA file that vouches for it
_HTTPS = pytest.StashKey[tuple]()


def _in_process_handle(request: pytest.FixtureRequest) -> EmulatorHandle:
    """A fresh start on the worker's one in-process server: the default namespace
    renewed from the baseline on the server's own loop (no request sees half a
    reset), and a handle for this test. Nothing is started or stopped per test."""
    served = request.config.stash.get(_SERVED, None)
    if served is None:
        app, server_url = request.getfixturevalue("emulator_server")
        served = request.config.stash[_SERVED] = (
            request.getfixturevalue("_emulator_portal"),
            app,
            server_url,
            request.getfixturevalue("emulator_baseline"),
        )
    portal, app, server_url, baseline = served
    portal.run(_renew(app))
    https_url, ca_file = request.config.stash.get(_HTTPS, (None, None))
    handle = EmulatorHandle(
        server_url, app=app, baseline=baseline, search=_search_path(request), https_url=https_url, ca_file=ca_file
    )
    handle._portal = portal
    return handle


async def _renew(app) -> None:
    app[STATE].renew()


@pytest_asyncio.fixture
async def emulator(request: pytest.FixtureRequest) -> AsyncIterator[EmulatorHandle]:
    """The emulator for an ``async def`` test: fresh state, ready auth, async helpers."""
    url = external_url(request.config)
    if url is not None:
        handle = external_handle(url, request, _search_path(request))
    else:
        handle = _in_process_handle(request)
    register(request, handle)
    try:
        await _prepare(handle, request)
        yield handle
    finally:
        if handle.external:
            drop_namespace_later(handle)
        await handle._control.close()


@pytest.fixture(scope="session")
def _emulator_portal():
    portal = _Portal()
    yield portal
    portal.close()


@pytest.fixture(scope="session")
def emulator_server(request: pytest.FixtureRequest, _emulator_portal: _Portal, emulator_baseline: Baseline):
    """The in-process emulator served from a background thread (its own loop):
    ``(app, url)``, one per worker, for async and plain tests alike. The same app
    is served over HTTPS too (``emulator.https_url``, trusting ``emulator.ca_file``)."""
    app = request.getfixturevalue("emulator_app")
    tls = _server_tls()

    async def start():
        runner, url = await serve(app)
        https_url = await serve_https(runner, tls[0]) if tls is not None else None
        return runner, url, https_url

    runner, url, https_url = _emulator_portal.run(start())
    if https_url is not None and tls is not None:
        request.config.stash[_HTTPS] = (https_url, tls[1])
    yield app, url
    if _SERVED in request.config.stash:
        del request.config.stash[_SERVED]
    _emulator_portal.run(runner.cleanup())


def _server_tls():
    """(SSL context, CA file) for the worker's HTTPS site, made once per session from
    the local CA (serving/tls.py); None, with a warning, when the CA cannot be kept."""
    import warnings

    from ..serving.tls import ca_directory, server_names, server_ssl_context

    try:
        context, ca = server_ssl_context(ca_directory(), server_names("127.0.0.1"), warn=warnings.warn)
    except OSError as error:
        warnings.warn(f"identity-emulator: no HTTPS in-process (the local CA cannot be kept: {error})", stacklevel=1)
        return None
    return context, ca.certificate_file


@pytest.fixture
def emulator_sync(request: pytest.FixtureRequest, _emulator_portal: _Portal) -> Iterator[SyncEmulatorHandle]:
    """The emulator for a plain ``def`` test (requests, httpx, urllib): the same
    helpers as ``emulator``, as ordinary calls."""
    url = external_url(request.config)
    if url is not None:
        handle = external_handle(url, request, _search_path(request))
    else:
        handle = _in_process_handle(request)
    sync = SyncEmulatorHandle(handle, _emulator_portal)
    register(request, sync)
    try:
        _emulator_portal.run(_prepare(handle, request))
        yield sync
    finally:
        if handle.external:
            drop_namespace_later(handle)
        _emulator_portal.run(handle._control.close())
