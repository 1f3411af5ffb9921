"""Injected faults: rules that make an emulated API misbehave on purpose.

A fault matches requests (any subset of api, operation, method, path glob,
headers, a value in the body) and answers them with an action instead of, or after, the real
operation. The dispatcher asks ``FaultSet.pick`` around the operation, never
inside it: with no faults configured it is one truthiness test per request.

A fault that answers *instead of* the operation never runs it, so a write it hits
changes nothing; ``after: true`` runs the operation first (its writes stay) and
then answers with the fault: a lost response, the case retry logic must survive.
"""

from __future__ import annotations

import asyncio
import builtins
import difflib
import itertools
import json
import math
import random
import re
import socket
import struct
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from .budget import FAULT_BASE_BYTES, LimitReached, MemoryBudget, UnlimitedBudget
from .matching import REQUEST_KEYS, MatchError, RequestPattern

KINDS = ("status", "delay", "reset", "empty", "malformed", "timeout")
MATCH_KEYS = REQUEST_KEYS
FAULT_KEYS = ("match", "action", "probability", "times", "ttl_seconds", "after", "seed", "id")
ACTION_KEYS = ("kind", "status", "body", "content_type", "delay_ms", "headers")
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # RFC 9110 token (fullmatch)
_NOT_IN_HEADER_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # CR, LF and other controls


class Fault:
    __slots__ = (
        "id",
        "spec",
        "request",
        "kind",
        "status",
        "body",
        "content_type",
        "headers",
        "delay_ms",
        "probability",
        "rng",
        "remaining",
        "expires_at",
        "after",
        "fired",
        "matched",
        "created",
        "bytes",
    )
    id: str
    spec: dict[str, Any]
    request: RequestPattern
    kind: str
    status: int
    body: str | None
    content_type: str | None
    headers: dict[str, str]
    delay_ms: float
    probability: float
    rng: random.Random
    remaining: int | None
    expires_at: float | None
    after: bool
    fired: int
    matched: int
    created: float
    bytes: int

    def matches(self, request: web.Request, api: str, operation: str | None, body: builtins.bytes | None) -> bool:
        pattern = self.request
        if not pattern.fits(api, operation, request.method, request.path, request.headers):
            return False
        return pattern.body is None or pattern.body.fits(body)

    def to_json(self, now: float) -> dict[str, Any]:
        return {
            "id": self.id,
            **self.spec,
            "fired": self.fired,
            "matched": self.matched,
            "remaining": self.remaining,
            "expires_in_seconds": round(self.expires_at - now, 3) if self.expires_at is not None else None,
        }

    def journal_note(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "fired": self.fired, "after": self.after}


def _number(value: Any, where: str, *, minimum: float, maximum: float | None = None, integer: bool = False):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and not isinstance(value, int)):
        raise MatchError(where, "must be an integer" if integer else "must be a number")
    if not math.isfinite(value):
        raise MatchError(where, "must be a finite number")
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise MatchError(where, f"must be {bounds}")
    return value


def operation_codes(apis) -> dict[str, str]:
    """Every operation code a fault may name -> the code faults match it by: an
    operation's own code, and its per-version codes (MOD004b) pointing to it."""
    codes: dict[str, str] = {}
    for api in apis:
        for operation in api.endpoints.operations:
            for version in operation.versions:
                codes.setdefault(operation.code_for(version), operation.code)
            codes[operation.code] = operation.code
    return codes


def _unknown_operation(given: str, codes: dict[str, str]) -> str:
    primary = sorted(set(codes.values()))
    if given in codes:
        return (
            f"{given} is a per-version code of {codes[given]}; faults match operations by their code: "
            f"use {codes[given]!r}"
        )
    folded = {code.casefold(): code for code in primary}
    close = (
        [folded[given.casefold()]]
        if given.casefold() in folded
        else difflib.get_close_matches(given, primary, n=5, cutoff=0.6)
    )
    hint = (
        f"close: {', '.join(close)}"
        if close
        else f"known codes start with {', '.join(sorted({c[:3] for c in primary}))}"
    )
    return f"unknown operation code {given!r} ({hint}; `emulator endpoints` lists every code)"


