"""Bearer JWT authentication (PyJWT).

The tenant comes from the token ("The tenant identifier is retrieved from Bearer
Jwt"); public material does not name the claims, so the emulator mints and
accepts the names below (docs/fidelity.md, DFS Admin Services, **chosen**)."""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass

import jwt

from .errors import Forbidden, Unauthorized
from .models import DfsModel, DfsSettings
from .models.records import Tenant
from .params import UUID_TEXT

# Accepted in this order; the first present wins.
TENANT_CLAIMS = ("tenant_uid", "tenantUid", "tenant_id", "tenantId", "tenant")
IDENTITY_CLAIMS = ("sub", "identity_id", "internal_user_id")
CLIENT_CLAIMS = ("client_id", "azp")
UNSIGNED_KEY = "dfs-emulator-unsigned-token-signing-key"  # signs minted tokens when the scenario configures no key


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


def decode(token: str, settings: DfsSettings) -> dict:
    """The token's claims. A test suite sends the same few tokens thousands of
    times: a token verified once is served from a bounded cache, and only its
    time claims (exp, nbf) are checked again on each use."""
    claims = _verified_claims(token, settings.signing_key)
    now = time.time()
    if isinstance(claims.get("exp"), (int, float)) and now >= claims["exp"]:
        raise Unauthorized("The Bearer token is not valid: Signature has expired")
    if isinstance(claims.get("nbf"), (int, float)) and now < claims["nbf"]:
        raise Unauthorized("The Bearer token is not valid: The token is not yet valid (nbf)")
    return claims


@functools.lru_cache(maxsize=1024)
def _verified_claims(token: str, signing_key: str | None) -> dict:
    """Signature and shape, checked by PyJWT; time claims are left to ``decode``
    so that a cached token still expires. Failures are not cached (they raise)."""
    try:
        if signing_key:
            claims = jwt.decode(token, signing_key, algorithms=["HS256"],
                                options={"verify_aud": False, "verify_exp": False, "verify_nbf": False})
        else:
            claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as error:
        raise Unauthorized(f"The Bearer token is not valid: {error}") from None
    if not isinstance(claims, dict):
        raise Unauthorized("The Bearer token carries no claims")
    return claims


def authenticate(authorization: str | None, model: DfsModel, settings: DfsSettings) -> Caller:
    if not authorization:
        raise Unauthorized("The request requires a Bearer token")
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("The Authorization header must be 'Bearer <JWT>'")
    claims = decode(token.strip(), settings)
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


def mint(settings: DfsSettings, tenant: Tenant, identity_id: str | None, client_id: str | None,
         scope: str = "DfsAdmin") -> str:
    now = int(time.time())
    claims = {"iss": "dfs-emulator", "iat": now, "nbf": now, "exp": now + settings.token_lifetime_seconds,
              "tenant_uid": tenant.uid, "tenant_id": tenant.id, "tenant_key": tenant.key,
              "client_id": client_id or settings.default_client_id, "scope": scope}
    if identity_id:
        claims["sub"] = identity_id
    return jwt.encode(claims, settings.signing_key or UNSIGNED_KEY, algorithm="HS256")
