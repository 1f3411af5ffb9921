"""The DFS identity server, IdentityServer style (operations "post /connect/token",
"get /connect/authorize", "get /connect/endsession", "get /.well-known/openid-configuration"
and its JWKS in dfs/endpoints.yaml): client apps trade their credentials for a signed
JWT naming their tenant, users log in through the authorization-code flow (the engine
in auth/authorization.py, DFS data in dfs/authorization.py); and the same tokens, good
or bad in a chosen way, on demand for the control API."""

from __future__ import annotations

import uuid

from aiohttp import web

from ..auth import oauth
from ..auth.authorization import CHALLENGE_METHODS, RESPONSE_MODES, AuthorizationServer
from ..auth.oauth import OAuthError
from ..auth.signing import jwks, tampered
from . import authorization
from .auth import mint
from .models import DfsModel, DfsSettings
from .models.records import Tenant
from .models.settings import IdentityClient

IDENTITY_VERSION = "identity"  # the endpoint table's "version" of the identity server's operations
PREFIXES = ("/connect/", "/.well-known/")
REALM = "DFS identity server"
GRANT_TYPES = ("authorization_code", "client_credentials")
AUTH_METHODS = ("client_secret_basic", "client_secret_post", "none")
KINDS = (
    "valid",
    "expired",
    "not_yet_valid",
    "wrong_audience",
    "wrong_scope",
    "other_tenant",
    "bad_signature",
    "revoked",
)


