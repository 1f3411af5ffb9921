"""The control endpoints of one namespace's moving parts: snapshots, injected
faults, the request journal and the clock (docs/control-api.md)."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from ..world.budget import LimitReached
from ..world.clock import YEARS
from ..world.journal import MatchError, RequestMatch, entries_json
from ..world.state import SNAPSHOT_ID, Namespace
from ..world.watchers import (
    DROP_GRACE_SECONDS,
    MAX_QUEUED,
    MAX_SUBSCRIBERS,
    MAX_WAIT_SECONDS,
    MAX_WAITERS,
    Subscriber,
    Waiter,
    count_of,
    wait_for,
)
from .har import har_document
from .http import Problem, elapsed_ms, json_body, namespace_of, reply

JOURNAL_QUERY = ("api", "operation", "method", "path", "status", "since", "fault", "contract", "body")
STREAM_HEARTBEAT_SECONDS = 15.0  # a comment line this often: proxies keep the stream, a gone client is noticed


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


def query_match(request: web.Request, extra: tuple[str, ...] = ()) -> RequestMatch:
    """The journal filter in a query string (``body`` as JSON text); ``extra``: the
    endpoint's own parameters."""
    query = request.query
    unknown = set(query) - set(JOURNAL_QUERY) - set(extra)
    if unknown:
        known = ", ".join((*JOURNAL_QUERY, *extra))
        raise Problem(400, f"unknown filter (known: {known})", f"?{sorted(unknown)[0]}")
    spec: dict[str, Any] = {key: query[key] for key in JOURNAL_QUERY if key in query}
    if "fault" in spec:
        spec["fault"] = {"true": True, "false": False}.get(spec["fault"].lower(), spec["fault"])
    if "contract" in spec:
        spec["contract"] = {"true": True, "false": False}.get(spec["contract"].lower(), spec["contract"])
    if "body" in spec:
        try:
            spec["body"] = json.loads(spec["body"])
        except ValueError:
            raise Problem(
                400, 'body is a JSON object, e.g. {"json": {"path": "/name", "equals": "x"}}', "?body"
            ) from None
    return _match(spec, "?")


def _limited(selected: list, request: web.Request) -> list:
    text = request.query.get("limit")
    if text is None:
        return selected
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise Problem(400, "limit is a number of entries (the most recent are kept)", "?limit")
    return selected[len(selected) - int(text) :] if int(text) else []


async def list_requests(request: web.Request) -> web.Response:
    namespace = namespace_of(request)
    match = query_match(request, ("limit",))
    selected = _limited(list(namespace.journal.select(match)), request)
    return reply(
        {
            **journal_summary(namespace),
            "count": len(selected),
            "requests": entries_json(selected, namespace.journal.body_limit),
        }
    )


async def requests_har(request: web.Request) -> web.Response:
    """The journal (filtered as GET /requests) as HAR 1.2, for developer tools."""
    namespace = namespace_of(request)
    match = query_match(request, ("limit",))
    selected = _limited(list(namespace.journal.select(match)), request)
    document = har_document(selected, namespace.journal.body_limit, f"namespace {namespace.name}")
    response = reply(document)
    response.headers["Content-Disposition"] = f'attachment; filename="emulator-{namespace.name}.har"'
    return response


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


def _bounded_number(body: dict, key: str, default: float, low: float, high: float, *, integer: bool = False):
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int if integer else (int, float)) or not low <= value <= high:
        kind = "an integer" if integer else "a number"
        raise Problem(400, f"{key} must be {kind} from {low:g} to {high:g}", key)
    return value


async def wait_requests(request: web.Request) -> web.Response:
    """Answer once ``count`` journaled requests (after id ``after``) match, or when
    ``timeout`` seconds have passed: 200 either way, ``timed_out`` telling which."""
    namespace = namespace_of(request)
    body = await json_body(request)
    body = {} if body is None else body
    if not isinstance(body, dict) or set(body) - {"match", "count", "timeout", "after"}:
        raise Problem(400, "the body is a JSON object: match, count, timeout (seconds), after (a journal id)", "(body)")
    match = _match(body.get("match") or {}, "match")
    count = _bounded_number(body, "count", 1, 1, namespace.journal.limit or 1, integer=True)
    timeout = _bounded_number(body, "timeout", 10, 0, MAX_WAIT_SECONDS)
    after = _bounded_number(body, "after", 0, 0, 2**63, integer=True)
    journal = namespace.journal
    if count_of(journal, Waiter) >= MAX_WAITERS:
        raise Problem(429, f"namespace {namespace.name} has {MAX_WAITERS} requests waiting, the most it may", "(body)")
    started = time.perf_counter()
    matched, seen = await wait_for(journal, match, count, timeout, after)
    return reply(
        {
            "matched": matched,
            "timed_out": not matched,
            "count": len(seen),
            "wanted": count,
            "waited_ms": elapsed_ms(started),
            "last_id": journal.seq,
            "requests": entries_json(seen, journal.body_limit),
        }
    )


def _event(kind: str, data: Any, event_id: int | None = None) -> bytes:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {kind}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


async def stream_requests(request: web.Request) -> web.StreamResponse:
    """The journal as server-sent events: each new matching exchange as an
    ``event: request`` carrying its JSON journal entry."""
    namespace = namespace_of(request)
    match = query_match(request)
    journal = namespace.journal
    if count_of(journal, Subscriber) >= MAX_SUBSCRIBERS:
        raise Problem(429, f"namespace {namespace.name} has {MAX_SUBSCRIBERS} journal streams, the most it may")
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )
    response.force_close()  # a stream ends with its connection
    await response.prepare(request)
    subscriber = Subscriber(journal, match)
    transport = request.transport

    def cut_if_stuck() -> None:  # a writer blocked on a client that never reads
        if transport is not None and not transport.is_closing():
            transport.abort()

    subscriber.on_drop = lambda: asyncio.get_running_loop().call_later(DROP_GRACE_SECONDS, cut_if_stuck)
    journal.watch(subscriber)
    try:
        await response.write(f"retry: 2000\n: journal of namespace {namespace.name}\n\n".encode())
        while True:
            try:
                async with asyncio.timeout(STREAM_HEARTBEAT_SECONDS):
                    await subscriber.wake.wait()
            except TimeoutError:
                await response.write(b": keep-alive\n\n")
                continue
            subscriber.wake.clear()
            while subscriber.queue:
                entry = subscriber.queue.popleft()
                await response.write(_event("request", entry.to_json(journal.body_limit), entry.seq))
            if subscriber.dropped:
                notice = {
                    "reason": f"more than {MAX_QUEUED} entries were waiting for this client",
                    "last_id": journal.seq,
                }
                await response.write(_event("dropped", notice))
                break
            if subscriber.closed:
                break
    except (ConnectionError, RuntimeError):  # the client went (aiohttp: "Cannot write to closing transport")
        pass
    finally:
        journal.unwatch(subscriber)
    return response


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
