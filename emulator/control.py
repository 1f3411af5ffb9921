"""The control API under /__emulator/: JSON only, for tests and operators.

Every endpoint works on the namespace the request names (``X-Emulator-Namespace``;
without it, the default namespace). Control requests are never subject to
injected faults and never enter the journal. The OpenAPI document served at
``/__emulator/openapi.json`` is ``control-openapi.yaml`` plus each API's actions;
a test checks that it lists exactly the routes added here.
"""

from __future__ import annotations

import functools
import hmac
import logging
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from aiohttp import web

from . import control_keys, dashboard, inspection
from .control_openapi import openapi_document
from .api import ControlActionError
from .budget import LimitReached
from .clock import YEARS
from .connections import read_body
from .journal import MatchError, RequestMatch, entries_json, iso_time
from .builtin_scenarios import builtin_scenarios, is_bare_name, scenario_name, scenarios_in
from .safeparse import BODY_LIMITS, UnsafeDocument, load_document, load_json
from .scenarios import ScenarioError, read_scenario_file
from .state import SNAPSHOT_ID, STATE, NAMESPACE_HEADER, EmulatorState, Namespace, NamespaceError

log = logging.getLogger("emulator")

PREFIX = "/__emulator"
PROBLEM_CHARS = 1000  # an error message never quotes a whole (possibly hostile) document
RESET_KEEP = ("faults", "journal")
JOURNAL_QUERY = ("api", "operation", "method", "path", "status", "since", "fault", "contract")

class Problem(Exception):
    """A control request that cannot be done: becomes ``{"error", "where"}``."""

    def __init__(self, status: int, message: str, where: str | None = None, **extra: Any) -> None:
        message = message if len(message) <= PROBLEM_CHARS else message[:PROBLEM_CHARS] + "…"
        super().__init__(message)
        self.status, self.message, self.where, self.extra = status, message, where, extra

    def response(self) -> web.Response:
        body = {"error": self.message, **({"where": self.where} if self.where else {}), **self.extra}
        return web.json_response(body, status=self.status)


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status)


def _state(request: web.Request) -> EmulatorState:
    return request.app[STATE]


def _authorized(request: web.Request, token: str | None) -> bool:
    if token is None:
        return True
    given = request.headers.get("Authorization", "")
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), f"Bearer {token}".encode())


def _namespace(request: web.Request) -> Namespace:
    state = _state(request)
    try:
        # Only a caller holding the control token (when one is set) creates namespaces:
        # health is open to everyone, so it may look a namespace up, not make one.
        return state.namespace_for(request, create=_authorized(request, state.config.control_token))
    except NamespaceError as error:
        raise Problem(error.status, str(error), NAMESPACE_HEADER) from None


async def _json_body(request: web.Request, *, required: bool = False) -> Any:
    raw = await read_body(request) if request.body_exists else b""
    if not raw.strip():
        if required:
            raise Problem(400, "a JSON body is required", "(body)")
        return {}
    try:
        return load_json(raw)
    except UnsafeDocument as error:
        raise Problem(400, error.problem, error.where or "(body)") from None


def _bool_query(request: web.Request, name: str) -> bool:
    value = request.query.get(name, "false")
    if value in ("true", "1", "yes", ""):
        return True
    if value in ("false", "0", "no"):
        return False
    raise Problem(400, f"{name} must be true or false", f"?{name}")


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)


# -- health, reset, endpoints ---------------------------------------------------------

async def health(request: web.Request) -> web.Response:
    state = _state(request)
    namespace = _namespace(request)
    world = namespace.world
    now = time.monotonic()
    return _json({
        "status": "ok",
        "uptime_seconds": round(now - state.started, 3),
        "namespace": namespace.name,
        "namespaces": len(state.namespaces),
        "apis": {name: sum(len(op.versions) for op in api.endpoints.operations) for name, api in state.apis.items()},
        "scenarios": list(world.files),
        "counts": {name: api.summary_counts(world.store) for name, api in state.apis.items()},
        "faults": [fault.to_json(now) for fault in namespace.faults.live()],
        "journal": _journal_summary(namespace),
        "snapshots": len(namespace.snapshots),
        "clock": _clock_json(namespace),
        "memory": state.budget.to_json(),
    })


