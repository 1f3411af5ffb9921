"""The control API under /__emulator/: JSON only, for tests and operators."""

from __future__ import annotations

import time

from aiohttp import web

from .state import STATE

PREFIX = "/__emulator"


async def health(request: web.Request) -> web.Response:
    state = request.app[STATE]
    world = state.world_for(request)
    return web.json_response({
        "status": "ok",
        "uptime_seconds": round(time.monotonic() - state.started, 3),
        "apis": {name: sum(len(op.versions) for op in api.endpoints.operations) for name, api in state.apis.items()},
        "scenarios": list(state.baseline.files),
        "counts": {name: api.summary_counts(world.store) for name, api in state.apis.items()},
    })


async def reset(request: web.Request) -> web.Response:
    state = request.app[STATE]
    started = time.perf_counter()
    state.reset()
    return web.json_response({"status": "reset", "scenarios": list(state.baseline.files),
                              "milliseconds": round((time.perf_counter() - started) * 1000, 3)})


async def endpoints(request: web.Request) -> web.Response:
    state = request.app[STATE]
    listing = []
    for api in state.apis.values():
        for operation in api.endpoints.operations:
            for version in operation.versions:
                listing.append({
                    "api": api.name,
                    "code": operation.code_for(version),
                    "summary": operation.summary,
                    "method": operation.method,
                    "path": operation.url_template(api.endpoints.base_paths[version]),
                    "version": version,
                    "hits": state.hits[(api.name, operation.code, version)],
                })
    return web.json_response({"count": len(listing), "endpoints": listing})


def add_routes(app: web.Application) -> None:
    app.router.add_get(f"{PREFIX}/health", health)
    app.router.add_post(f"{PREFIX}/reset", reset)
    app.router.add_get(f"{PREFIX}/endpoints", endpoints)
    # An API's own simulations of what happens outside the API (a person
    # completing registration…), under /__emulator/{api}/.
    for api in app[STATE].apis.values():
        for method, path, handler in api.control_routes():
            app.router.add_route(method, f"{PREFIX}/{api.name}{path}", handler)