def issuer(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


def _supported_scopes(settings: DfsSettings) -> list[str]:
    return sorted({scope for client in settings.clients for scope in client.scopes} | {settings.api_scope})


async def discovery(request: web.Request, world) -> web.Response:
    """get /.well-known/openid-configuration: every endpoint, response type and mode, PKCE
    method, claim and client authentication method this server really supports (RFC 8414 2,
    OpenID Connect Discovery 3); the authentication methods are those its clients use."""
    settings: DfsSettings = world.settings["dfs"]
    base = issuer(request)
    scopes = _supported_scopes(settings)
    return oauth.json_response(
        {
            "issuer": base,
            "jwks_uri": f"{base}/.well-known/openid-configuration/jwks",
            "authorization_endpoint": f"{base}/connect/authorize",
            "token_endpoint": f"{base}/connect/token",
            "end_session_endpoint": f"{base}/connect/endsession",
            "response_types_supported": ["code"],
            "response_modes_supported": list(RESPONSE_MODES),
            "grant_types_supported": list(GRANT_TYPES),
            "code_challenge_methods_supported": list(CHALLENGE_METHODS),
            "token_endpoint_auth_methods_supported": auth_methods(settings),
            "scopes_supported": scopes,
            "claims_supported": sorted(
                {*authorization.CLAIMS, "client_id", "scope", "jti", "nbf", "tenant_uid", "tenant_id", "tenant_key"}
            ),
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "prompt_values_supported": ["none", "login"],
            "claims_parameter_supported": False,
            "request_parameter_supported": False,
            "request_uri_parameter_supported": False,
            "frontchannel_logout_supported": False,
            "backchannel_logout_supported": False,
        },
        no_store=False,
    )


def auth_methods(settings: DfsSettings) -> list[str]:
    """The token endpoint's client authentication methods the scenario's clients can use:
    a client with a secret sends it by Basic or in the form (both accepted); a public one none."""
    used = {"none"} if any(client.secret is None for client in settings.clients) else set()
    if any(client.secret is not None for client in settings.clients):
        used |= {"client_secret_basic", "client_secret_post"}
    return [method for method in AUTH_METHODS if method in used] or ["client_secret_basic"]


async def authorize(request: web.Request, world) -> web.Response:
    """get|post /connect/authorize: the code flow's authorization request (response_type
    code, PKCE, state, nonce, prompt, login_hint, max_age, response_mode); the login page
    (the scenario's identities with a password) when the user must log in."""
    engine: AuthorizationServer = world.models["dfs"].authorization
    return await engine.authorize(request)


async def end_session(request: web.Request, world) -> web.Response:
    """get|post /connect/endsession: RP-initiated logout (id_token_hint,
    post_logout_redirect_uri registered per client, state) ends the login session."""
    model: DfsModel = world.models["dfs"]
    engine: AuthorizationServer = model.authorization  # type: ignore[attr-defined]
    return await engine.logout(request, lambda token: authorization.id_token_hint_claims(model.ring, token))


async def jwks_document(request: web.Request, world) -> web.Response:
    """get /.well-known/openid-configuration/jwks"""
    return oauth.json_response(jwks(*world.models["dfs"].ring.published()), no_store=False)


async def token(request: web.Request, world) -> web.Response:
    """post /connect/token: client credentials (Basic or form), scope, grant_type;
    the tenant is the client's first unless ``tenant`` or ``acr_values=tenant:X``
    names another of its tenants."""
    settings: DfsSettings = world.settings["dfs"]
    model: DfsModel = world.models["dfs"]
    try:
        form = await oauth.read_form(request)
        client = _client(request, form, settings)
        grant = oauth.grant_type(form, GRANT_TYPES)
        if grant not in client.grant_types:
            raise OAuthError("unauthorized_client", f"client {client.client_id} may not use {grant}")
        if grant == "authorization_code":
            answer = authorization.code_grant(model, settings, issuer(request), client, form, world.clock.timestamp())
            return oauth.json_response(answer)
        wanted = oauth.granted_scopes(form.get("scope"), client.scopes, client.client_id)
        tenant = _tenant(model, client, form)
    except OAuthError as error:
        return oauth.error_response(error)
    access_token = mint(
        settings,
        tenant,
        client.identity_id,
        client.client_id,
        " ".join(wanted),
        world.clock.timestamp(),
        issuer=issuer(request),
        key=model.ring.current(),
    )
    return oauth.json_response(
        {
            "access_token": access_token,
            "expires_in": settings.token_lifetime_seconds,
            "token_type": "Bearer",
            "scope": " ".join(wanted),
        }
    )


def _client(request: web.Request, form: dict[str, str], settings: DfsSettings) -> IdentityClient:
    """The authenticated client: one with a secret sends it (Basic or form), a public one only its id."""
    authentication = oauth.client_authentication(request, form, REALM)
    if authentication is None:
        raise oauth.invalid_client(REALM, "client authentication is required")
    client = authorization.find_client(settings, authentication.client_id)
    secret = authentication.secret
    if client is None:
        raise oauth.invalid_client(REALM, "invalid client credentials")
    if client.secret is None:
        if secret is not None or authentication.method != "none":
            raise oauth.invalid_client(REALM, f"client {client.client_id} is public: it sends no secret")
        return client
    if secret is None or not oauth.same_secret(secret, client.secret):
        raise oauth.invalid_client(REALM, "invalid client credentials")
    return client


def _tenant(model: DfsModel, client: IdentityClient, form: dict[str, str]) -> Tenant:
    named = form.get("tenant")
    for value in (form.get("acr_values") or "").split():
        if value.startswith("tenant:"):
            named = value[len("tenant:") :]
    tenants = [tenant for tenant in (model.tenants.get(tenant_id) for tenant_id in client.tenant_ids) if tenant]
    if named is None:
        if not tenants:
            raise OAuthError("invalid_grant", f"client {client.client_id} has no tenant")
        return tenants[0]
    folded = named.casefold()
    for tenant in tenants:
        if folded in (tenant.key.casefold(), tenant.uid.casefold(), str(tenant.id)):
            return tenant
    raise OAuthError("invalid_grant", f"client {client.client_id} may not access tenant {named}")


def _allowed_scope(settings: DfsSettings, client_id: str | None, scope: str | None) -> str | None:
    """``scope`` when the client may have it: a registered client its ``scopes``, the
    emulator's own unregistered default client any scope the identity server advertises."""
    if not oauth.scopes(scope):
        return None
    client = authorization.find_client(settings, client_id) if client_id else None
    allowed = client.scopes if client is not None else tuple(_supported_scopes(settings))
    try:
        return " ".join(oauth.granted_scopes(scope, allowed, client_id or settings.default_client_id))
    except OAuthError as error:
        raise ValueError(error.description) from None


def mint_kind(
    model: DfsModel,
    settings: DfsSettings,
    tenant: Tenant,
    identity_id: str | None,
    client_id: str | None,
    kind: str,
    now: float,
    scope: str | None = None,
) -> str:
    """A token for the control API: ``valid`` or bad in the way ``kind`` says; ``scope``
    (space-separated) replaces the default scope and must be one the client may have
    (ValueError naming the others)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
    overrides: dict = {}
    if kind == "expired":
        now -= settings.token_lifetime_seconds + 60
    elif kind == "not_yet_valid":
        overrides["nbf"] = int(now) + 3600
    elif kind == "wrong_audience":
        overrides["aud"] = "another-api"
    elif kind == "wrong_scope":
        overrides["scope"] = "openid profile"
    elif kind == "other_tenant":  # a tenant this DFS does not host
        overrides.update(tenant_uid=str(uuid.uuid4()), tenant_id=2147483647, tenant_key="OtherTenant")
    elif kind == "revoked":
        overrides["jti"] = uuid.uuid4().hex
        model.revoked_tokens.put(overrides["jti"], overrides["jti"])
    allowed = _allowed_scope(settings, client_id, scope)
    if allowed is not None and kind == "valid":
        overrides["scope"] = allowed
    token = mint(settings, tenant, identity_id, client_id, now=now, key=model.ring.current(), **overrides)
    if kind == "bad_signature":
        token = tampered(token)
    return token
