"""The application factory: everything is built from an EmulatorConfig, state hangs
on the app, so several emulators can run side by side in one process."""

from __future__ import annotations

import logging
import time

from aiohttp import web

from . import apidocs, connections, contract, control, cors, faults
from .config import EmulatorConfig
from .endpoints import Operation
from .routing import MethodNotAllowed, PathRouter
from .scenarios import Baseline, load_baseline
from .state import STATE, EmulatorState, NamespaceError

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
    the client as the API's own error document, never aiohttp's text/plain page.

    Around the operation, never inside it: the namespace (X-Emulator-Namespace)
    picks the world, injected faults get their chance, and the journal records
    the exchange. With no faults and the journal on, that is one header lookup,
    two clock reads and one small object per request."""
    router: PathRouter = PathRouter()
    for operation, version, template in api.endpoints.routes():
        router.add(template, operation.method, (operation, (api.name, operation.code, version),
                                                api.bind(operation, version)))
    hits = state.hits
    api_name = api.name
    max_hold = state.config.fault_max_hold_seconds
    perf_counter, wall_time = time.perf_counter, time.time

    async def serve(request: web.Request, bound, world, path_params) -> web.StreamResponse:
        try:
            return await bound(request, world, path_params)
        except web.HTTPRequestEntityTooLarge:
            return api.error_response(413, "request body is larger than the emulator accepts", request)
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            return api.error_response(exc.status, exc.reason, request)
        except Exception:
            log.exception("unhandled error serving %s %s", request.method, request.path)
            return api.error_response(500, "unexpected emulator error", request)

    async def dispatch(request: web.Request) -> web.StreamResponse:
        started = perf_counter()
        try:
            namespace = state.namespace_for(request)
        except NamespaceError as error:
            return api.error_response(error.status, str(error), request)
        found = router.match(request.method, request.path)
        code = version = None
        if found is None:
            serve_now = None
            response = api.error_response(404, f"no resource at {request.path}", request)
        elif isinstance(found, MethodNotAllowed):
            serve_now = None
            if request.method == "OPTIONS":  # JAX-RS answers OPTIONS itself, with Allow
                response = web.Response(status=200, headers={"Allow": ", ".join(found.allowed)})
            else:
                response = api.error_response(405, f"{request.method} is not supported on {request.path}",
                                              request)
                response.headers["Allow"] = ", ".join(found.allowed)
        else:
            operation, hit_key, bound = found.target
            hits[hit_key] += 1
            request[OPERATION] = operation
            code, version = operation.code, hit_key[2]
            serve_now = bound
        fault = namespace.faults.pick(request, api_name, code) if namespace.faults else None
        note = None
        if fault is not None:
            note = fault.journal_note()  # fired count as of this request
            if serve_now is not None:
                def run(bound=serve_now, world=namespace.world, params=found.path_params):
                    return serve(request, bound, world, params)
            else:
                async def run(response=response):
                    return response
            response = await faults.apply(fault, request, api, run, max_hold)
        elif serve_now is not None:
            response = await serve(request, serve_now, namespace.world, found.path_params)
        journal = namespace.journal
        if journal.limit:
            cut = journal.body_limit + 1
            request_body = getattr(request, "_read_bytes", None) or b""
            response_body = getattr(response, "body", None)
            if not isinstance(response_body, (bytes, bytearray)):
                response_body = b""
            dropped = isinstance(response, faults.Dropped)
            journal.record(wall_time(), api_name, code, version, request.method, request.path,
                           request.query_string, None if dropped else response.status,
                           (perf_counter() - started) * 1000,
                           request_body if len(request_body) <= cut else request_body[:cut],
                           response_body if len(response_body) <= cut else response_body[:cut],
                           request.headers, note, None if dropped else response.headers)
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
