"""The CustomerID REST API as the core sees it: endpoints, auth, error documents."""

from __future__ import annotations

import base64
import functools
import shlex
import weakref

from aiohttp import web

from ..api import ControlAction, ControlActionError, package_file
from ..auth import signing
from ..auth.authorization import authorization_collections, session_control_routes
from ..auth.oauth import bearer_challenge, decode_basic, same_secret, status_error_response
from ..control.openapi import documented_answer, namespace_examples, with_path_examples
from ..endpoints import EndpointTable, Operation
from ..formats.packagedata import read_yaml
from ..server.connections import read_body
from ..world.state import STATE, World
from . import browse, scenario_dump, scenario_load
from .call import Call
from .errors import AuthenticationFailed, CustomerIdError, error_for_status
from .handlers import CustomerIdHandlers
from .handlers1x import Rest10Handlers, Rest12Handlers
from .models import CustomerIdModel, CustomerIdSettings, customerid_collections
from .openapi import PATH_EXAMPLES, openapi_document, openapi_json
from .render import XML_HEADERS, error_document
from .sso import authorization as sso_authorization
from .sso import endpoints as sso_endpoints
from .sso.control import login_as, mint_token, rotate_keys
from .sso.model import SsoModel, sso_collections
from .sso.model import signing_key as sso_signing_key
from .statuses import BY_CODE

REALM = "CustomerID REST API"
WWW_AUTHENTICATE = f'Basic realm="{REALM}"'
SSO_VERSION = "sso"  # the endpoint table's "version" of the SSO's operations (/uas)
SSO_PREFIX = "/uas/"


class BearerFailed(AuthenticationFailed):
    """401 code 2 for a Bearer token CustomerID's introspection calls inactive."""

    @property
    def challenge(self) -> str:
        return bearer_challenge(REALM, "invalid_token", self.detail)


class PasswordAuthenticationDisabled(AuthenticationFailed):
    """rest.passwordauthentication.enabled=false: Basic and URL credentials fail."""

    challenge = f'Bearer realm="{REALM}"'


@functools.lru_cache(maxsize=64)
def _accepted_authorizations(credentials: tuple[tuple[str, str], ...]) -> frozenset[str]:
    """Authorization header values that pass, computed once per credential set."""
    return frozenset(
        "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode() for user, password in credentials
    )


def authenticate(request: web.Request, settings: CustomerIdSettings, sso: SsoModel) -> None:
    """An OAuth2 Bearer token from the SSO, HTTP Basic (the examples' ``-u
    restuser:secret``) or the ``username`` and ``password`` URL parameters (the
    last two unless password authentication is off); anything else is 401
    Authentication failed, a valid token without the right to call the API 403."""
    header = request.headers.get("Authorization")
    if header is not None:
        if settings.password_authentication and header in _accepted_authorizations(settings.credentials):
            return  # the common case, one set lookup
        scheme, _, credentials = header.strip().partition(" ")
        if scheme.lower() == "bearer":
            try:
                sso.authorize_bearer(credentials.strip())
            except AuthenticationFailed as failure:
                raise BearerFailed(failure.detail) from None
            return
        if not settings.password_authentication:
            raise PasswordAuthenticationDisabled("password authentication is disabled: use an OAuth2 Bearer token")
        if scheme.lower() == "basic":
            decoded = decode_basic(credentials)
            if decoded is None:
                raise AuthenticationFailed("malformed Basic credentials")
            if _valid(settings, *decoded):
                return
        raise AuthenticationFailed("invalid credentials")
    query = request.query
    if ("username" in query or "password" in query) and not settings.password_authentication:
        raise PasswordAuthenticationDisabled("password authentication is disabled: use an OAuth2 Bearer token")
    if "username" in query or "password" in query:
        if _valid(settings, query.get("username", ""), query.get("password", "")):
            return
        raise AuthenticationFailed("invalid credentials")
    raise AuthenticationFailed("credentials required")


def _valid(settings: CustomerIdSettings, user: str, password: str) -> bool:
    return any(same_secret(user, u) and same_secret(password, p) for u, p in settings.credentials)


