"""The DFS identity server, IdentityServer style (operations "post /connect/token",
"get /.well-known/openid-configuration" and its JWKS in dfs/endpoints.yaml): client
apps trade their credentials for a signed JWT naming their tenant; and the same
tokens, good or bad in a chosen way, on demand for the control API."""

from __future__ import annotations

import uuid

from aiohttp import web

from ..auth import oauth
from ..auth.oauth import OAuthError
from ..auth.signing import jwks, tampered
from .auth import mint, signing_key
from .models import DfsModel, DfsSettings
from .models.records import Tenant
from .models.settings import IdentityClient

IDENTITY_VERSION = "identity"  # the endpoint table's "version" of the identity server's operations
PREFIXES = ("/connect/", "/.well-known/")
REALM = "DFS identity server"
GRANT_TYPES = ("client_credentials",)
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


async def discovery(request: web.Request, world) -> web.Response:
    """get /.well-known/openid-configuration"""
    settings: DfsSettings = world.settings["dfs"]
    base = issuer(request)
    scopes = sorted({scope for client in settings.clients for scope in client.scopes} | {settings.api_scope})
    return oauth.json_response(
        {
            "issuer": base,
            "jwks_uri": f"{base}/.well-known/openid-configuration/jwks",
            "token_endpoint": f"{base}/connect/token",
            "grant_types_supported": list(GRANT_TYPES),
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "scopes_supported": scopes,
            "claims_supported": ["sub", "client_id", "scope", "aud", "tenant_uid", "tenant_id", "tenant_key"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        },
        no_store=False,
    )


async def jwks_document(request: web.Request, world) -> web.Response:
    """get /.well-known/openid-configuration/jwks"""
    return oauth.json_response(jwks(signing_key(world.settings["dfs"])), no_store=False)


async def token(request: web.Request, world) -> web.Response:
    """post /connect/token: client credentials (Basic or form), scope, grant_type;
    the tenant is the client's first unless ``tenant`` or ``acr_values=tenant:X``
    names another of its tenants."""
    settings: DfsSettings = world.settings["dfs"]
    model: DfsModel = world.models["dfs"]
    try:
        form = await oauth.read_form(request)
        client = _client(request, form, settings)
        oauth.grant_type(form, GRANT_TYPES)
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
    authentication = oauth.client_authentication(request, form, REALM)
    if authentication is None:
        raise oauth.invalid_client(REALM, "client authentication is required")
    client = next((c for c in settings.clients if c.client_id == authentication.client_id), None)
    secret = authentication.secret
    if client is None or secret is None or not oauth.same_secret(secret, client.secret):
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


def mint_kind(
    model: DfsModel,
    settings: DfsSettings,
    tenant: Tenant,
    identity_id: str | None,
    client_id: str | None,
    kind: str,
    now: float,
) -> str:
    """A token for the control API: ``valid`` or bad in the way ``kind`` says."""
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
    token = mint(settings, tenant, identity_id, client_id, now=now, **overrides)
    if kind == "bad_signature":
        token = tampered(token)
    return token
