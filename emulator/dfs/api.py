"""The DFS Admin Services API as the core sees it: endpoints, Bearer auth, body
binding, the error document and the emulator-only routes under /__emulator/dfs/."""

from __future__ import annotations

import asyncio
import functools

from aiohttp import web

from ..api import package_file
from ..auth import signing
from ..auth.authorization import authorization_collections, session_control_routes
from ..auth.keyrotation import ROTATION_SCHEMA, grace_seconds
from ..auth.oauth import status_error_response
from ..auth.signing import KeyRing
from ..control.openapi import documented_answer, namespace_examples, namespace_world, with_path_examples
from ..endpoints import EndpointTable, Operation
from ..formats.packagedata import read_yaml
from ..formats.safeparse import load_json
from ..server.connections import read_body
from ..store.ids import random_hex32
from ..world.state import STATE, World
from . import authorization, browse, identity, render, scenario_dump, scenario_load
from .auth import authenticate, signing_key
from .errors import BadRequest, DfsError, NotFound, error_for_status
from .handlers import Call, DfsHandlers, json_response
from .models import DfsModel, DfsSettings, dfs_collections
from .models.collections import SIGNING_KEYS
from .openapi import PATH_EXAMPLES, openapi_document, token_client, with_token_howto
from .params import BodyBinder, path_value

CORRELATION_HEADER = "X-Correlation-ID"
NAME = "dfs"


def new_correlation_id() -> str:
    return random_hex32()  # 32 lower-case hex characters, as the document's sample


def error_response(error: DfsError, correlation_id: str | None = None) -> web.Response:
    correlation_id = correlation_id or new_correlation_id()
    response = json_response(render.error(error.code, error.sub_code, error.message, correlation_id), error.status)
    response.headers[CORRELATION_HEADER] = correlation_id
    if error.status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


@functools.lru_cache(maxsize=1)
def _scenario_schema() -> dict:
    return read_yaml(package_file(__file__, "scenario-schema.yaml"))