def error_response(error: CustomerIdError) -> web.Response:
    response = web.Response(body=error_document(error.code, error.message), status=error.status, headers=XML_HEADERS)
    if error.status == 401:
        challenge = getattr(error, "challenge", None)
        if challenge:
            response.headers["WWW-Authenticate"] = challenge
        else:  # either way in: Basic (URL parameters) or a Bearer token
            response.headers["WWW-Authenticate"] = WWW_AUTHENTICATE
            response.headers.add("WWW-Authenticate", f'Bearer realm="{REALM}"')
    return response


@functools.lru_cache(maxsize=1)
def _scenario_schema() -> dict:
    return read_yaml(package_file(__file__, "scenario-schema.yaml"))


class AllHandlers(CustomerIdHandlers, Rest10Handlers, Rest12Handlers):
    """Every version's operations; endpoints.yaml names the method per operation."""


class CustomerIdApi:
    name = "customerid"
    url_prefixes: tuple[str, ...] = ("/customerid-rest/", "/eidm2/", SSO_PREFIX)

    def __init__(self) -> None:
        self.endpoints = EndpointTable.load(package_file(__file__, "endpoints.yaml"))
        self.handlers = AllHandlers()

    @property
    def scenario_schema(self) -> dict:  # read when a scenario is validated, not at every start
        return _scenario_schema()

    def collections(self):
        return customerid_collections() + sso_collections() + authorization_collections(sso_authorization.PREFIX)

    def warm_up(self, settings: CustomerIdSettings) -> None:
        """What the SSO's first token would pay (cli.py calls this once the server listens)."""
        signing.warm_up(sso_signing_key(settings.sso))

    def default_settings(self) -> CustomerIdSettings:
        return CustomerIdSettings()

    def load_scenario_section(self, section: dict, context) -> None:
        scenario_load.load_section(section, context)

    def build_model(self, store, settings: CustomerIdSettings, clock) -> CustomerIdModel:
        model = CustomerIdModel(store, settings, clock.iso, clock.timestamp)
        # The SSO beside this CustomerID, same world. Its lock callback holds the model weakly:
        # a cycle would keep a reset's old world (and all it wrote) until a full collection,
        # or for ever once gctuning has frozen it.
        lock_user = weakref.WeakMethod(model.lock_user)

        def lock(user_id: str) -> None:
            method = lock_user()
            assert method is not None  # the SSO model hangs on the model: it cannot outlive it
            method(user_id)

        # Deliberate: the SSO rides on the model of its world; CustomerIdModel does not declare it.
        sso = SsoModel(store, settings, clock, lock)
        sso_authorization.attach(sso)
        model.sso = sso  # type: ignore[attr-defined]
        return model

    def summary_counts(self, store) -> dict[str, int]:
        return scenario_load.summary_counts(store)

    def dump_scenario_section(self, store, settings: CustomerIdSettings, keys) -> dict:
        return scenario_dump.dump_section(store, settings, keys)

    def try_it(self, world, url: str) -> list[str]:
        """2.1 with the scenario's Basic credentials: a search (GET100) and one user (GET105)."""
        settings = world.settings[self.name]
        user, password = settings.credentials[0]
        auth = shlex.quote(f"{user}:{password}")
        base = url + self.endpoints.base_paths["2.1"]
        kind = "customerid.users"
        users = sorted(str(user_id) for user_id in world.store[kind].ids()) if kind in world.store else []
        lines = ["# CustomerID 2.1 (HTTP Basic from the scenario)", f'curl -s -u {auth} "{base}/users?status=Enabled"']
        if users:
            lines.append(f'curl -s -u {auth} -H "Accept: application/json" "{base}/users/{users[0]}"')
        return lines

    def record_kinds(self):
        return browse.record_kinds()

    def answer_schema(self, code: str, version: str, status: int, media_type: str) -> tuple[dict, dict] | None:
        """From the OpenAPI document, whose XML schemas are the XSDs' (schemas/*.xsd):
        Pact export's matching rules."""
        document = openapi_document(self.endpoints, self.handlers)
        tag = f"CustomerID {version}"
        for methods in document["paths"].values():
            for item in methods.values():
                if tag in item.get("tags", ()) and item.get("summary", "").startswith(code + " "):
                    schema = documented_answer(document, item, status, media_type)
                    return (schema, document) if schema is not None else None
        return None

    def bearer_token(self, world, options: dict, issuer_base: str) -> str:
        """An SSO access token CustomerID accepts (Pact provider states; docs/pact.md)."""
        minted = world.models[self.name].sso.mint(
            issuer_base.rstrip("/") + "/uas",
            "valid",
            options.get("username"),
            options.get("clientId"),
            options.get("scope"),
        )
        return minted["access_token"]

    def bind(self, operation: Operation, version: str):
        name = self.name
        if version == SSO_VERSION:
            return self._bind_sso(operation)
        handler = getattr(self.handlers, operation.handler)
        reads_only = operation.method == "GET"

        async def bound(request: web.Request, world: World, path_params: dict[str, str]) -> web.StreamResponse:
            try:
                model = world.models[name]
                if model.locks:
                    model.lift_expired_locks()
                authenticate(request, world.settings[name], model.sso)
                if reads_only:
                    return await handler(Call(request, model, version, path_params))
                if request.body_exists:
                    # Read (and size-check) the body now: inside the transaction the
                    # handler's reads come from this cache and never suspend, so no
                    # other request can interleave with this one's writes.
                    await read_body(request)
                with model.store.transaction():
                    return await handler(Call(request, model, version, path_params))
            except CustomerIdError as error:
                return error_response(error)

        return bound

    def _bind_sso(self, operation: Operation):
        handler = getattr(sso_endpoints, operation.handler)
        name = self.name

        async def bound(request: web.Request, world: World, path_params: dict[str, str]) -> web.StreamResponse:
            model = world.models[name]
            if model.locks:  # a password grant must see a lock that has run out
                model.lift_expired_locks()
            return await handler(request, model.sso)

        return bound

    def response_contract(self):
        """What --contract checks answers against (built only when it is on)."""
        from .contract import customerid_contract

        return customerid_contract()

    def control_actions(self) -> list[ControlAction]:
        def action(method_name: str):
            def run(world: World, path_params: dict[str, str]) -> dict:
                model = world.models[self.name]
                try:
                    user = getattr(model, method_name)(path_params["userId"])
                except CustomerIdError as error:
                    # Unknown user: 404; a user whose status does not allow the action: 409.
                    raise ControlActionError(404 if error.status == 404 else 409, error.message) from None
                return {"id": user.id, "status": BY_CODE[user.status].name, "roles": model.user_roles(user.id)}

            return run

        return [
            ControlAction(
                "users/{userId}/register",
                "The invited user completes registration: Waiting for "
                "registration becomes Enabled and the invited roles are granted",
                action("register_user"),
            ),
            ControlAction(
                "users/{userId}/lock", "The system locks the account (Enabled becomes Locked)", action("lock_user")
            ),
            ControlAction(
                "users/{userId}/unlock", "The lock is lifted (Locked becomes Enabled)", action("unlock_user")
            ),
        ]

    def error_response(self, status: int, detail: str, request: web.Request) -> web.Response:
        if request.path.startswith(SSO_PREFIX):  # the SSO answers in JSON, as OAuth2 servers do
            return status_error_response(status, detail)
        return error_response(error_for_status(status, detail))

    def control_routes(self):
        """Emulator-only routes under /__emulator/customerid/ (control_actions() are the rest)."""
        return [
            ("GET", "/openapi.json", openapi),
            ("POST", "/tokens", mint_token),
            ("POST", "/keys/rotate", rotate_keys),
            ("POST", "/login-as", login_as),
            ("GET", "/credentials", service_credentials),
            # the SSO's login sessions (the dashboard's Sessions panel)
            *session_control_routes(lambda world: world.models[CustomerIdApi.name].sso.authorization),
        ]


async def openapi(request: web.Request) -> web.Response:
    """The OpenAPI 3.1 document of every CustomerID operation the emulator serves"""
    api = request.app[STATE].apis[CustomerIdApi.name]
    assert isinstance(api, CustomerIdApi)
    examples = namespace_examples(request, PATH_EXAMPLES)
    if not examples:  # an empty world: the document as encoded once
        return web.Response(body=openapi_json(api.endpoints, api.handlers), content_type="application/json")
    return web.json_response(with_path_examples(openapi_document(api.endpoints, api.handlers), examples))


async def service_credentials(request: web.Request) -> web.Response:
    """The service-account credentials (HTTP Basic) the namespace's scenarios configure:
    {"credentials": [{"username", "password"}]}; the first is what clients use."""
    settings: CustomerIdSettings = request.app[STATE].world_for(request).settings["customerid"]
    return web.json_response(
        {"credentials": [{"username": user, "password": password} for user, password in settings.credentials]}
    )
