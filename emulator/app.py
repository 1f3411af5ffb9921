"""The application factory, the one place where the core meets the emulated APIs:
everything is built from an EmulatorConfig, state hangs on the app, so several
emulators can run side by side in one process. What a request walks through is
``emulator.server.pipeline``."""

from __future__ import annotations

from aiohttp import web

from .api import CompleteApi, EmulatedApi
from .config import EmulatorConfig
from .control import apidocs
from .control import routes as control
from .server import connections, cors
from .server.pipeline import mount_api
from .world.scenarios import Baseline, load_baseline
from .world.state import STATE, EmulatorState


def default_apis() -> list[EmulatedApi]:
    from .customerid.api import CustomerIdApi
    from .dfs.api import DfsApi

    # Typed with every optional hook, so mypy checks the hooks' signatures too.
    apis: list[CompleteApi] = [CustomerIdApi(), DfsApi()]
    return list(apis)


def create_app(
    config: EmulatorConfig | None = None,
    *,
    baseline: Baseline | None = None,
    apis: list[EmulatedApi] | None = None,
    progress=None,
) -> web.Application:
    """Build an emulator. ``baseline`` lets callers (the pytest plugin) load the
    scenarios once and start many apps from them; otherwise they load from config
    and a ScenarioError stops startup before anything is served."""
    config = config or EmulatorConfig()
    apis = apis if apis is not None else default_apis()
    if baseline is None:
        baseline = load_baseline(config.scenarios, apis, directories=[config.scenario_dir], progress=progress)
    app = web.Application(client_max_size=config.max_body_bytes, handler_args=connections.handler_args(config))
    app[connections.BODY_READ_SECONDS] = config.body_read_seconds
    connections.install_log_filter()
    state = EmulatorState(apis, baseline, config)
    app[STATE] = state
    for api in apis:
        mount_api(app, api, state)
    apidocs.add_routes(app)  # before the control API: its last route answers every other /__emulator path
    control.add_routes(app)
    cors.install(app, config.cors_origins)
    return app
