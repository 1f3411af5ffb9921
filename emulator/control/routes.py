"""The control API under /__emulator/: JSON only, for tests and operators.

Every endpoint works on the namespace the request names (``X-Emulator-Namespace``;
without it, the default namespace). Control requests are never subject to
injected faults and never enter the journal. The OpenAPI document served at
``/__emulator/openapi.json`` is ``control-openapi.yaml`` plus each API's actions;
a test checks that it lists exactly the routes added here.
"""

from __future__ import annotations

import functools
import logging
import time
from pathlib import Path
from typing import Any

from aiohttp import web

from ..api import ControlActionError, control_actions_of, control_routes_of
from ..builtin_scenarios import builtin_scenarios, is_bare_name, scenario_name, scenarios_in
from ..formats.safeparse import BODY_LIMITS, UnsafeDocument, load_document
from ..server.connections import read_body
from ..server.cors import CorsPolicy
from ..world.journal import iso_time
from ..world.scenarios import ScenarioError, read_scenario_file
from ..world.state import STATE, EmulatorState, Namespace, NamespaceError
from . import dashboard, inspection
from . import keys as control_keys
from . import world as control_world
from .http import PREFIX, BrowserGate, Problem, authorized, bool_query, elapsed_ms, namespace_of, reply, state_of
from .openapi import openapi_document
from .pact import routes as pact_routes
from .world import clock_json, journal_summary

log = logging.getLogger("emulator")

RESET_KEEP = ("faults", "journal")

# -- health, reset, endpoints ---------------------------------------------------------


async def health(request: web.Request) -> web.Response:
    """Open to everyone (a container health check has no token); with a control token
    configured, a caller without it learns only that the emulator is up and counts,
    never a namespace's faults, scenarios, records or clock (docs/limits.md)."""
    state = state_of(request)
    namespace = namespace_of(request)
    world = namespace.world
    now = time.monotonic()
    answer = {
        "status": "ok",
        "uptime_seconds": round(now - state.started, 3),
        "namespace": namespace.name,
        "namespaces": len(state.namespaces),
        "apis": {name: sum(len(op.versions) for op in api.endpoints.operations) for name, api in state.apis.items()},
    }
    if not authorized(request, state.config.control_token):
        return reply({**answer, "faults": len(namespace.faults), "token_required": True})
    return reply(
        {
            **answer,
            "scenarios": list(world.files),
            "counts": {name: api.summary_counts(world.store) for name, api in state.apis.items()},
            "faults": [fault.to_json(now) for fault in namespace.faults.live()],
            "journal": journal_summary(namespace),
            "snapshots": len(namespace.snapshots),
            "clock": clock_json(namespace),
            "memory": state.budget.to_json(),
        }
    )


async def reset(request: web.Request) -> web.Response:
    namespace = namespace_of(request)
    keep = frozenset(part.strip() for part in request.query.get("keep", "").split(",") if part.strip())
    unknown = keep - set(RESET_KEEP)
    if unknown:
        raise Problem(400, f"keep may name {', '.join(RESET_KEEP)}; not {', '.join(sorted(unknown))}", "?keep")
    started = time.perf_counter()
    namespace.reset(keep)
    return reply(
        {
            "status": "reset",
            "namespace": namespace.name,
            "scenarios": list(namespace.world.files),
            "kept": sorted(keep),
            "milliseconds": elapsed_ms(started),
        }
    )


async def endpoints(request: web.Request) -> web.Response:
    state = state_of(request)
    unused_only = bool_query(request, "unused")
    listing = []
    for api in state.apis.values():
        for operation in api.endpoints.operations:
            for version in operation.versions:
                hits = state.hits[(api.name, operation.code, version)]
                if unused_only and hits:
                    continue
                listing.append(
                    {
                        "api": api.name,
                        "code": operation.code_for(version),
                        "summary": operation.summary,
                        "method": operation.method,
                        "path": operation.url_template(api.endpoints.base_paths[version]),
                        "version": version,
                        "hits": hits,
                    }
                )
    return reply({"count": len(listing), "endpoints": listing})


# -- scenarios and state ----------------------------------------------------------------


def _available_scenarios(state: EmulatorState) -> dict[str, Path]:
    """The names {"name": ...} accepts: the scenario directory's files, then the built-ins."""
    available = {**builtin_scenarios(), **scenarios_in(Path(state.config.scenario_dir))}
    return dict(sorted(available.items()))


async def list_scenarios(request: web.Request) -> web.Response:
    state = state_of(request)
    namespace = namespace_of(request)
    return reply(
        {
            "loaded": list(namespace.world.files),
            "baseline": list(state.baseline.files),
            "available": [{"name": name, "file": str(path)} for name, path in _available_scenarios(state).items()],
        }
    )


