"""The control endpoints of one namespace's moving parts: snapshots, injected
faults, the request journal and the clock (docs/control-api.md)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from ..world.budget import LimitReached
from ..world.clock import YEARS
from ..world.journal import MatchError, RequestMatch, entries_json
from ..world.state import SNAPSHOT_ID, Namespace
from .http import Problem, elapsed_ms, json_body, namespace_of, reply

JOURNAL_QUERY = ("api", "operation", "method", "path", "status", "since", "fault", "contract")


# -- snapshots ----------------------------------------------------------------------------


def _snapshot(namespace: Namespace, snapshot_id: str):
    snapshot = namespace.snapshots.get(snapshot_id)
    if snapshot is None:
        raise Problem(404, f"no snapshot {snapshot_id!r} in namespace {namespace.name}", "id")
    return snapshot


async def create_snapshot(request: web.Request) -> web.Response:
    namespace = namespace_of(request)
    body = await json_body(request)
    if not isinstance(body, dict):
        raise Problem(400, 'the body is a JSON object (optionally {"id": ...})', "(body)")
    snapshot_id = body.get("id")
    if snapshot_id is not None and (not isinstance(snapshot_id, str) or not SNAPSHOT_ID.match(snapshot_id)):
        raise Problem(400, "id is 1-128 characters of A-Z a-z 0-9 . _ : - (starting with a letter or digit)", "id")
    started = time.perf_counter()
    try:
        snapshot = namespace.save_snapshot(snapshot_id)
    except LimitReached as error:
        raise Problem(error.status, str(error), "id") from None
    return reply({**snapshot.to_json(), "milliseconds": elapsed_ms(started)}, status=201)


async def list_snapshots(request: web.Request) -> web.Response:
    namespace = namespace_of(request)
    return reply({"snapshots": [snapshot.to_json() for snapshot in namespace.snapshots.values()]})


async def restore_snapshot(request: web.Request) -> web.Response:
    namespace = namespace_of(request)
    snapshot = _snapshot(namespace, request.match_info["id"])
    started = time.perf_counter()
    namespace.restore(snapshot)
    return reply({"status": "restored", "id": snapshot.id, "milliseconds": elapsed_ms(started)})


async def delete_snapshot(request: web.Request) -> web.Response:
    namespace = namespace_of(request)
    snapshot = _snapshot(namespace, request.match_info["id"])
    namespace.delete_snapshot(snapshot.id)
    return reply({"deleted": snapshot.id})


# -- faults --------------------------------------------------------------------------------


async def add_fault(request: web.Request) -> web.Response:
    namespace = namespace_of(request)
    body = await json_body(request, required=True)
    action = body.get("action") if isinstance(body, dict) else None
    if isinstance(action, dict) and not isinstance(action.get("content_type", ""), (str, type(None))):
        raise Problem(400, "content_type is a media type (a string)", "action.content_type")
    try:
        fault = namespace.faults.add(body)
    except MatchError as error:
        raise Problem(400, error.problem, error.where) from None
    except LimitReached as error:
        raise Problem(error.status, str(error), "(body)") from None
    return reply(fault.to_json(time.monotonic()), status=201)


async def list_faults(request: web.Request) -> web.Response:
    namespace = namespace_of(request)
    now = time.monotonic()
    return reply({"faults": [fault.to_json(now) for fault in namespace.faults.live()]})


def _fault(namespace: Namespace, fault_id: str):
    for fault in namespace.faults.live():
        if fault.id == fault_id:
            return fault
    raise Problem(404, f"no fault {fault_id!r} in namespace {namespace.name} (expired, used up or deleted)", "id")


async def get_fault(request: web.Request) -> web.Response:
    return reply(_fault(namespace_of(request), request.match_info["id"]).to_json(time.monotonic()))


async def delete_fault(request: web.Request) -> web.Response:
    namespace = namespace_of(request)
    fault = _fault(namespace, request.match_info["id"])
    namespace.faults.remove(fault.id)
    return reply({"deleted": fault.id, "fired": fault.fired})


async def delete_faults(request: web.Request) -> web.Response:
    namespace = namespace_of(request)
    count = len(namespace.faults.live())
    namespace.faults.clear()
    return reply({"deleted": count})


# -- journal ---------------------------------------------------------------------------------


def journal_summary(namespace: Namespace) -> dict[str, int]:
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
    namespace = namespace_of(request)
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
        selected = selected[len(selected) - int(query["limit"]) :] if int(query["limit"]) else []
    return reply(
        {
            **journal_summary(namespace),
            "count": len(selected),
            "requests": entries_json(selected, namespace.journal.body_limit),
        }
    )


async def clear_requests(request: web.Request) -> web.Response:
    namespace = namespace_of(request)
    count = len(namespace.journal.entries)
    namespace.journal.clear()
    return reply({"deleted": count})


async def count_requests(request: web.Request) -> web.Response:
    namespace = namespace_of(request)
    body = await json_body(request)
    match = _match(body.get("match", body) if isinstance(body, dict) else body, "match")
    count = sum(1 for _ in namespace.journal.select(match))
    return reply({"count": count, "evicted": namespace.journal.evicted})


# -- clock -----------------------------------------------------------------------------------


def clock_json(namespace: Namespace) -> dict[str, Any]:
    clock = namespace.world.clock
    return {
        "now": clock.iso(),
        "frozen": clock.frozen is not None,
        "offset_seconds": round(clock.offset.total_seconds(), 3) if clock.frozen is None else None,
    }


async def get_clock(request: web.Request) -> web.Response:
    return reply(clock_json(namespace_of(request)))


async def set_clock(request: web.Request) -> web.Response:
    namespace = namespace_of(request)
    body = await json_body(request, required=True)
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
        now = now if now.tzinfo else now.replace(tzinfo=UTC)
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
    return reply(clock_json(namespace))
