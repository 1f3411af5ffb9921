"""The application factory: everything is built from an EmulatorConfig, state hangs
on the app, so several emulators can run side by side in one process."""

from __future__ import annotations

import logging

from aiohttp import web

from . import control
from .config import EmulatorConfig
from .endpoints import Operation
from .scenarios import Baseline, load_baseline
from .state import STATE, EmulatorState

log = logging.getLogger("emulator")

OPERATION = web.RequestKey("emulator_operation", Operation)  # the Operation a request was routed to


def default_apis() -> list:
    from .customerid.api import CustomerIdApi

    return [CustomerIdApi()]


_ROUTER_MISS_DETAIL = {
    404: "no resource at {path}",
    405: "{method} is not supported on {path}",
    413: "request body is larger than the emulator accepts",
}


@web.middleware
async def api_error_documents(request: web.Request, handler):
    """Whatever goes wrong outside an operation (no route, wrong method, body too
    large) or inside one (a bug) reaches the client as the owning API's own error
    document: never a traceback, never aiohttp's text/plain page."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        api = request.app[STATE].api_for_path(request.path)
        if api is None:
            raise
        detail = _ROUTER_MISS_DETAIL.get(exc.status, "{reason}").format(
            reason=exc.reason, method=request.method, path=request.path)
        response = api.error_response(exc.status, detail, request)
        if "Allow" in exc.headers:
            response.headers["Allow"] = exc.headers["Allow"]
        return response
    except Exception:
        log.exception("unhandled error serving %s %s", request.method, request.path)
        api = request.app[STATE].api_for_path(request.path)
        if api is None:
            return web.json_response({"status": "error", "error": "internal error"}, status=500)
        return api.error_response(500, "unexpected emulator error", request)


def _endpoint(state: EmulatorState, operation: Operation, version: str, bound):
    hit_key = (operation.api, operation.code, version)
    hits = state.hits

    async def endpoint(request: web.Request) -> web.StreamResponse:
        hits[hit_key] += 1
        request[OPERATION] = operation
        return await bound(request, state.world_for(request))

    endpoint.__name__ = f"{operation.api}_{operation.code}_{version}"
    return endpoint


def mount_api(app: web.Application, api, state: EmulatorState) -> None:
    registered: set[tuple[str, str]] = set()
    for operation, version, template in api.endpoints.routes():
        if (operation.method, template) in registered:
            continue
        registered.add((operation.method, template))
        bound = api.bind(operation, version)
        app.router.add_route(operation.method, template, _endpoint(state, operation, version, bound))


def create_app(config: EmulatorConfig | None = None, *, baseline: Baseline | None = None,
               apis: list | None = None) -> web.Application:
    """Build an emulator. ``baseline`` lets callers (the pytest plugin) load the
    scenarios once and start many apps from them; otherwise they load from config
    and a ScenarioError stops startup before anything is served."""
    config = config or EmulatorConfig()
    apis = apis if apis is not None else default_apis()
    if baseline is None:
        baseline = load_baseline(config.scenarios, apis)
    app = web.Application(client_max_size=config.max_body_bytes, middlewares=[api_error_documents])
    state = EmulatorState(apis, baseline)
    app[STATE] = state
    for api in apis:
        mount_api(app, api, state)
    control.add_routes(app)
    return app
