"""What every control endpoint shares: its error (``Problem``, answered as
``{"error", "where"}``), the namespace a request names, reading JSON bodies and
flags within the parsing limits, and the ``BrowserGate`` that keeps web pages out."""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from ..config import host_name
from ..formats.safeparse import UnsafeDocument, load_json
from ..server.connections import read_body
from ..world.state import NAMESPACE_HEADER, STATE, EmulatorState, Namespace, NamespaceError

PREFIX = "/__emulator"
PROBLEM_CHARS = 1000  # an error message never quotes a whole (possibly hostile) document
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# What a page may send cross-origin without a CORS preflight (Fetch standard): the
# server would act on it before the browser ever asked whether the page may.
SAFELISTED_CONTENT_TYPES = frozenset({"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"})


class Problem(Exception):
    """A control request that cannot be done: becomes ``{"error", "where"}``."""

    def __init__(self, status: int, message: str, where: str | None = None, **extra: Any) -> None:
        message = message if len(message) <= PROBLEM_CHARS else message[:PROBLEM_CHARS] + "…"
        super().__init__(message)
        self.status, self.message, self.where, self.extra = status, message, where, extra

    def response(self) -> web.Response:
        body = {"error": self.message, **({"where": self.where} if self.where else {}), **self.extra}
        return web.json_response(body, status=self.status)


def reply(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status)


def state_of(request: web.Request) -> EmulatorState:
    return request.app[STATE]


def authorized(request: web.Request, token: str | None) -> bool:
    if token is None:
        return True
    given = request.headers.get("Authorization", "")
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), f"Bearer {token}".encode())


def namespace_of(request: web.Request) -> Namespace:
    state = state_of(request)
    try:
        # Only a caller holding the control token (when one is set) creates namespaces:
        # health is open to everyone, so it may look a namespace up, not make one.
        return state.namespace_for(request, create=authorized(request, state.config.control_token))
    except NamespaceError as error:
        raise Problem(error.status, str(error), NAMESPACE_HEADER) from None


async def json_body(request: web.Request, *, required: bool = False) -> Any:
    raw = await read_body(request) if request.body_exists else b""
    if not raw.strip():
        if required:
            raise Problem(400, "a JSON body is required", "(body)")
        return {}
    try:
        return load_json(raw)
    except UnsafeDocument as error:
        raise Problem(400, error.problem, error.where or "(body)") from None


def bool_query(request: web.Request, name: str) -> bool:
    value = request.query.get(name, "false")
    if value in ("true", "1", "yes", ""):
        return True
    if value in ("false", "0", "no"):
        return False
    raise Problem(400, f"{name} must be true or false", f"?{name}")


def elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)


class BrowserGate:
    """What keeps a web page the developer happens to visit from driving the control
    API (docs/limits.md, "Security model"):

    - ``Host`` must be a name the emulator serves (``hosts``; None: any): a page that
      rebinds its own DNS name to 127.0.0.1 still sends its own name, and is refused;
    - a state-changing request must not be one a page can send without a CORS
      preflight: a CORS-safelisted Content-Type, a body without one, or (a POST
      without a body) an ``Origin`` that is neither the emulator's own nor ``--cors``'s.
    """

    def __init__(self, hosts: frozenset[str] | None, origin_allowed: Callable[[str], bool]) -> None:
        self.hosts = hosts
        self.origin_allowed = origin_allowed

    def refusal(self, request: web.Request) -> Problem | None:
        host = request.headers.get("Host")
        if self.hosts is not None and host is not None and host_name(host) not in self.hosts:
            return Problem(
                403,
                f"the control API does not answer to Host {host!r} (allowed: {', '.join(sorted(self.hosts))}; "
                "add names with --allowed-hosts / EMULATOR_ALLOWED_HOSTS)",
                "Host",
            )
        if request.method not in STATE_CHANGING:
            return None
        content_type = request.headers.get("Content-Type")
        media_type = content_type.split(";", 1)[0].strip().lower() if content_type is not None else None
        if media_type in SAFELISTED_CONTENT_TYPES or (media_type is None and request.body_exists):
            return Problem(
                415,
                f"control requests that change state take Content-Type: application/json, not {media_type or 'none'} "
                "(a web page may send that to any server without asking)",
                "Content-Type",
            )
        origin = request.headers.get("Origin")
        if media_type is None and origin is not None and not self._same_origin(origin, host):
            if not self.origin_allowed(origin):
                return Problem(
                    403, f"a page from {origin} may not change the emulator (allow it with --cors)", "Origin"
                )
        return None

    @staticmethod
    def _same_origin(origin: str, host: str | None) -> bool:
        return host is not None and origin.lower().partition("://")[2] == host.lower()
