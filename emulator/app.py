"""The application factory: everything is built from an EmulatorConfig, state hangs
on the app, so several emulators can run side by side in one process."""

from __future__ import annotations

import logging

from aiohttp import web

from . import control
from .config import EmulatorConfig
from .endpoints import Operation
from .routing import MethodNotAllowed, PathRouter
from .scenarios import Baseline, load_baseline
from .state import STATE, EmulatorState

log = logging.getLogger("emulator")

OPERATION = web.RequestKey("emulator_operation", Operation)  # the Operation a request was routed to


def default_apis() -> list:
    from .customerid.api import CustomerIdApi
    from .dfs.api import DfsApi

    return [CustomerIdApi(), DfsApi()]


def _api_dispatcher(api, state: EmulatorState):
    """One aiohttp handler for everything under an API's URL prefixes: the endpoint
    table's operations are found by PathRouter; whatever goes wrong outside an
    operation (no route, wrong method, body too large) or inside one (a bug) reaches
    the client as the API's own error document, never aiohttp's text/plain page."""
    router: PathRouter = PathRouter()
    for operation, version, template in api.endpoints.routes():
        router.add(template, operation.method, (operation, (api.name, operation.code, version),
                                                api.bind(operation, version)))
    hits = state.hits

    async def dispatch(request: web.Request) -> web.StreamResponse:
        found = router.match(request.method, request.path)
        if found is None:
            return api.error_response(404, f"no resource at {request.path}", request)
        if isinstance(found, MethodNotAllowed):
            if request.method == "OPTIONS":  # JAX-RS answers OPTIONS itself, with Allow
                return web.Response(status=200, headers={"Allow": ", ".join(found.allowed)})
            response = api.error_response(405, f"{request.method} is not supported on {request.path}", request)
            response.headers["Allow"] = ", ".join(found.allowed)
            return response
        operation, hit_key, bound = found.target
        hits[hit_key] += 1
        request[OPERATION] = operation
        try:
            return await bound(request, state.world_for(request), found.path_params)
        except web.HTTPRequestEntityTooLarge:
            return api.error_response(413, "request body is larger than the emulator accepts", request)
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            return api.error_response(exc.status, exc.reason, request)
        except Exception:
            log.exception("unhandled error serving %s %s", request.method, request.path)
            return api.error_response(500, "unexpected emulator error", request)

    dispatch.__name__ = f"{api.name}_dispatch"
    return dispatch


def mount_api(app: web.Application, api, state: EmulatorState) -> None:
    dispatch = _api_dispatcher(api, state)
    for prefix in api.url_prefixes:
        app.router.add_route("*", prefix.rstrip("/") + "/{tail:.*}", dispatch)


def create_app(config: EmulatorConfig | None = None, *, baseline: Baseline | None = None,
               apis: list | None = None) -> web.Application:
    """Build an emulator. ``baseline`` lets callers (the pytest plugin) load the
    scenarios once and start many apps from them; otherwise they load from config
    and a ScenarioError stops startup before anything is served."""
    config = config or EmulatorConfig()
    apis = apis if apis is not None else default_apis()
    if baseline is None:
        baseline = load_baseline(config.scenarios, apis)
    app = web.Application(client_max_size=config.max_body_bytes)
    state = EmulatorState(apis, baseline)
    app[STATE] = state
    for api in apis:
        mount_api(app, api, state)
    control.add_routes(app)
    return app