async def reset(request: web.Request) -> web.Response:
    namespace = _namespace(request)
    keep = frozenset(part.strip() for part in request.query.get("keep", "").split(",") if part.strip())
    unknown = keep - set(RESET_KEEP)
    if unknown:
        raise Problem(400, f"keep may name {', '.join(RESET_KEEP)}; not {', '.join(sorted(unknown))}", "?keep")
    started = time.perf_counter()
    namespace.reset(keep)
    return _json({"status": "reset", "namespace": namespace.name, "scenarios": list(namespace.world.files),
                  "kept": sorted(keep), "milliseconds": _elapsed_ms(started)})


async def endpoints(request: web.Request) -> web.Response:
    state = _state(request)
    unused_only = _bool_query(request, "unused")
    listing = []
    for api in state.apis.values():
        for operation in api.endpoints.operations:
            for version in operation.versions:
                hits = state.hits[(api.name, operation.code, version)]
                if unused_only and hits:
                    continue
                listing.append({
                    "api": api.name,
                    "code": operation.code_for(version),
                    "summary": operation.summary,
                    "method": operation.method,
                    "path": operation.url_template(api.endpoints.base_paths[version]),
                    "version": version,
                    "hits": hits,
                })
    return _json({"count": len(listing), "endpoints": listing})


# -- scenarios and state ----------------------------------------------------------------

def _available_scenarios(state: EmulatorState) -> dict[str, Path]:
    """The names {"name": ...} accepts: the scenario directory's files, then the built-ins."""
    available = {**builtin_scenarios(), **scenarios_in(Path(state.config.scenario_dir))}
    return dict(sorted(available.items()))


async def list_scenarios(request: web.Request) -> web.Response:
    state = _state(request)
    namespace = _namespace(request)
    return _json({
        "loaded": list(namespace.world.files),
        "baseline": list(state.baseline.files),
        "available": [{"name": name, "file": str(path)} for name, path in _available_scenarios(state).items()],
    })


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
    state = _state(request)
    namespace = _namespace(request)
    replace = _bool_query(request, "replace")
    raw = await read_body(request) if request.body_exists else b""
    started = time.perf_counter()
    try:
        document = _parse_scenario_body(raw, request.content_type)
        if set(document) == {"name"}:  # {"name": "bulk-50k"}: a file from the scenario directory
            available = _available_scenarios(state)
            name = document["name"]
            path = available.get(scenario_name(Path(name))) if isinstance(name, str) and is_bare_name(name) else None
            if path is None:
                raise Problem(404, f"no scenario named {name!r} in {state.config.scenario_dir} or among the "
                                   f"built-in scenarios ({', '.join(sorted(builtin_scenarios()))})", "name",
                              available=sorted(available))
            source = (str(path), read_scenario_file(path))
        else:
            label = document.get("name") if isinstance(document.get("name"), str) else "request body"
            source = (f"(posted) {label}", document)
        namespace.load_scenarios([source], replace=replace)
    except ScenarioError as error:
        raise Problem(400, error.problem, error.path or None, file=error.file) from None
    world = namespace.world
    return _json({"status": "loaded", "namespace": namespace.name, "replaced": replace,
                  "scenarios": list(world.files),
                  "counts": {name: api.summary_counts(world.store) for name, api in state.apis.items()},
                  "milliseconds": _elapsed_ms(started)})


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
    document = dump_state(_state(request), _namespace(request))
    wanted = request.query.get("format") or ("yaml" if "yaml" in request.headers.get("Accept", "") else "json")
    if wanted == "yaml":
        import yaml  # here: a start needs no PyYAML (packagedata.py)

        # libyaml when present: a 50,000-user state dumps in seconds, not minutes
        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        text = yaml.dump(document, Dumper=dumper, sort_keys=False, allow_unicode=True)
        return web.Response(text=text, content_type="application/yaml")
    if wanted != "json":
        raise Problem(400, "format is json or yaml", "?format")
    return _json(document)


