"""The application factory: everything is built from an EmulatorConfig, state hangs
on the app, so several emulators can run side by side in one process."""

from __future__ import annotations

import logging
import time

from aiohttp import web

from . import apidocs, connections, contract, control, cors, faults
from .config import EmulatorConfig
from .endpoints import Operation
from .routing import PathRouter, RouteMatch
from .scenarios import Baseline, load_baseline
from .state import STATE, EmulatorState, NamespaceError

log = logging.getLogger("emulator")

OPERATION = web.RequestKey("emulator_operation", Operation)  # the Operation a request was routed to


def default_apis() -> list:
    from .customerid.api import CustomerIdApi
    from .dfs.api import DfsApi

    return [CustomerIdApi(), DfsApi()]


ROUTE_CACHE_SIZE = 4096  # paths remembered per method and API; emptied when full


def _api_dispatcher(api, state: EmulatorState):
    """One aiohttp handler for everything under an API's URL prefixes: the endpoint
    table's operations are found by PathRouter; whatever goes wrong outside an
    operation (no route, wrong method, body too large) or inside one (a bug) reaches
    the client as the API's own error document, never aiohttp's text/plain page.

    Around the operation, never inside it: the namespace (X-Emulator-Namespace)
    picks the world, injected faults get their chance, and the journal records
    the exchange. With no faults and the journal on, that is one header lookup,
    one dict lookup for the route (a path asked before is not walked again), two
    clock reads and one small object per request."""
    router: PathRouter = PathRouter()
    for operation, version, template in api.endpoints.routes():
        router.add(template, operation.method, (operation, (api.name, operation.code, version),
                                                api.bind(operation, version)))
    routes_by_method: dict[str, dict[str, RouteMatch]] = {}
    hits = state.hits
    api_name = api.name
    max_hold = state.config.fault_max_hold_seconds
    perf_counter, wall_time = time.perf_counter, time.time
    namespace_for = state.namespace_for
    error_response = api.error_response

    def failure_response(request: web.Request, error: Exception) -> web.StreamResponse:
        if isinstance(error, web.HTTPRequestEntityTooLarge):
            return error_response(413, "request body is larger than the emulator accepts", request)
        if isinstance(error, web.HTTPException):
            if error.status < 400:
                raise error
            return error_response(error.status, error.reason, request)
        log.error("unhandled error serving %s %s", request.method, request.path, exc_info=error)
        return error_response(500, "unexpected emulator error", request)

    async def serve(request: web.Request, bound, world, path_params) -> web.StreamResponse:
        try:
            return await bound(request, world, path_params)
        except Exception as error:
            return failure_response(request, error)

    def route(request: web.Request, method: str, path: str):
        """A path not asked before (or no longer remembered): the router's walk. A
        match is remembered; a miss is answered with the API's error document."""
        found = router.match(method, path)
        if isinstance(found, RouteMatch):
            routes = routes_by_method.get(method)
            if routes is None:
                routes = routes_by_method[method] = {}
            elif len(routes) >= ROUTE_CACHE_SIZE:
                routes.clear()
            routes[path] = found
            return found, None
        if found is None:
            return None, error_response(404, f"no resource at {path}", request)
        if method == "OPTIONS":  # JAX-RS answers OPTIONS itself, with Allow
            return None, web.Response(status=200, headers={"Allow": ", ".join(found.allowed)})
        response = error_response(405, f"{method} is not supported on {path}", request)
        response.headers["Allow"] = ", ".join(found.allowed)
        return None, response

    async def dispatch(request: web.Request) -> web.StreamResponse:
        started = perf_counter()
        try:
            namespace = namespace_for(request)
        except NamespaceError as error:
            return error_response(error.status, str(error), request)
        method, path = request.method, request.path
        routes = routes_by_method.get(method)
        found = routes.get(path) if routes is not None else None
        response = None
        if found is None:
            found, response = route(request, method, path)
        if found is not None:
            operation, hit_key, bound = found.target
            hits[hit_key] += 1
            request[OPERATION] = operation
            code, version = operation.code, hit_key[2]
        else:
            code = version = bound = None
        fault = namespace.faults.pick(request, api_name, code) if namespace.faults else None
        note = None
        if fault is not None:
            note = fault.journal_note()  # fired count as of this request
            if bound is not None:
                def run(bound=bound, world=namespace.world, params=found.path_params):
                    return serve(request, bound, world, params)
            else:
                async def run(response=response):
                    return response
            response = await faults.apply(fault, request, api, run, max_hold)
        elif bound is not None:
            try:  # serve(), without a coroutine of its own on the common path
                response = await bound(request, namespace.world, found.path_params)
            except Exception as error:
                response = failure_response(request, error)
        journal = namespace.journal
        if journal.limit:
            journal.record_exchange(wall_time(), api_name, code, version, request, response,
                                    (perf_counter() - started) * 1000, note,
                                    isinstance(response, faults.Dropped))
        return response

    dispatch.__name__ = f"{api.name}_dispatch"
    return dispatch


def mount_api(app: web.Application, api, state: EmulatorState) -> None:
    dispatch = contract.mount(_api_dispatcher, api, state)  # _api_dispatcher itself when --contract off
    for prefix in api.url_prefixes:
        # [\s\S], not '.': a path with %0A in it is the API's too (its error document, journaled)
        app.router.add_route("*", prefix.rstrip("/") + "/{tail:[\\s\\S]*}", dispatch)


def create_app(config: EmulatorConfig | None = None, *, baseline: Baseline | None = None,
               apis: list | None = None, progress=None) -> web.Application:
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
