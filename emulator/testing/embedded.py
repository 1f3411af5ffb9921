"""The emulator in-process outside pytest (unittest, a script, a notebook):
``running()`` serves it from a background thread, ``running_async()`` on the
caller's loop; both give the handle the pytest fixtures give (docs/embedding.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from aiohttp import web

from ..app import create_app, default_apis
from ..builtin_scenarios import find_scenario
from ..config import DEFAULT_SCENARIO, EmulatorConfig
from ..world.scenarios import Baseline, load_baseline
from .handle import EmulatorHandle
from .sync_handle import SyncEmulatorHandle, _Portal


async def serve(app: web.Application, host: str = "127.0.0.1", port: int = 0) -> tuple[web.AppRunner, str]:
    """Serve ``app`` on the running loop: (the runner to clean up, the base URL)."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = runner.addresses[0][1]  # the port given, or the one the system chose for 0
    return runner, f"http://{host}:{bound}"


async def serve_https(runner: web.AppRunner, ssl_context, host: str = "127.0.0.1") -> str:
    """The same app over TLS too, on a free port of ``host``: its base URL."""
    site = web.TCPSite(runner, host, 0, ssl_context=ssl_context)
    await site.start()
    return f"https://{host}:{runner.addresses[-1][1]}"  # the newest site's socket comes last


def _baseline(scenarios: Iterable[str | Path] | None) -> tuple[Baseline, list[Path]]:
    search = [Path.cwd()]
    paths = [find_scenario(entry, search=search) for entry in (scenarios or [DEFAULT_SCENARIO])]
    return load_baseline(paths, default_apis()), search


@asynccontextmanager
async def running_async(
    scenarios: Iterable[str | Path] | None = None,
    *,
    config: EmulatorConfig | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
) -> AsyncIterator[EmulatorHandle]:
    """``async with running_async(scenarios=["default"]) as emulator:`` -- served on
    this loop; ``emulator`` is what the ``emulator`` fixture gives (coroutine helpers)."""
    baseline, search = _baseline(scenarios)
    app = create_app(config or EmulatorConfig(), baseline=baseline)
    runner, url = await serve(app, host, port)
    handle = EmulatorHandle(url, app=app, baseline=baseline, search=search)
    try:
        yield handle
    finally:
        await handle._control.close()
        await runner.cleanup()


@contextmanager
def running(
    scenarios: Iterable[str | Path] | None = None,
    *,
    config: EmulatorConfig | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
) -> Iterator[SyncEmulatorHandle]:
    """``with running(scenarios=["default"]) as emulator:`` -- served from a
    background thread, so blocking clients (requests, urllib) reach it; ``emulator``
    is what the ``emulator_sync`` fixture gives (the helpers as plain calls)."""
    baseline, search = _baseline(scenarios)
    portal = _Portal()
    try:
        app = create_app(config or EmulatorConfig(), baseline=baseline)
        runner, url = portal.run(serve(app, host, port))
        handle = EmulatorHandle(url, app=app, baseline=baseline, search=search)
        handle._portal = portal
        try:
            yield SyncEmulatorHandle(handle, portal)
        finally:
            portal.run(handle._control.close())
            portal.run(runner.cleanup())
    finally:
        portal.close()
