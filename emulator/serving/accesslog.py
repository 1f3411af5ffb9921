"""One log line per request, for the command line (never for apps built by
``create_app`` alone: the pytest fixture stays quiet).

Text: ``GET /customerid-rest/services/2.1/users/… GET105 200 0.08 ms``; JSON (one
object per line, for machines): time, namespace, method, path, query, api,
operation, version, status, ms. Health checks (``GET /__emulator/health``, every
few seconds from a container runtime) are not logged.

The time is measured with ``time.perf_counter`` by ``timing_middleware`` (the
handler's time, microsecond resolution): aiohttp's own figure comes from the
event loop's clock, which under uvloop ticks in whole milliseconds, so most
requests logged ``0.0 ms``.
"""

from __future__ import annotations

import json
import logging
import sys
import time

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from ..server.pipeline import OPERATION
from ..world.state import NAMESPACE_HEADER, STATE

STARTED = web.RequestKey("emulator.access.started", float)

LOGGER_NAME = "emulator.access"
FORMATS = ("text", "json")
QUIET_PATHS = frozenset({"/__emulator/health"})


def operation_of(request) -> tuple[str | None, str | None, str | None]:
    """(api, operation code in the request's version, version) of a routed request."""
    operation = request.get(OPERATION)
    if operation is None:
        return None, None, None
    version = None
    try:
        base_paths = request.app[STATE].apis[operation.api].endpoints.base_paths
    except (AttributeError, KeyError):
        base_paths = {}
    longest = -1
    for candidate in operation.versions:  # the longest base path the request starts with
        base = base_paths.get(candidate, "").rstrip("/")
        if len(base) > longest and (request.path == base or request.path.startswith(base + "/")):
            version, longest = candidate, len(base)
    code = operation.code_for(version) if version else operation.code
    return operation.api, code, version


@web.middleware
async def timing_middleware(request: web.Request, handler):
    """Notes when the request reached the application, for ``RequestLogger``."""
    request[STARTED] = time.perf_counter()
    return await handler(request)


def elapsed_ms(request, loop_seconds: float) -> float:
    """The handler's time by ``perf_counter`` when ``timing_middleware`` saw the
    request, else aiohttp's figure (the loop's clock)."""
    started = request.get(STARTED)
    seconds = time.perf_counter() - started if started is not None else loop_seconds
    return round(seconds * 1000, 3)


def iso_now() -> str:
    now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now % 1 * 1000):03d}Z"


class RequestLogger(AbstractAccessLogger):
    """aiohttp access-log class; ``log_format`` is ``"text"`` or ``"json"``."""

    def log(self, request, response, time: float) -> None:
        if request.path in QUIET_PATHS and request.method == "GET":
            return
        api, code, version = operation_of(request)
        ms = elapsed_ms(request, time)
        if self.log_format == "json":
            self.logger.info(
                json.dumps(
                    {
                        "time": iso_now(),
                        # the header as sent ("default" without one): the log never creates a namespace
                        "namespace": request.headers.get(NAMESPACE_HEADER) or "default",
                        "method": request.method,
                        "path": request.path,
                        "query": request.query_string,
                        "api": api,
                        "operation": code,
                        "version": version,
                        "status": response.status,
                        "ms": ms,
                    },
                    separators=(",", ":"),
                )
            )
        else:
            shown = "-" if code is None else (f'"{code}"' if " " in code else code)
            path = request.path + (f"?{request.query_string}" if request.query_string else "")
            self.logger.info("%s %s %s %s %s ms", request.method, path, shown, response.status, _shown_ms(ms))


def _shown_ms(ms: float) -> str:
    """Microseconds below 1 ms (0.084), hundredths below 10 ms (2.31), tenths above."""
    if ms < 1:
        return f"{ms:.3f}"
    return f"{ms:.2f}" if ms < 10 else f"{ms:.1f}"


def access_logger(stream=None) -> logging.Logger:
    """The logger request lines go to: plain messages on stdout, in order with the
    start-up lines, never propagated to the root logger."""
    logger = logging.getLogger(LOGGER_NAME)
    if not logger.handlers:
        handler = logging.StreamHandler(stream or sys.stdout)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger
