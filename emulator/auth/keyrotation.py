"""The body of ``POST /__emulator/<api>/keys/rotate`` (both token servers): how long
the retired signing key stays published (signing.py KeyRing)."""

from __future__ import annotations

import math

from aiohttp import web

from ..formats.safeparse import load_json
from ..server.connections import read_body
from .signing import DEFAULT_GRACE_SECONDS

# A week of namespace time is more than any test needs; a bound keeps the number sane.
MAX_GRACE_SECONDS = 7 * 24 * 3600

ROTATION_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "graceSeconds": {
            "type": "number",
            "minimum": 0,
            "maximum": MAX_GRACE_SECONDS,
            "default": DEFAULT_GRACE_SECONDS,
            "description": "how long (namespace clock) the retired key stays in JWKS and its tokens verify; "
            "0: dropped at once",
        }
    },
}


async def grace_seconds(request: web.Request) -> float | web.Response:
    """The requested grace period, or the 400 answer saying what is wrong with the body."""
    try:
        raw = await read_body(request)
        body = load_json(raw) if raw.strip() else {}
    except ValueError as error:  # safeparse.UnsafeDocument: not JSON, too deep, not UTF-8, NaN
        return web.json_response({"error": f"the body is not accepted: {error}"}, status=400)
    if not isinstance(body, dict):
        return web.json_response({"error": "the body is a JSON object"}, status=400)
    unknown = sorted(set(body) - {"graceSeconds"})
    if unknown:
        return web.json_response({"error": f"unknown member(s): {', '.join(unknown)} (graceSeconds)"}, status=400)
    grace = body.get("graceSeconds", DEFAULT_GRACE_SECONDS)
    if isinstance(grace, bool) or not isinstance(grace, (int, float)) or not math.isfinite(grace):
        return web.json_response({"error": "graceSeconds is a number of seconds"}, status=400)
    if not 0 <= grace <= MAX_GRACE_SECONDS:
        return web.json_response({"error": f"graceSeconds is between 0 and {MAX_GRACE_SECONDS}"}, status=400)
    return float(grace)