def _parse_scenario_body(raw: bytes, content_type: str) -> dict:
    try:
        document = load_document(raw, content_type, BODY_LIMITS)
    except UnsafeDocument as error:
        raise ScenarioError("(request body)", error.where, error.problem) from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise ScenarioError("(request body)", "", "a scenario is a mapping (name, seed, customerid, ...)")
    return document


async def load_scenario(request: web.Request) -> web.Response:
    state = state_of(request)
    namespace = namespace_of(request)
    replace = bool_query(request, "replace")
    raw = await read_body(request) if request.body_exists else b""
    started = time.perf_counter()
    try:
        document = _parse_scenario_body(raw, request.content_type)
        if set(document) == {"name"}:  # {"name": "bulk-50k"}: a file from the scenario directory
            available = _available_scenarios(state)
            name = document["name"]
            path = available.get(scenario_name(Path(name))) if isinstance(name, str) and is_bare_name(name) else None
            if path is None:
                raise Problem(
                    404,
                    f"no scenario named {name!r} in {state.config.scenario_dir} or among the "
                    f"built-in scenarios ({', '.join(sorted(builtin_scenarios()))})",
                    "name",
                    available=sorted(available),
                )
            source = (str(path), read_scenario_file(path))
        else:
            label = document.get("name") if isinstance(document.get("name"), str) else "request body"
            source = (f"(posted) {label}", document)
        namespace.load_scenarios([source], replace=replace)
    except ScenarioError as error:
        raise Problem(400, error.problem, error.path or None, file=error.file) from None
    world = namespace.world
    return reply(
        {
            "status": "loaded",
            "namespace": namespace.name,
            "replaced": replace,
            "scenarios": list(world.files),
            "counts": {name: api.summary_counts(world.store) for name, api in state.apis.items()},
            "milliseconds": elapsed_ms(started),
        }
    )


def dump_state(state: EmulatorState, namespace: Namespace) -> dict:
    world = namespace.world
    document: dict[str, Any] = {
        "name": f"state of namespace {namespace.name}",
        "description": f"GET /__emulator/state at {world.clock.iso()}; "
        f"loaded from: {', '.join(world.files) or 'nothing'}",
    }
    for name, api in state.apis.items():
        document[name] = api.dump_scenario_section(world.store, world.settings[name], world.keys)
    return document


async def get_state(request: web.Request) -> web.Response:
    document = dump_state(state_of(request), namespace_of(request))
    # an empty format=, like any other value outside the enum, is refused (the document's enum)
    wanted = request.query.get("format", "yaml" if "yaml" in request.headers.get("Accept", "") else "json")
    if wanted == "yaml":
        import yaml  # here: a start needs no PyYAML (packagedata.py)

        # libyaml when present: a 50,000-user state dumps in seconds, not minutes
        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        text = yaml.dump(document, Dumper=dumper, sort_keys=False, allow_unicode=True)
        return web.Response(text=text, content_type="application/yaml")
    if wanted != "json":
        raise Problem(400, "format is json or yaml", "?format")
    return reply(document)


# -- namespaces ------------------------------------------------------------------------------


async def list_namespaces(request: web.Request) -> web.Response:
    state = state_of(request)
    return reply(
        {
            "namespaces": [
                {
                    "name": namespace.name,
                    "created": iso_time(namespace.created),
                    "scenarios": list(namespace.world.files),
                    "faults": len(namespace.faults.live()),
                    "journal": journal_summary(namespace),
                    "snapshots": len(namespace.snapshots),
                }
                for namespace in state.namespaces.values()
            ]
        }
    )


