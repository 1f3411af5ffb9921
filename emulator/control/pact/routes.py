"""The Pact control endpoints, mounted under /__emulator beside the control API's own
(same token, same namespace header, same ``{"error", "where"}`` errors):

    POST /__emulator/pact/provider-states   the Pact verifier's provider-state protocol
    GET  /__emulator/pact                   the namespace's journal as a Pact V4 file
"""

from __future__ import annotations

from aiohttp import web

from ..http import Problem, json_body, namespace_of, reply, state_of
from .export import ExportError, export_pact
from .states import change_state, runtime
from .values import StateError


async def provider_states(request: web.Request) -> web.Response:
    """{"state", "params", "action": "setup" | "teardown"} -> the values setup answers."""
    body = await json_body(request, required=True)
    if not isinstance(body, dict):
        raise Problem(400, "the body is a JSON object: state, params, action", "(body)")
    state, params, action = body.get("state"), body.get("params"), body.get("action", "setup")
    if params is None:
        params = {}
    if not isinstance(params, dict):  # false or [] are not "no params": the document says an object
        raise Problem(400, "params is an object of the state's parameters", "params")
    if not isinstance(state, str):
        raise Problem(400, "state is the provider state's name (a string)", "state")
    if not isinstance(action, str):
        raise Problem(400, "action is setup or teardown", "action")
    namespace = namespace_of(request)
    base_url = f"{request.scheme}://{request.host}"
    try:
        values = change_state(namespace, state, params, action, base_url)
    except StateError as error:
        raise Problem(error.status, str(error), "state", **error.extra) from None
    return reply(values)


# what the control API's OpenAPI document shows of the body
provider_states.request_schema = {  # type: ignore[attr-defined]
    "type": "object",
    "required": ["state"],
    "properties": {
        "state": {"type": "string"},
        "params": {"type": "object"},
        "action": {"enum": ["setup", "teardown"], "default": "setup"},
    },
}


async def export(request: web.Request) -> web.Response:
    """?consumer=&provider= -> a Pact V4 document of what the namespace's journal holds."""
    namespace = namespace_of(request)
    state = state_of(request)
    try:
        document = export_pact(
            namespace.journal.entries,
            runtime(namespace).markers,
            state.apis,
            consumer=request.query.get("consumer", "consumer"),
            provider=request.query.get("provider", "identity-emulator"),
            api=request.query.get("api"),
        )
    except ExportError as error:
        raise Problem(400, str(error), error.where) from None
    return reply(document)


ROUTES = [("POST", "/pact/provider-states", provider_states), ("GET", "/pact", export)]