class FaultSet:
    """The faults of one namespace, in the order they were added: the first
    live fault that matches (and whose probability draw succeeds) fires."""

    def __init__(
        self,
        api_names: tuple[str, ...],
        max_hold_seconds: float,
        seed: int | None = None,
        *,
        budget: MemoryBudget | None = None,
        max_faults: int = 100,
        operations: dict[str, str] | None = None,
    ) -> None:
        self.faults: dict[str, Fault] = {}
        self.reads_body = False
        self.budget = budget if budget is not None else UnlimitedBudget()
        self.max_faults = max_faults
        self.api_names = api_names
        self.operations = operations  # operation_codes(): None accepts any code
        self.max_hold_seconds = max_hold_seconds
        self._seeds = random.Random(seed)
        self._ids = itertools.count(1)

    def __bool__(self) -> bool:
        return bool(self.faults)

    def _note_body_patterns(self) -> None:
        """``reads_body``: some fault matches on the body, so the pipeline reads it
        before ``pick`` (kept as a flag: the pipeline asks it per request)."""
        self.reads_body = any(fault.request.body is not None for fault in self.faults.values())

    def __len__(self) -> int:
        return len(self.faults)

    def add(self, spec: Any) -> Fault:
        """MatchError for a bad spec; LimitReached past max_faults or the memory budget."""
        fault = self.parse(spec)
        if fault.id not in self.faults and len(self.faults) >= self.max_faults:
            self._expire(time.monotonic())
            if len(self.faults) >= self.max_faults:
                raise LimitReached(f"this namespace holds {self.max_faults} faults, the most it may; delete some")
        fault.bytes = FAULT_BASE_BYTES + 2 * len(fault.body or "")
        self.budget.charge("fault_bytes", fault.bytes)
        self._discard(fault.id)
        self.faults[fault.id] = fault
        self._note_body_patterns()
        return fault

    def _discard(self, fault_id: str) -> None:
        fault = self.faults.pop(fault_id, None)
        if fault is not None:
            self.budget.release("fault_bytes", fault.bytes)
            if fault.request.body is not None:
                self._note_body_patterns()

    def parse(self, spec: Any) -> Fault:
        if not isinstance(spec, dict):
            raise MatchError("(body)", "a fault is a JSON object with match and action")
        unknown = set(spec) - set(FAULT_KEYS)
        if unknown:
            raise MatchError(sorted(unknown)[0], f"unknown key (known: {', '.join(FAULT_KEYS)})")
        match = spec.get("match")
        match = {} if match is None else match  # null is "match everything"; false, [], "" are not objects
        action = spec.get("action")
        if not isinstance(match, dict):
            raise MatchError("match", "must be an object")
        if not isinstance(action, dict):
            raise MatchError(
                "action", "required: an object with kind (status, delay, reset, empty, malformed, timeout)"
            )
        for key in set(match) - set(MATCH_KEYS):
            raise MatchError(f"match.{key}", f"unknown key (known: {', '.join(MATCH_KEYS)})")
        for key in set(action) - set(ACTION_KEYS):
            raise MatchError(f"action.{key}", f"unknown key (known: {', '.join(ACTION_KEYS)})")
        fault = Fault()
        fault.id = self._fault_id(spec.get("id"))
        pattern = fault.request = RequestPattern(match, "match")
        if pattern.api is not None and pattern.api not in self.api_names:
            raise MatchError("match.api", f"unknown API {pattern.api!r} (known: {', '.join(self.api_names)})")
        if (
            pattern.operation is not None
            and self.operations is not None
            and self.operations.get(pattern.operation) != pattern.operation
        ):
            raise MatchError("match.operation", _unknown_operation(pattern.operation, self.operations))

        kind = action.get("kind", "status" if "status" in action else "delay" if "delay_ms" in action else None)
        if kind not in KINDS:
            raise MatchError("action.kind", f"must be one of {', '.join(KINDS)}")
        fault.kind = kind
        status = action.get("status", 503 if kind == "status" else 200)
        fault.status = _number(status, "action.status", minimum=100, maximum=599, integer=True)
        body = action.get("body")
        if body is not None and not isinstance(body, str):
            body = json.dumps(body)  # a JSON body may be given as JSON
        fault.body = body
        content_type = action.get("content_type")
        if content_type is None and body is not None:
            stripped = body.lstrip()
            content_type = (
                "application/json"
                if stripped[:1] in ("{", "[")
                else "application/xml"
                if stripped[:1] == "<"
                else "text/plain"
            )
        fault.content_type = content_type
        headers = action.get("headers") or {}
        if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
            raise MatchError("action.headers", "must map header names to string values")
        for name, value in headers.items():
            if not _HEADER_NAME.fullmatch(name) or _NOT_IN_HEADER_VALUE.search(value):
                raise MatchError(f"action.headers.{name}", "not a valid HTTP header name and value")
        fault.headers = headers
        delay = action.get("delay_ms", 0)
        fault.delay_ms = _number(delay, "action.delay_ms", minimum=0)
        if kind == "delay" and not fault.delay_ms:
            raise MatchError("action.delay_ms", "a delay fault needs delay_ms > 0")

        fault.probability = _number(spec.get("probability", 1.0), "probability", minimum=0, maximum=1)
        seed = spec.get("seed")
        if seed is not None:
            _number(seed, "seed", minimum=-(2**63), integer=True)
        fault.rng = random.Random(seed if seed is not None else self._seeds.getrandbits(64))
        times = spec.get("times")
        fault.remaining = _number(times, "times", minimum=1, integer=True) if times is not None else None
        ttl = spec.get("ttl_seconds")
        now = time.monotonic()
        fault.expires_at = now + _number(ttl, "ttl_seconds", minimum=0) if ttl is not None else None
        after = spec.get("after", False)
        if not isinstance(after, bool):
            raise MatchError("after", "must be true or false")
        fault.after = after
        fault.fired = fault.matched = 0
        fault.created = time.time()
        fault.spec = {
            "match": {key: match[key] for key in MATCH_KEYS if match.get(key) is not None},
            "action": {"kind": kind, **{key: action[key] for key in ACTION_KEYS[1:] if key in action}},
            "probability": fault.probability,
            "times": times,
            "ttl_seconds": ttl,
            "after": after,
            "seed": seed,
        }
        return fault

    def _fault_id(self, given: Any) -> str:
        if given is None:
            while True:
                candidate = f"f{next(self._ids)}"
                if candidate not in self.faults:
                    return candidate
        if not isinstance(given, str) or not given or len(given) > 100:
            raise MatchError("id", "must be a non-empty string of at most 100 characters")
        return given  # an id in use is replaced: re-posting a named fault updates it

    def live(self) -> list[Fault]:
        self._expire(time.monotonic())
        return list(self.faults.values())

    def _expire(self, now: float) -> None:
        for fault in [f for f in self.faults.values() if f.expires_at is not None and now >= f.expires_at]:
            self._discard(fault.id)

    def remove(self, fault_id: str) -> bool:
        found = fault_id in self.faults
        self._discard(fault_id)
        return found

    def clear(self) -> None:
        for fault_id in list(self.faults):
            self._discard(fault_id)

    def pick(self, request: web.Request, api: str, operation: str | None, body: bytes | None = None) -> Fault | None:
        """The fault to apply to this request, counted as fired; None: serve normally.
        ``body``: the request body, read when ``reads_body`` (else no body pattern matches)."""
        now = time.monotonic()
        for fault in list(self.faults.values()):
            if fault.expires_at is not None and now >= fault.expires_at:
                self._discard(fault.id)
                continue
            if not fault.matches(request, api, operation, body):
                continue
            fault.matched += 1
            if fault.probability < 1.0 and fault.rng.random() >= fault.probability:
                continue
            fault.fired += 1
            if fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._discard(fault.id)
            return fault
        return None


