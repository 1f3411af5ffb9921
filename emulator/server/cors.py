"""CORS for browser clients of both APIs and the control API (``--cors``).

Off unless origins are configured; then a middleware answers preflights (OPTIONS
with Access-Control-Request-Method) before any route does, so the CustomerID
dispatcher's own OPTIONS answer (JAX-RS ``Allow``) and the control API's 405 never
reach a browser's preflight, and a response hook adds the CORS headers to every
answer for an allowed Origin, errors and injected faults included. A preflight
from an origin that is not allowed gets 403 without CORS headers; an actual
request from one is served as usual, without CORS headers (the browser withholds
the answer from the page).

The allowed Origin is always echoed back with ``Access-Control-Allow-Credentials:
true``, never a literal ``*``: browsers refuse ``*`` on credentialed requests, and
the APIs are called with credentials (Basic, Bearer). ``*`` in the configuration
only means "any origin".
"""

from __future__ import annotations

import re

from aiohttp import web

ANY_ORIGIN = "*"
METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
# What a page may read from an answer besides the CORS-safelisted headers.
EXPOSED_HEADERS = ", ".join(
    (
        "WWW-Authenticate",
        "Location",
        "Allow",
        "X-Correlation-ID",
        "CorrelationId",
        "Retry-After",
        "Content-Disposition",
        "X-Emulator-Namespace",
    )
)
MAX_AGE_SECONDS = "600"
_ORIGIN = re.compile(r"^[a-z][a-z0-9+.-]*://[^/?#\s]+$")
_VARY = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"


def parse_origins(text: str | None) -> tuple[str, ...]:
    """``https://app.example,http://localhost:3000`` (or ``*``) -> normalized origins;
    anything that is not an origin (a path, a trailing slash is forgiven) is refused."""
    if not text:
        return ()
    origins = []
    for part in text.split(","):
        origin = part.strip().rstrip("/").lower()
        if not origin:
            continue
        if origin != ANY_ORIGIN and origin != "null" and not _ORIGIN.match(origin):
            raise ValueError(
                f"--cors / EMULATOR_CORS: {part.strip()!r} is not an origin (scheme://host[:port], or * for any)"
            )
        origins.append(origin)
    return tuple(dict.fromkeys(origins))


class CorsPolicy:
    def __init__(self, origins: tuple[str, ...]) -> None:
        self.any = ANY_ORIGIN in origins
        self.origins = frozenset(origin.rstrip("/").lower() for origin in origins)

    def allows(self, origin: str) -> bool:
        return self.any or origin.lower() in self.origins

    @web.middleware
    async def preflight(self, request: web.Request, handler):
        if request.method != "OPTIONS" or "Access-Control-Request-Method" not in request.headers:
            return await handler(request)
        origin = request.headers.get("Origin")
        if origin is None:
            return await handler(request)  # not a CORS preflight: the route's own OPTIONS answer
        if not self.allows(origin):
            return web.Response(
                status=403, text=f"CORS: origin {origin} is not allowed (--cors)", headers={"Vary": _VARY}
            )
        headers = {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Credentials": "true",
            "Access-Control-Allow-Methods": METHODS,
            "Access-Control-Max-Age": MAX_AGE_SECONDS,
            "Vary": _VARY,
        }
        requested = request.headers.get("Access-Control-Request-Headers")
        if requested:
            headers["Access-Control-Allow-Headers"] = requested  # any header a client sends is fine here
        return web.Response(status=204, headers=headers)

    async def add_headers(self, request: web.Request, response: web.StreamResponse) -> None:
        origin = request.headers.get("Origin")
        if origin is None or "Access-Control-Allow-Origin" in response.headers or not self.allows(origin):
            return
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Credentials"] = "true"
        response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        vary = response.headers.get("Vary")
        response.headers["Vary"] = f"{vary}, Origin" if vary else "Origin"


def install(app: web.Application, origins: tuple[str, ...]) -> None:
    """Nothing at all when no origin is configured: no middleware, no hook."""
    if not origins:
        return
    policy = CorsPolicy(origins)
    app.middlewares.append(policy.preflight)
    app.on_response_prepare.append(policy.add_headers)