# -- snapshots ----------------------------------------------------------------------------

def _snapshot(namespace: Namespace, snapshot_id: str):
    snapshot = namespace.snapshots.get(snapshot_id)
    if snapshot is None:
        raise Problem(404, f"no snapshot {snapshot_id!r} in namespace {namespace.name}", "id")
    return snapshot


async def create_snapshot(request: web.Request) -> web.Response:
    namespace = _namespace(request)
    body = await _json_body(request)
    if not isinstance(body, dict):
        raise Problem(400, "the body is a JSON object (optionally {\"id\": ...})", "(body)")
    snapshot_id = body.get("id")
    if snapshot_id is not None and (not isinstance(snapshot_id, str) or not SNAPSHOT_ID.match(snapshot_id)):
        raise Problem(400, "id is 1-128 characters of A-Z a-z 0-9 . _ : - (starting with a letter or digit)", "id")
    started = time.perf_counter()
    try:
        snapshot = namespace.save_snapshot(snapshot_id)
    except LimitReached as error:
        raise Problem(error.status, str(error), "id") from None
    return _json({**snapshot.to_json(), "milliseconds": _elapsed_ms(started)}, status=201)


async def list_snapshots(request: web.Request) -> web.Response:
    namespace = _namespace(request)
    return _json({"snapshots": [snapshot.to_json() for snapshot in namespace.snapshots.values()]})


async def restore_snapshot(request: web.Request) -> web.Response:
    namespace = _namespace(request)
    snapshot = _snapshot(namespace, request.match_info["id"])
    started = time.perf_counter()
    namespace.restore(snapshot)
    return _json({"status": "restored", "id": snapshot.id, "milliseconds": _elapsed_ms(started)})


async def delete_snapshot(request: web.Request) -> web.Response:
    namespace = _namespace(request)
    snapshot = _snapshot(namespace, request.match_info["id"])
    namespace.delete_snapshot(snapshot.id)
    return _json({"deleted": snapshot.id})


# -- faults --------------------------------------------------------------------------------

async def add_fault(request: web.Request) -> web.Response:
    namespace = _namespace(request)
    body = await _json_body(request, required=True)
    try:
        fault = namespace.faults.add(body)
    except MatchError as error:
        raise Problem(400, error.problem, error.where) from None
    except LimitReached as error:
        raise Problem(error.status, str(error), "(body)") from None
    return _json(fault.to_json(time.monotonic()), status=201)


async def list_faults(request: web.Request) -> web.Response:
    namespace = _namespace(request)
    now = time.monotonic()
    return _json({"faults": [fault.to_json(now) for fault in namespace.faults.live()]})


def _fault(namespace: Namespace, fault_id: str):
    for fault in namespace.faults.live():
        if fault.id == fault_id:
            return fault
    raise Problem(404, f"no fault {fault_id!r} in namespace {namespace.name} (expired, used up or deleted)", "id")


async def get_fault(request: web.Request) -> web.Response:
    return _json(_fault(_namespace(request), request.match_info["id"]).to_json(time.monotonic()))


async def delete_fault(request: web.Request) -> web.Response:
    namespace = _namespace(request)
    fault = _fault(namespace, request.match_info["id"])
    namespace.faults.remove(fault.id)
    return _json({"deleted": fault.id, "fired": fault.fired})


async def delete_faults(request: web.Request) -> web.Response:
    namespace = _namespace(request)
    count = len(namespace.faults.live())
    namespace.faults.clear()
    return _json({"deleted": count})


# -- journal ---------------------------------------------------------------------------------

def _journal_summary(namespace: Namespace) -> dict[str, int]:
    journal = namespace.journal
    return {"size": len(journal.entries), "limit": journal.limit, "evicted": journal.evicted}


def _match(spec: Any, where: str) -> RequestMatch:
    if not isinstance(spec, dict):
        raise Problem(400, "a match is a JSON object", where)
    try:
        return RequestMatch(spec, where)
    except MatchError as error:
        raise Problem(400, error.problem, error.where) from None


