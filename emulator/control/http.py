"""What every control endpoint shares: its error (``Problem``, answered as
``{"error", "where"}``), the namespace a request names, and reading JSON bodies
and flags within the parsing limits."""

from __future__ import annotations

import hmac
import time
from typing import Any

from aiohttp import web

from ..formats.safeparse import UnsafeDocument, load_json
from ..server.connections import read_body
from ..world.state import NAMESPACE_HEADER, STATE, EmulatorState, Namespace, NamespaceError

PREFIX = "/__emulator"
PROBLEM_CHARS = 1000  # an error message never quotes a whole (possibly hostile) document


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