class DfsApi:
    name = NAME
    url_prefixes: tuple[str, ...] = ("/v1.0/", "/v1.2/", "/v1.3/", "/v2.0/", "/v3.0/", "/v3.1/", *identity.PREFIXES)

    def __init__(self) -> None:
        self.endpoints = EndpointTable.load(package_file(__file__, "endpoints.yaml"))
        self.handlers = DfsHandlers()
        self.binder = BodyBinder()

    @property
    def scenario_schema(self) -> dict:  # read when a scenario is validated, not at every start
        return _scenario_schema()

    def collections(self):
        return dfs_collections() + authorization_collections(authorization.PREFIX)

    def warm_up(self, settings: DfsSettings) -> None:
        """What the identity server's first token would pay (cli.py calls this once the server listens)."""
        signing.warm_up(signing_key(settings))

    def default_settings(self) -> DfsSettings:
        return DfsSettings()

    def load_scenario_section(self, section: dict, context) -> None:
        scenario_load.load_section(section, context)

    def build_model(self, store, settings: DfsSettings, clock) -> DfsModel:
        model = DfsModel(store, settings, clock.iso)
        # the scenario's key until POST /__emulator/dfs/keys/rotate; a closure over the
        # settings, not the model (a cycle would keep every reset's old world)
        model.ring = KeyRing(store[SIGNING_KEYS], lambda: signing_key(settings), clock.timestamp)
        authorization.attach(model, lambda: int(clock.timestamp()))
        return model

    def summary_counts(self, store) -> dict[str, int]:
        return scenario_load.summary_counts(store)

    def dump_scenario_section(self, store, settings: DfsSettings, keys) -> dict:
        return scenario_dump.dump_section(store, settings, keys)

    def try_it(self, world, url: str) -> list[str]:
        """A Bearer token minted for the scenario's default tenant and identity, then
        get identity and the tenant's access policies."""
        from .auth import mint

        settings = world.settings[self.name]
        tenant = (
            world.models[self.name].tenants.get(settings.default_tenant_id)
            if settings.default_tenant_id is not None
            else None
        )
        if tenant is None:
            return []
        identity = settings.default_identity_id
        token = mint(settings, tenant, identity, None, key=world.models[self.name].ring.current())
        hours = settings.token_lifetime_seconds / 3600
        base = url + self.endpoints.base_paths["1.0"]
        lines = [
            f"# DFS Admin Services (Bearer token for tenant {tenant.key}, valid {hours:g} h; "
            f"a new one: curl -s -X POST {url}/__emulator/dfs/token)",
            f"export DFS_TOKEN={token}",
        ]
        if identity:
            lines.append(f'curl -s -H "Authorization: Bearer $DFS_TOKEN" "{base}/identities/{identity}"')
        lines.append(f'curl -s -H "Authorization: Bearer $DFS_TOKEN" "{base}/access-policies"')
        return lines

    def record_kinds(self):
        return browse.record_kinds()

    def answer_schema(self, code: str, version: str, status: int, media_type: str) -> tuple[dict, dict] | None:
        """From the OpenAPI document (schemas/responses.yaml): Pact export's matching rules."""
        operation = next(
            (op for op in self.endpoints.operations if version in op.versions and op.code_for(version) == code), None
        )
        if operation is None:
            return None
        document = openapi_document(self.endpoints)
        url = operation.url_template(self.endpoints.base_paths[version])
        item = document["paths"].get(url, {}).get(operation.method.lower())
        schema = documented_answer(document, item, status, media_type) if item else None
        return (schema, document) if schema is not None else None

    def bearer_token(self, world, options: dict, issuer_base: str) -> str:
        """An identity-server token for a tenant (default: the scenario's) and identity
        (default: the scenario's; null: an app token), as POST /__emulator/dfs/token mints;
        ``scope`` one the client may have (ValueError otherwise)."""
        model: DfsModel = world.models[NAME]
        settings: DfsSettings = world.settings[NAME]
        tenant_uid = options.get("tenantUid")
        tenant = (
            model.tenants.get(settings.default_tenant_id) if tenant_uid is None else model.tenant_by_uid(tenant_uid)
        )
        if tenant is None:
            raise LookupError(f"no DFS tenant {tenant_uid or '(the scenario default)'}")
        identity_id = options["identityId"] if "identityId" in options else settings.default_identity_id
        if identity_id is not None and model.identities.get(str(identity_id).lower()) is None:
            raise LookupError(f"no DFS identity {identity_id}")
        return identity.mint_kind(
            model,
            settings,
            tenant,
            str(identity_id).lower() if identity_id else None,
            options.get("clientId"),
            "valid",
            world.clock.timestamp(),
            options.get("scope"),
        )

    def bind(self, operation: Operation, version: str):
        if version == identity.IDENTITY_VERSION:
            server_handler = getattr(identity, operation.handler)

            async def identity_server(request: web.Request, world: World, path_params) -> web.StreamResponse:
                return await server_handler(request, world)

            return identity_server
        handler = getattr(self.handlers, operation.handler)
        binder = self.binder
        body_schema = operation.body
        has_body = operation.method != "GET"
        writes = has_body and not getattr(handler, "reads_only", False)

        async def bound(request: web.Request, world: World, path_params: dict[str, str]) -> web.StreamResponse:
            correlation_id = new_correlation_id()
            try:
                model: DfsModel = world.models[NAME]
                caller = authenticate(
                    request.headers.get("Authorization"), model, world.settings[NAME], world.clock.timestamp()
                )
                path = {name: path_value(name, text) for name, text in path_params.items()}
                body = None
                if has_body:
                    raw = await read_body(request)  # read (and size-check) before the transaction
                    if body_schema is not None:
                        body = binder.bind(body_schema, raw)
                call = Call(request, model, caller, path, body, functools.partial(_schedule, world, model))
                if writes:
                    with model.store.transaction():
                        response = handler(call)
                else:
                    response = handler(call)
            except DfsError as error:
                return error_response(error, correlation_id)
            response.headers[CORRELATION_HEADER] = correlation_id
            return response

        return bound

    def error_response(self, status: int, detail: str, request: web.Request) -> web.Response:
        if request.path.startswith(identity.PREFIXES):  # the identity server answers as OAuth2 servers do
            return status_error_response(status, detail)
        return error_response(error_for_status(status, detail))

    def response_contract(self):
        """What --contract checks answers against (built only when it is on)."""
        from .contract import dfs_contract

        return dfs_contract(self.endpoints)

    # -- emulator-only routes ----------------------------------------------------------------
    def control_actions(self):
        return []  # DFS has no end-user-only transitions to simulate

    def control_routes(self):
        """Emulator-only routes under /__emulator/dfs/."""
        return [
            ("POST", "/token", token),
            ("GET", "/openapi.json", openapi),
            ("GET", "/long-running/{requestId}", long_running),
            ("POST", "/keys/rotate", rotate_keys),
            # the identity server's login sessions (the dashboard's Sessions panel)
            *session_control_routes(lambda world: world.models[NAME].authorization),
        ]


def _schedule(world: World, model: DfsModel, request_id: str) -> None:
    """Complete a long-running request after the configured delay, in its world."""

    def complete() -> None:
        with model.store.transaction():
            model.complete_long_running(request_id)

    asyncio.get_running_loop().call_later(model.settings.long_running_delay_seconds, complete)


async def rotate_keys(request: web.Request) -> web.Response:
    """Rotate the DFS identity server's signing key in this namespace: {"graceSeconds": 300} -> the new and retired kid.

    New tokens (/connect/token, /__emulator/dfs/token, ID tokens) are signed with a new key;
    the retired key stays in JWKS, and its tokens pass the Admin API, for ``graceSeconds`` on
    the namespace's clock (0: dropped at once). docs/oauth.md, "Rotating the signing key"."""
    grace = await grace_seconds(request)
    if isinstance(grace, web.Response):
        return grace
    return web.json_response(request.app[STATE].world_for(request).models[NAME].ring.rotate(grace))


rotate_keys.request_schema = ROTATION_SCHEMA  # type: ignore[attr-defined]


async def token(request: web.Request) -> web.Response:
    """POST /__emulator/dfs/token {"tenantUid", "identityId", "clientId", "kind"} -> {"access_token"}.
    Both ids default to the scenario's; ``"identityId": null`` mints an app token;
    ``kind`` (default "valid") mints a bad one: expired, not_yet_valid, wrong_audience,
    wrong_scope, other_tenant, bad_signature or revoked."""
    world = request.app[STATE].world_for(request)
    model: DfsModel = world.models[NAME]
    settings: DfsSettings = world.settings[NAME]
    try:
        raw = await read_body(request)
        body = load_json(raw) if raw.strip() else {}
        if not isinstance(body, dict):
            raise BadRequest("The body is a JSON object")
        body = {key.casefold(): value for key, value in body.items()}
        tenant_uid = body.get("tenantuid")
        if tenant_uid is None:
            tenant = model.tenants.get(settings.default_tenant_id)
        else:
            tenant = model.tenant_by_uid(tenant_uid) if isinstance(tenant_uid, str) else None
        if tenant is None:
            raise NotFound(f"Tenant {tenant_uid} was not found")
        identity_id = body["identityid"] if "identityid" in body else settings.default_identity_id
        if identity_id is not None and (
            not isinstance(identity_id, str) or model.identities.get(identity_id.lower()) is None
        ):
            raise NotFound(f"Identity {identity_id} was not found")
        client_id = body.get("clientid")
        if client_id is not None and not isinstance(client_id, str):
            raise BadRequest("clientId is a string")
        kind = body.get("kind", "valid")
        if not isinstance(kind, str) or kind not in identity.KINDS:
            raise BadRequest(f"kind is one of {', '.join(identity.KINDS)}")
        access_token = identity.mint_kind(
            model,
            settings,
            tenant,
            identity_id.lower() if identity_id else None,
            client_id,
            kind,
            world.clock.timestamp(),
        )
    except ValueError as error:  # safeparse.UnsafeDocument: not JSON, too deep, not UTF-8, NaN
        return error_response(BadRequest(f"The body is not accepted: {error}"))
    except DfsError as error:
        return error_response(error)
    return web.json_response(
        {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": settings.token_lifetime_seconds,
            "kind": kind,
        }
    )


token.request_schema = {  # type: ignore[attr-defined]  # read by getattr in control/openapi.py (its OpenAPI document)
    "type": "object",
    "properties": {
        "tenantUid": {"type": "string", "format": "uuid"},
        "identityId": {"type": ["string", "null"], "description": "null: an app token"},
        "clientId": {"type": "string"},
        "kind": {"enum": list(identity.KINDS), "default": "valid"},
    },
}


async def openapi(request: web.Request) -> web.Response:
    state = request.app[STATE]
    document = openapi_document(state.apis[NAME].endpoints)
    world = namespace_world(request)
    if world is not None:  # how to get a token for the scenario this namespace has loaded
        document = with_token_howto(document, token_client(world.models[NAME].settings.clients))
    return web.json_response(with_path_examples(document, namespace_examples(request, PATH_EXAMPLES)))


async def long_running(request: web.Request) -> web.Response:
    world = request.app[STATE].world_for(request)
    try:
        item = world.models[NAME].get_long_running(request.match_info["requestId"])
    except DfsError as error:
        return error_response(error)
    return web.json_response(
        {
            "longRunningRequestId": item.id,
            "kind": item.kind,
            "status": item.status,
            "tenantId": item.tenant_id,
            "created": item.created,
            "completed": item.completed,
            "membersCreated": item.members_created,
            "membersUpdated": item.members_updated,
        }
    )
