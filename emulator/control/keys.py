"""``GET /__emulator/keys``: the namespace's scenario keys -> ids.

What a client outside the process (the pytest plugin against a sidecar) needs to
turn a scenario's symbolic key (``user`` / ``maija``) into the id the emulator gave
it, without reading the scenario files itself. Hooked into the control API's route
table (control.py); documented in docs/control-api.md and control-openapi.yaml.
"""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from ..world.scenarios import missing_key_message
from ..world.state import NAMESPACE_HEADER, STATE, NamespaceError


def _keys(request: web.Request) -> Mapping[tuple[str, str], str]:
    return request.app[STATE].world_for(request).keys


def _problem(status: int, message: str, where: str, **extra) -> web.Response:
    return web.json_response({"error": message, "where": where, **extra}, status=status)


async def list_keys(request: web.Request) -> web.Response:
    """Every key of the namespace's scenarios, or of one kind (``?kind=user``)."""
    try:
        keys = _keys(request)
    except NamespaceError as error:
        return _problem(error.status, str(error), NAMESPACE_HEADER)
    kind = request.query.get("kind")
    kinds = sorted({known for known, _ in keys})
    if kind is not None and kind not in kinds:
        return _problem(404, missing_key_message(keys, kind, None), "kind", kinds=kinds)
    listing = [
        {"kind": known, "key": key, "id": entity_id}
        for (known, key), entity_id in sorted(keys.items())
        if kind in (None, known)
    ]
    return web.json_response({"count": len(listing), "kinds": kinds, "keys": listing})


async def get_key(request: web.Request) -> web.Response:
    """One key's id: ``GET /__emulator/keys/user/maija`` -> ``{"kind", "key", "id"}``."""
    try:
        keys = _keys(request)
    except NamespaceError as error:
        return _problem(error.status, str(error), NAMESPACE_HEADER)
    kind, key = request.match_info["kind"], request.match_info["key"]
    entity_id = keys.get((kind, key))
    if entity_id is None:
        where = "kind" if all(known != kind for known, _ in keys) else "key"
        return _problem(404, missing_key_message(keys, kind, key), where, kinds=sorted({known for known, _ in keys}))
    return web.json_response({"kind": kind, "key": key, "id": entity_id})


ROUTES = [("GET", "/keys", list_keys), ("GET", "/keys/{kind}/{key}", get_key)]