class Dropped(web.Response):
    """What the dispatcher returns when the fault already closed the connection:
    aiohttp's attempt to send it fails quietly (ConnectionError)."""

    def __init__(self) -> None:
        super().__init__(status=599)


def _close(request: web.Request, *, reset: bool) -> web.StreamResponse:
    transport = request.transport
    if transport is not None and not transport.is_closing():
        if reset:
            sock = transport.get_extra_info("socket")
            if sock is not None:
                try:  # linger 0: close() sends RST, the peer sees "connection reset"
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                except OSError:
                    pass
            transport.abort()
        else:
            transport.close()
    return Dropped()


async def apply(
    fault: Fault, request: web.Request, api, run: Callable[[], Awaitable[web.StreamResponse]], max_hold_seconds: float
) -> web.StreamResponse:
    """Answer ``request`` as ``fault`` says; ``run`` serves it for real."""
    response = await run() if fault.after else None
    if fault.delay_ms:
        await asyncio.sleep(min(fault.delay_ms / 1000, max_hold_seconds))
    kind = fault.kind
    if kind == "delay":
        return _with_headers(fault, response if response is not None else await run())
    if kind == "status":
        return _fault_response(fault, api, request)
    if kind == "reset":
        return _close(request, reset=True)
    if kind == "empty":
        return _close(request, reset=False)
    if kind == "timeout":
        await asyncio.sleep(max_hold_seconds)  # the client gives up first, or we do
        return _close(request, reset=False)
    # malformed: the head promises the whole body, half of it comes, then the connection closes
    answered = response.body if isinstance(response, web.Response) else None
    if response is not None and isinstance(answered, (bytes, bytearray)) and answered:
        body, status, content_type = bytes(answered), response.status, response.content_type
    else:
        shaped = _fault_response(fault, api, request)
        shaped_body = shaped.body
        body = bytes(shaped_body) if isinstance(shaped_body, (bytes, bytearray)) else b""
        status, content_type = shaped.status, shaped.content_type
    transport = request.transport
    if transport is not None and not transport.is_closing():
        extra = "".join(f"{name}: {value}\r\n" for name, value in fault.headers.items())
        head = (
            f"HTTP/1.1 {status} Fault\r\nContent-Type: {content_type}\r\n{extra}"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode()
        transport.write(head + body[: max(1, len(body) // 2)])
    return _close(request, reset=False)


def _with_headers(fault: Fault, response: web.StreamResponse) -> web.StreamResponse:
    """The fault's ``headers`` on an answer it lets through (delay): set unless the
    answer was already sent (a streamed one) or is a dropped connection."""
    if fault.headers and not response.prepared and not isinstance(response, Dropped):
        response.headers.update(fault.headers)
    return response


def _fault_response(fault: Fault, api, request: web.Request) -> web.Response:
    if fault.body is None:
        response = api.error_response(fault.status, f"injected fault {fault.id}", request)
    else:
        response = web.Response(
            status=fault.status, body=fault.body.encode(), headers={"Content-Type": fault.content_type or "text/plain"}
        )
    response.headers.update(fault.headers)
    return response
