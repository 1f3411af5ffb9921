"""POST /__emulator/customerid/tokens: SSO access tokens on demand, good or bad in
a chosen way, so a test can prove how its client handles each (docs/control-api.md)."""

from __future__ import annotations

from aiohttp import web

from ...auth.keyrotation import ROTATION_SCHEMA, grace_seconds
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


async def login_as(request: web.Request) -> web.Response:
    """The user the next authorization request logs in, without the login page: {"username": "maija"}.

    Single use, per namespace; ``{"username": null}`` shows the page again. The user must
    be one the login page offers (404 otherwise). docs/oauth.md, "Logging a user in without the page"."""
    world = request.app[STATE].world_for(request)
    try:
        raw = await read_body(request)
        body = load_json(raw) if raw.strip() else {}
    except ValueError as error:
        return web.json_response({"error": f"the body is not accepted: {error}"}, status=400)
    if not isinstance(body, dict) or "username" not in body:
        return web.json_response({"error": 'the body is {"username": "..."} (null: show the page again)'}, status=400)
    username = body["username"]
    if username is not None and (not isinstance(username, str) or not username):
        return web.json_response({"error": "username is a non-empty string or null"}, status=400)
    try:
        world.models["customerid"].sso.authorization.preselect(username)
    except LookupError as error:
        return web.json_response({"error": str(error).strip("'\"")}, status=404)
    return web.json_response({"username": username})


login_as.request_schema = {  # type: ignore[attr-defined]
    "type": "object",
    "required": ["username"],
    "properties": {
        "username": {
            "type": ["string", "null"],
            "minLength": 1,
            "description": "a user the login page offers; null: show the page again",
        }
    },
}


async def rotate_keys(request: web.Request) -> web.Response:
    """Rotate the SSO's signing key in this namespace: {"graceSeconds": 300} -> the new and retired kid.

    New tokens are signed with a new key (a new ``kid``); the retired key stays in
    JWKS, and its tokens verify, for ``graceSeconds`` on the namespace's clock (0:
    dropped at once, its tokens refused from now on). docs/oauth.md, "Rotating the signing key"."""
    grace = await grace_seconds(request)
    if isinstance(grace, web.Response):
        return grace
    return web.json_response(request.app[STATE].world_for(request).models["customerid"].sso.ring.rotate(grace))


mint_token.request_schema = {  # type: ignore[attr-defined]  # read by the control API's OpenAPI document
    "type": "object",
    "properties": {
        "kind": {"enum": list(KINDS), "default": "valid"},
        "username": {"type": ["string", "null"], "description": "an SSO user (default, or null: the first API user)"},
        "clientId": {"type": ["string", "null"], "description": "an SSO client (default, or null: the first)"},
    },
}

rotate_keys.request_schema = ROTATION_SCHEMA  # type: ignore[attr-defined]
