"""Bearer JWT authentication (PyJWT).

The tenant comes from the token ("The tenant identifier is retrieved from Bearer
Jwt"); public material does not name the claims, so the emulator mints and
accepts the names below (docs/fidelity.md, DFS Admin Services, **chosen**)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from ..auth.signing import KeyRing, SigningKey, TokenInvalid, key_from_pem, run_key, verified_claims
from .errors import Forbidden, Unauthorized
from .models import DfsModel, DfsSettings
from .models.records import Tenant
from .params import UUID_TEXT

# Accepted in this order; the first present wins.
TENANT_CLAIMS = ("tenant_uid", "tenantUid", "tenant_id", "tenantId", "tenant")
IDENTITY_CLAIMS = ("sub", "identity_id", "internal_user_id")
CLIENT_CLAIMS = ("client_id", "azp")
ISSUER = "dfs-emulator"  # control-minted tokens; the identity server's own are issued by its URL


@dataclass(frozen=True)
class Caller:
    tenant: Tenant
    identity_id: str | None
    client_id: str | None
    claims: dict


def _tenant_from_claim(model: DfsModel, value) -> Tenant | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return model.tenants.get(value)
    if isinstance(value, str):
        if UUID_TEXT.match(value):
            return model.tenant_by_uid(value)
        if value.isdigit():
            return model.tenants.get(int(value))
        return model.tenant_by_key(value)
    return None


def signing_key(settings: DfsSettings) -> SigningKey:
    """The identity server's key: the scenario's, or one generated per run."""
    return key_from_pem(settings.signing_key_pem) if settings.signing_key_pem else run_key("dfs-identity")


def decode(token: str, settings: DfsSettings, now: float, ring: KeyRing) -> dict:
    """The token's claims: signed by the identity server (RS256, a key the ring
    publishes) or with the scenario's HS256 secret; ``alg: none`` only if the scenario
    allows it. A verified token is cached (signing.py); its time claims are checked on
    every use against ``now``, the namespace's clock."""
    try:
        claims = verified_claims(
            token,
            ring.for_token(token),
            allow_unsigned=settings.allow_unsigned_tokens,
            hs256_secret=settings.signing_key,
        )
    except TokenInvalid as error:
        raise Unauthorized(f"The Bearer token is not valid: {error}") from None
    check_time_claims(claims, now)
    return claims


def check_time_claims(claims: dict, now: float) -> None:
    if isinstance(claims.get("exp"), (int, float)) and now >= claims["exp"]:
        raise Unauthorized("The Bearer token is not valid: Signature has expired")
    if isinstance(claims.get("nbf"), (int, float)) and now < claims["nbf"]:
        raise Unauthorized("The Bearer token is not valid: The token is not yet valid (nbf)")


def _listed(value) -> list:
    if isinstance(value, str):
        return value.split()
    return list(value) if isinstance(value, list) else []


class _VerifiedCaller:
    """A caller that passed every check, with what those checks read besides the
    token (the cache key): the settings, the tenant, revoked-token and signing-key
    collections' write counts, the identity's records and, for a token signed with
    a retired key, the end of that key's grace period."""

    __slots__ = (
        "caller",
        "settings",
        "tenant_writes",
        "revoked_writes",
        "key_writes",
        "key_until",
        "identity",
        "access",
    )

    def __init__(self, caller: Caller, model: DfsModel, settings: DfsSettings, key_until: float | None) -> None:
        self.caller = caller
        self.settings = settings
        self.tenant_writes = model.tenants.writes
        self.revoked_writes = model.revoked_tokens.writes
        self.key_writes = model.ring.keys.writes  # a rotation drops every cached caller
        self.key_until = key_until
        identity_id = caller.identity_id
        self.identity = model.identities.get(identity_id) if identity_id else None
        self.access = model.access.get((identity_id, caller.tenant.id)) if identity_id else None

    def still_valid(self, model: DfsModel, settings: DfsSettings, now: float) -> bool:
        if (
            settings is not self.settings
            or model.tenants.writes != self.tenant_writes
            or model.revoked_tokens.writes != self.revoked_writes
            or model.ring.keys.writes != self.key_writes
            or (self.key_until is not None and now >= self.key_until)
        ):
            return False
        identity_id = self.caller.identity_id
        return identity_id is None or (
            model.identities.get(identity_id) is self.identity
            and model.access.get((identity_id, self.caller.tenant.id)) is self.access
        )