async def list_requests(request: web.Request) -> web.Response:
    namespace = _namespace(request)
    query = request.query
    unknown = set(query) - set(JOURNAL_QUERY) - {"limit"}
    if unknown:
        raise Problem(400, f"unknown filter (known: {', '.join(JOURNAL_QUERY)}, limit)", f"?{sorted(unknown)[0]}")
    spec: dict[str, Any] = {key: query[key] for key in JOURNAL_QUERY if key in query}
    if "fault" in spec:
        spec["fault"] = {"true": True, "false": False}.get(spec["fault"].lower(), spec["fault"])
    if "contract" in spec:
        spec["contract"] = {"true": True, "false": False}.get(spec["contract"].lower(), spec["contract"])
    match = _match(spec, "?")
    selected = list(namespace.journal.select(match))
    if "limit" in query:
        if not (query["limit"].isascii() and query["limit"].isdigit()) or len(query["limit"]) > 9:
            raise Problem(400, "limit is a number of entries (the most recent are kept)", "?limit")
        selected = selected[len(selected) - int(query["limit"]):] if int(query["limit"]) else []
    return _json({**_journal_summary(namespace), "count": len(selected),
                  "requests": entries_json(selected, namespace.journal.body_limit)})


async def clear_requests(request: web.Request) -> web.Response:
    namespace = _namespace(request)
    count = len(namespace.journal.entries)
    namespace.journal.clear()
    return _json({"deleted": count})


async def count_requests(request: web.Request) -> web.Response:
    namespace = _namespace(request)
    body = await _json_body(request)
    match = _match(body.get("match", body) if isinstance(body, dict) else body, "match")
    count = sum(1 for _ in namespace.journal.select(match))
    return _json({"count": count, "evicted": namespace.journal.evicted})


# -- clock -----------------------------------------------------------------------------------

def _clock_json(namespace: Namespace) -> dict[str, Any]:
    clock = namespace.world.clock
    return {"now": clock.iso(), "frozen": clock.frozen is not None,
            "offset_seconds": round(clock.offset.total_seconds(), 3) if clock.frozen is None else None}


async def get_clock(request: web.Request) -> web.Response:
    return _json(_clock_json(_namespace(request)))


async def set_clock(request: web.Request) -> web.Response:
    namespace = _namespace(request)
    body = await _json_body(request, required=True)
    if not isinstance(body, dict) or not body or set(body) - {"now", "advance_seconds", "freeze"}:
        raise Problem(400, "give now (ISO 8601), advance_seconds and/or freeze (true/false)", "(body)")
    clock = namespace.world.clock
    freeze = body.get("freeze", clock.frozen is not None)
    if not isinstance(freeze, bool):
        raise Problem(400, "freeze must be true or false", "freeze")
    now = clock.now()
    if "now" in body:
        try:
            now = datetime.fromisoformat(str(body["now"])[:64].replace("Z", "+00:00"))
        except ValueError:
            raise Problem(400, f"{str(body['now'])[:64]!r} is not an ISO 8601 timestamp", "now") from None
        now = now if now.tzinfo else now.replace(tzinfo=timezone.utc)
    if "advance_seconds" in body:
        seconds = body["advance_seconds"]
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            raise Problem(400, "advance_seconds must be a number", "advance_seconds")
        try:
            now = clock.advanced(now, seconds)
        except ValueError as error:
            raise Problem(400, str(error), "advance_seconds") from None
        if not clock.in_range(now):  # well-formed, but not from where the clock stands: 422
            raise Problem(422, f"the clock would leave the years {YEARS[0]} to {YEARS[1]}", "advance_seconds")
    try:
        clock.set(now, freeze)
    except ValueError as error:
        raise Problem(400, str(error), "now") from None
    return _json(_clock_json(namespace))


# -- namespaces ------------------------------------------------------------------------------

