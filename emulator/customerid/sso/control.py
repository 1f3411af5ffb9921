"""POST /__emulator/customerid/tokens: SSO access tokens on demand, good or bad in
a chosen way, so a test can prove how its client handles each (docs/control-api.md)."""

from __future__ import annotations

from aiohttp import web

from ...formats.safeparse import load_json
from ...server.connections import read_body
from ...world.state import STATE
from .endpoints import issuer
from .model import KINDS


def _problem(status: int, message: str) -> web.Response:
    return web.json_response({"error": message, "kinds": list(KINDS)}, status=status)


async def mint_token(request: web.Request) -> web.Response:
    """Mint an SSO access token, good or bad: {"kind", "username", "clientId"} -> {"access_token", ...}.

    ``kind``: valid (default), expired, not_yet_valid, wrong_audience, wrong_scope,
    other_tenant, bad_signature, revoked or outside_group (docs/control-api.md)."""
    world = request.app[STATE].world_for(request)
    try:
        raw = await read_body(request)
        body = load_json(raw) if raw.strip() else {}
    except ValueError as error:  # safeparse.UnsafeDocument: not JSON, too deep, not UTF-8, NaN
        return _problem(400, f"the body is not accepted: {error}")
    if not isinstance(body, dict):
        return _problem(400, "the body is a JSON object")
    kind, username, client_id = body.get("kind", "valid"), body.get("username"), body.get("clientId")
    for name, value in (("kind", kind), ("username", username), ("clientId", client_id)):
        if value is not None and not isinstance(value, str):
            return _problem(400, f"{name} is a string")
    try:
        minted = world.models["customerid"].sso.mint(issuer(request), kind, username, client_id)
    except ValueError as error:
        return _problem(400, str(error))
    except LookupError as error:
        return _problem(404, str(error).strip("'\""))
    return web.json_response(minted)


mint_token.request_schema = {  # type: ignore[attr-defined]  # read by the control API's OpenAPI document
    "type": "object",
    "properties": {
        "kind": {"enum": list(KINDS), "default": "valid"},
        "username": {"type": ["string", "null"], "description": "an SSO user (default, or null: the first API user)"},
        "clientId": {"type": ["string", "null"], "description": "an SSO client (default, or null: the first)"},
    },
}