MAX_VERIFIED_CALLERS = 256  # per world (header up to 8 KiB each); a test suite uses a handful of tokens


def authenticate(authorization: str | None, model: DfsModel, settings: DfsSettings, now: float) -> Caller:
    """The caller a request's Authorization header names, or Unauthorized/Forbidden.

    A suite sends the same few tokens thousands of times: a verified caller is
    kept per world (``model.verified_callers``) under its header, and reused
    while the records its checks read are unchanged. The time claims are
    checked on every request against ``now``, the namespace's clock, in the
    order the full check would (they come first there)."""
    verified = model.verified_callers.get(authorization) if authorization else None
    if verified is not None and verified.still_valid(model, settings, now):
        check_time_claims(verified.caller.claims, now)
        return verified.caller
    caller = _checked_caller(authorization, model, settings, now)
    if len(model.verified_callers) >= MAX_VERIFIED_CALLERS:
        model.verified_callers.clear()
    token = (authorization or "").strip().partition(" ")[2].strip()  # _checked_caller read 'Bearer <JWT>'
    model.verified_callers[authorization] = _VerifiedCaller(caller, model, settings, model.ring.retired_until(token))
    return caller


def _checked_caller(authorization: str | None, model: DfsModel, settings: DfsSettings, now: float) -> Caller:
    if not authorization:
        raise Unauthorized("The request requires a Bearer token")
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("The Authorization header must be 'Bearer <JWT>'")
    claims = decode(token.strip(), settings, now, model.ring)
    if isinstance(claims.get("jti"), str) and claims["jti"] in model.revoked_tokens:
        raise Unauthorized("The Bearer token has been revoked")
    if "aud" in claims and settings.audience not in _listed(claims["aud"]):
        raise Unauthorized(f"The Bearer token was issued for another audience (not {settings.audience})")
    if "scope" in claims and settings.api_scope not in _listed(claims["scope"]):
        raise Forbidden(f"The Bearer token's scope does not include {settings.api_scope}")
    claim = next((name for name in TENANT_CLAIMS if name in claims), None)
    if claim is None:
        raise Unauthorized(f"The Bearer token names no tenant (claims {', '.join(TENANT_CLAIMS)})")
    tenant = _tenant_from_claim(model, claims[claim])
    if tenant is None:
        raise Unauthorized(f"The Bearer token's tenant {claims[claim]!r} is unknown")
    identity_id = next((claims[name] for name in IDENTITY_CLAIMS if name in claims), None)
    if identity_id is not None:
        if not isinstance(identity_id, str) or not UUID_TEXT.match(identity_id):
            raise Unauthorized("The Bearer token's subject is not an identity id")
        identity_id = identity_id.lower()
        identity = model.identities.get(identity_id)
        if identity is None:
            raise Unauthorized(f"The Bearer token's identity {identity_id} is unknown")
        access = model.access.get((identity_id, tenant.id))
        if access is None or not access.enabled:
            raise Forbidden(f"Identity {identity_id} has no access to tenant {tenant.key}")
        if not identity.is_sign_in_enabled:
            raise Forbidden(f"Identity {identity_id} may not sign in")
    client_id = next((claims[name] for name in CLIENT_CLAIMS if name in claims), None)
    return Caller(tenant, identity_id, client_id if isinstance(client_id, str) else None, claims)


def mint(
    settings: DfsSettings,
    tenant: Tenant,
    identity_id: str | None,
    client_id: str | None,
    scope: str | None = None,
    now: float | None = None,
    *,
    issuer: str = ISSUER,
    key: SigningKey | None = None,
    **overrides,
) -> str:
    """An identity-server token (RS256) for a tenant and, unless None, an identity;
    ``now`` is the namespace's clock (default: the wall clock); ``key`` the world's
    signing key (``model.ring.current()``; default the configured one); ``overrides``
    replace claims (the bad-credential kinds)."""
    issued = int(time.time() if now is None else now)
    claims = {
        "iss": issuer,
        "iat": issued,
        "nbf": issued,
        "exp": issued + settings.token_lifetime_seconds,
        "aud": settings.audience,
        "tenant_uid": tenant.uid,
        "tenant_id": tenant.id,
        "tenant_key": tenant.key,
        "client_id": client_id or settings.default_client_id,
        "scope": scope or settings.api_scope,
        "jti": uuid.uuid4().hex,
    }
    if identity_id:
        claims["sub"] = identity_id
    claims.update(overrides)
    return (key or signing_key(settings)).sign(claims, {"typ": "at+jwt"})