async def list_namespaces(request: web.Request) -> web.Response:
    state = _state(request)
    return _json({"namespaces": [{
        "name": namespace.name,
        "created": iso_time(namespace.created),
        "scenarios": list(namespace.world.files),
        "faults": len(namespace.faults.live()),
        "journal": _journal_summary(namespace),
        "snapshots": len(namespace.snapshots),
    } for namespace in state.namespaces.values()]})


async def delete_namespace(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    try:
        deleted = _state(request).delete_namespace(name)
    except NamespaceError as error:
        raise Problem(error.status, str(error), "name") from None
    if not deleted:
        raise Problem(404, f"no namespace {name!r}", "name")
    return _json({"deleted": name})


# -- simulated user and system actions, per API ----------------------------------------------

def _action_handler(action):
    async def run_action(request: web.Request) -> web.Response:
        world = _namespace(request).world
        try:
            with world.store.transaction():
                result = action.run(world, dict(request.match_info))
        except ControlActionError as error:
            raise Problem(error.status, str(error)) from None
        return _json({"status": "done", "result": result})

    return run_action


# -- OpenAPI ------------------------------------------------------------------------------------

async def openapi(request: web.Request) -> web.Response:
    return _json(openapi_document(_state(request), PREFIX))


# -- wiring ---------------------------------------------------------------------------------------

def _guarded(handler, token: str | None, *, open_route: bool = False, namespaced: bool = True):
    """JSON errors for every control handler (a body too large, a bug: still JSON);
    the bearer token when configured; the namespace resolved (or refused) up front,
    so handlers that only ask ``world_for`` follow the namespace policy too."""

    @functools.wraps(handler)
    async def guarded(request: web.Request) -> web.StreamResponse:
        if token and not open_route and not _authorized(request, token):
            refused = Problem(401, "control endpoints need Authorization: Bearer <control token>",
                              "Authorization").response()
            refused.headers["WWW-Authenticate"] = 'Bearer realm="emulator control API"'
            return refused
        try:
            if namespaced:
                _namespace(request)
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
    table = [
        ("GET", "/health", health),
        ("POST", "/reset", reset),
        ("GET", "/endpoints", endpoints),
        ("GET", "/scenarios", list_scenarios),
        ("POST", "/scenarios", load_scenario),
        ("GET", "/state", get_state),
        ("GET", "/snapshots", list_snapshots),
        ("POST", "/snapshots", create_snapshot),
        ("POST", "/snapshots/{id}/restore", restore_snapshot),
        ("DELETE", "/snapshots/{id}", delete_snapshot),
        ("GET", "/faults", list_faults),
        ("POST", "/faults", add_fault),
        ("DELETE", "/faults", delete_faults),
        ("GET", "/faults/{id}", get_fault),
        ("DELETE", "/faults/{id}", delete_fault),
        ("GET", "/requests", list_requests),
        ("DELETE", "/requests", clear_requests),
        ("POST", "/requests/count", count_requests),
        ("GET", "/clock", get_clock),
        ("POST", "/clock", set_clock),
        ("GET", "/namespaces", list_namespaces),
        ("DELETE", "/namespaces/{name}", delete_namespace),
        ("GET", "/openapi.json", openapi),
        *control_keys.ROUTES,
        *inspection.routes(),
        *dashboard.routes(),
    ]
    for api in state.apis.values():
        for action in api.control_actions():
            table.append(("POST", f"/{api.name}/{action.path}", _action_handler(action)))
        for method, path, handler in api.control_routes():
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
    for method, path, handler in routes(state):
        # API documents describe, they do not reveal state: open, so Swagger UI loads them without the token;
        # the dashboard's static files hold no state either (the page asks for the token itself).
        open_route = path == "/health" or path.endswith("/openapi.json") or path in dashboard.PAGES
        guarded = _guarded(handler, token, open_route=open_route,
                           namespaced=not path.endswith("/openapi.json") and not path.startswith("/namespaces")
                           and path not in dashboard.PAGES)
        app.router.add_route(method, PREFIX + path, guarded)
    app.router.add_route("*", PREFIX + "/{tail:[\\s\\S]*}", no_route)
