"""The dashboard at ``/__emulator/``: a static page (HTML, vanilla JavaScript, CSS,
all package data, nothing from a CDN) that is a client of the control API, so it
shows exactly what tests see. The page and its assets are served without the
control token; every call they make sends the token the user typed
(``Authorization: Bearer``), kept in the browser's sessionStorage."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from aiohttp import web

STATIC = Path(__file__).resolve().parent / "static"
CONTENT_TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
# The routes served without the control token: the page and its files hold no state.
PAGES = ("", "/", "/dashboard/{file}")


@functools.lru_cache(maxsize=1)
def _assets() -> dict[str, tuple[bytes, str]]:
    """Every file of static/, read once: name -> (bytes, content type)."""
    return {
        path.name: (path.read_bytes(), CONTENT_TYPES[path.suffix])
        for path in sorted(STATIC.iterdir())
        if path.suffix in CONTENT_TYPES
    }


# Only this origin: the page works offline, and a stray CDN link would fail in every test.
CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"


def _asset_response(name: str) -> web.Response:
    body, content_type = _assets()[name]
    return web.Response(
        body=body,
        content_type=content_type,
        charset="utf-8",
        headers={
            "Cache-Control": "no-cache",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        },
    )


async def dashboard_page(request: web.Request) -> web.Response:
    """The dashboard (HTML)."""
    return _asset_response("index.html")


async def dashboard_redirect(request: web.Request) -> web.Response:
    """/__emulator without the slash: to the dashboard."""
    raise web.HTTPFound(request.path + "/")


async def dashboard_file(request: web.Request) -> web.Response:
    """A file of the dashboard (script, style sheet)."""
    name = request.match_info["file"]
    if name not in _assets():
        return web.json_response({"error": f"the dashboard has no file {name!r}", "where": "file"}, status=404)
    return _asset_response(name)


def routes() -> list[tuple[str, str, Any]]:
    _assets()  # read the files at startup, not on the first request
    return [("GET", "", dashboard_redirect), ("GET", "/", dashboard_page), ("GET", "/dashboard/{file}", dashboard_file)]