async def delete_namespace(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    try:
        deleted = state_of(request).delete_namespace(name)
    except NamespaceError as error:
        raise Problem(error.status, str(error), "name") from None
    if not deleted:
        raise Problem(404, f"no namespace {name!r}", "name")
    return reply({"deleted": name})


# -- simulated user and system actions, per API ----------------------------------------------


def _action_handler(action):
    async def run_action(request: web.Request) -> web.Response:
        world = namespace_of(request).world
        try:
            with world.store.transaction():
                result = action.run(world, dict(request.match_info))
        except ControlActionError as error:
            raise Problem(error.status, str(error)) from None
        return reply({"status": "done", "result": result})

    return run_action


# -- OpenAPI ------------------------------------------------------------------------------------


async def openapi(request: web.Request) -> web.Response:
    return reply(openapi_document(state_of(request), PREFIX))


# -- wiring ---------------------------------------------------------------------------------------


def _guarded(handler, token: str | None, gate: BrowserGate, *, open_route: bool = False, namespaced: bool = True):
    """JSON errors for every control handler (a body too large, a bug: still JSON);
    web pages kept out (``BrowserGate``); the bearer token when configured; the
    namespace resolved (or refused) up front, so handlers that only ask
    ``world_for`` follow the namespace policy too."""

    @functools.wraps(handler)
    async def guarded(request: web.Request) -> web.StreamResponse:
        refused_page = gate.refusal(request)
        if refused_page is not None:
            return refused_page.response()
        if token and not open_route and not authorized(request, token):
            refused = Problem(
                401, "control endpoints need Authorization: Bearer <control token>", "Authorization"
            ).response()
            refused.headers["WWW-Authenticate"] = 'Bearer realm="emulator control API"'
            return refused
        try:
            if namespaced:
                namespace_of(request)
            return await handler(request)
        except Problem as problem:
            return problem.response()
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            return Problem(exc.status, exc.reason, "(body)" if exc.status == 413 else None).response()
        except Exception:
            log.exception("unhandled error serving %s %s", request.method, request.path)
            return Problem(500, "unexpected emulator error").response()

    return guarded


def routes(state: EmulatorState) -> list[tuple[str, str, Any]]:
    """The control routes, as (method, path under /__emulator, handler)."""
    table = [
        ("GET", "/health", health),
        ("POST", "/reset", reset),
        ("GET", "/endpoints", endpoints),
        ("GET", "/scenarios", list_scenarios),
        ("POST", "/scenarios", load_scenario),
        ("GET", "/state", get_state),
        ("GET", "/snapshots", control_world.list_snapshots),
        ("POST", "/snapshots", control_world.create_snapshot),
        ("POST", "/snapshots/{id}/restore", control_world.restore_snapshot),
        ("DELETE", "/snapshots/{id}", control_world.delete_snapshot),
        ("GET", "/faults", control_world.list_faults),
        ("POST", "/faults", control_world.add_fault),
        ("DELETE", "/faults", control_world.delete_faults),
        ("GET", "/faults/{id}", control_world.get_fault),
        ("DELETE", "/faults/{id}", control_world.delete_fault),
        ("GET", "/requests", control_world.list_requests),
        ("DELETE", "/requests", control_world.clear_requests),
        ("POST", "/requests/count", control_world.count_requests),
        ("POST", "/requests/wait", control_world.wait_requests),
        ("GET", "/requests/stream", control_world.stream_requests),
        ("GET", "/requests.har", control_world.requests_har),
        ("GET", "/clock", control_world.get_clock),
        ("POST", "/clock", control_world.set_clock),
        ("GET", "/namespaces", list_namespaces),
        ("DELETE", "/namespaces/{name}", delete_namespace),
        ("GET", "/openapi.json", openapi),
        *control_keys.ROUTES,
        *inspection.routes(),
        *dashboard.routes(),
        *pact_routes.ROUTES,
    ]
    for api in state.apis.values():
        for action in control_actions_of(api):
            table.append(("POST", f"/{api.name}/{action.path}", _action_handler(action)))
        for method, path, handler in control_routes_of(api):
            table.append((method, f"/{api.name}{path}", handler))
    return table


async def no_route(request: web.Request) -> web.Response:
    """Anything else under /__emulator/: 404, or 405 with Allow, as JSON like the rest."""
    allowed: set[str] = set()
    for resource in request.app.router.resources():
        if resource.canonical.startswith(PREFIX + "/") and resource is not request.match_info.route.resource:
            match, methods = await resource.resolve(request)
            allowed |= methods
    if allowed:
        problem = Problem(405, f"{request.method} is not supported here (allowed: {', '.join(sorted(allowed))})")
        response = problem.response()
        response.headers["Allow"] = ", ".join(sorted(allowed))
        return response
    return Problem(404, "no control endpoint here; GET /__emulator/openapi.json lists them").response()


def add_routes(app: web.Application) -> None:
    state = app[STATE]
    token = state.config.control_token
    cors = CorsPolicy(state.config.cors_origins)
    gate = BrowserGate(state.config.control_hosts, cors.allows if state.config.cors_origins else lambda origin: False)
    for method, path, handler in routes(state):
        # API documents describe, they do not reveal state: open, so Swagger UI loads them without the token;
        # the dashboard's static files hold no state either (the page asks for the token itself).
        open_route = path == "/health" or path.endswith("/openapi.json") or path in dashboard.PAGES
        guarded = _guarded(
            handler,
            token,
            gate,
            open_route=open_route,
            namespaced=not path.endswith("/openapi.json")
            and not path.startswith("/namespaces")
            and path not in dashboard.PAGES,
        )
        app.router.add_route(method, PREFIX + path, guarded)
    app.router.add_route("*", PREFIX + "/{tail:[\\s\\S]*}", no_route)
    app.on_shutdown.append(_end_watchers)


async def _end_watchers(app: web.Application) -> None:
    """Waiting requests answer and journal streams end when the server stops
    (else shutdown would wait for them)."""
    for namespace in app[STATE].namespaces.values():
        namespace.journal.close_watchers()
