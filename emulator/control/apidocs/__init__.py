"""Swagger UI at /__emulator/docs over the emulator's API documents.

The page offers every OpenAPI document the emulator serves: each API's own
(``GET /__emulator/<api>/openapi.json`` among its control routes: CustomerID, DFS)
and the control API's (``/__emulator/openapi.json``). Swagger UI is vendored from
the npm package swagger-ui-dist (static/swagger-ui/VENDORED.md): no CDN, works
offline. The page, its assets and the documents are open even with a control
token: they describe, they reveal no state; "Try it out" on a guarded control
endpoint needs the token entered under Authorize.
"""

from __future__ import annotations

import functools
import json
import mimetypes
from pathlib import Path

from aiohttp import web

from ...api import control_routes_of
from ...world.state import STATE

PAGE = "/__emulator/docs"
STATIC = PAGE + "/static"
CONTROL_DOCUMENT = {"key": "control", "name": "Emulator control API", "url": "/__emulator/openapi.json"}
_STATIC_DIR = Path(__file__).resolve().parent / "static"
_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".png": "image/png",
    ".txt": "text/plain",
    ".md": "text/markdown",
    "": "text/plain",
}


def documents(state) -> list[dict]:
    """Every API with an ``openapi.json`` control route, then the control API."""
    listed = []
    for api in state.apis.values():
        if any(method == "GET" and path == "/openapi.json" for method, path, _ in control_routes_of(api)):
            listed.append({"key": api.name, "name": api.endpoints.title, "url": f"/__emulator/{api.name}/openapi.json"})
    return [*listed, CONTROL_DOCUMENT]


def _page(state) -> bytes:
    listed = documents(state)
    # Inside <script type="application/json">: "</" must not end the element early.
    data = json.dumps(listed).replace("</", "<\\/")
    return _template().replace("@DOCUMENTS@", data).encode()


@functools.lru_cache(maxsize=1)
def _template() -> str:
    return (_STATIC_DIR / "index.html").read_text("utf-8")


@functools.lru_cache(maxsize=1)
def _assets() -> dict[str, Path]:
    """The files the page may load, fixed at start-up: nothing else under static/ is reachable."""
    return {
        path.relative_to(_STATIC_DIR).as_posix(): path
        for path in _STATIC_DIR.rglob("*")
        if path.is_file() and path.name != "index.html"
    }


def add_routes(app: web.Application) -> None:
    page = _page(app[STATE])
    assets = _assets()

    async def docs_page(request: web.Request) -> web.Response:
        return web.Response(body=page, content_type="text/html", charset="utf-8", headers={"Cache-Control": "no-cache"})

    async def docs_asset(request: web.Request) -> web.StreamResponse:
        path = assets.get(request.match_info["name"])
        if path is None:
            return web.json_response(
                {"error": f"no file {request.match_info['name']!r} in the docs page's assets"}, status=404
            )
        content_type = _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return web.FileResponse(path, headers={"Content-Type": content_type, "Cache-Control": "public, max-age=3600"})

    app.router.add_get(PAGE, docs_page)
    app.router.add_get(STATIC + "/{name:.+}", docs_asset)
