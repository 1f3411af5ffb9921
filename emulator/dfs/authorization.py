"""The DFS identity server's data for the shared authorization engine
(auth/authorization.py): its clients' registrations (``dfs.clients``), who can
log in (identities with a user name and a password that may sign in), the
password check, and the tokens of an authorization_code grant at /connect/token:
an access token the Admin API accepts (dfs/auth.py: aud, scope, tenant) and an
ID token (OpenID Connect Core 2) with claims from the identity record."""

from __future__ import annotations

import hashlib
import uuid
import weakref
from collections.abc import Iterable

from ..auth import oauth
from ..auth.authorization import Account, AuthorizationCode, AuthorizationServer, LoginFailed, Registration, half_hash
from ..auth.oauth import OAuthError
from ..auth.signing import KeyRing, SigningKey, TokenInvalid, verified_claims
from .auth import mint
from .models import DfsModel, DfsSettings
from .models.collections import fold
from .models.records import Identity, Tenant
from .models.settings import IdentityClient

PREFIX = "dfs"  # the store collections of its codes and sessions: dfs.authorization_codes, dfs.sessions
COOKIE = "emulator_idsrv_session"  # IdentityServer's own is "idsrv.session"; ours is named for the emulator
OIDC_SCOPES = ("openid", "profile", "email")
# what the ID token may carry (docs/fidelity.md: each claim's source)
CLAIMS = (
    "iss", "sub", "aud", "azp", "exp", "iat", "auth_time", "nonce", "at_hash", "sid",
    "name", "given_name", "family_name", "preferred_username", "email",
    "tenant_uid", "tenant_id", "tenant_key",
)  # fmt: skip


def registration(client: IdentityClient) -> Registration:
    return Registration(
        client.client_id,
        client.redirect_uris,
        client.grant_types,
        ("code",),
        client.auth_method,
        client.code_challenge_method,
        client.post_logout_redirect_uris,
        client.name,
    )


def find_client(settings: DfsSettings, client_id: str) -> IdentityClient | None:
    return next((client for client in settings.clients if client.client_id == client_id), None)


def _credential(identity: Identity) -> str | None:
    """What a session remembers of the password: a change ends the session."""
    return None if identity.password is None else hashlib.sha256(identity.password.encode()).hexdigest()


def _display(identity: Identity) -> str:
    return " ".join(part for part in (identity.first_name, identity.last_name) if part) or identity.username


class DfsVendor:
    realm = "DFS identity server"
    cookie_name = COOKIE
    cookie_path = "/connect/"

    def __init__(self, model: DfsModel) -> None:
        # weakly: the model holds the engine that holds this (no cycle to outlive a reset)
        self.model = weakref.proxy(model)

    def registration(self, client_id: str) -> Registration | None:
        client = find_client(self.model.settings, client_id)
        return None if client is None else registration(client)

    def _identity(self, username: str) -> Identity | None:
        """The identity of a user name (case-insensitive) that may log in now."""
        found = self.model.identities.find("username", fold(username))
        identity = found[0] if found else None
        if identity is None or not identity.password or not identity.is_sign_in_enabled:
            return None
        return identity

    def login_choices(self) -> list[Account]:
        """Identities with a password that may sign in (system accounts too: they are in the scenario)."""
        identities = sorted(
            (identity for identity in self.model.identities if identity.password and identity.is_sign_in_enabled),
            key=lambda identity: fold(identity.username),
        )
        return [Account(identity.username, _display(identity), _credential(identity)) for identity in identities]

    def account(self, username: str) -> Account | None:
        identity = self._identity(username)
        return None if identity is None else Account(identity.username, _display(identity), _credential(identity))

    def check_password(self, username: str, password: str) -> Account:
        identity = self._identity(username)
        if identity is None or not oauth.same_secret(password, identity.password or ""):
            raise LoginFailed("the user name or password is wrong")
        return Account(identity.username, _display(identity), _credential(identity))

    def granted_scope(self, registration: Registration, requested: str | None) -> tuple[str, ...]:
        client = find_client(self.model.settings, registration.client_id)
        assert client is not None
        return oauth.granted_scopes(requested, client.scopes, client.client_id)

    def revoke(self, token_ids: Iterable[str]) -> None:
        """A code used twice: the access token it gave (by ``jti``) is revoked."""
        for token_id in token_ids:
            self.model.revoked_tokens.put(token_id, token_id)


def attach(model: DfsModel, now) -> None:
    """Give the world's DFS model its authorization engine (codes and sessions in its store)."""
    model.authorization = AuthorizationServer(model.store, now, PREFIX, DfsVendor(model))  # type: ignore[attr-defined]


def user_tenant(model: DfsModel, client: IdentityClient, identity: Identity, form: dict[str, str]) -> Tenant:
    """The token's tenant: one of the client's tenants the identity has enabled access to;
    the first unless the token request names one (``tenant`` or ``acr_values=tenant:X``)."""
    named = form.get("tenant")
    for value in (form.get("acr_values") or "").split():
        if value.startswith("tenant:"):
            named = value[len("tenant:") :]
    for tenant_id in client.tenant_ids:
        tenant = model.tenants.get(tenant_id)
        access = model.access.get((identity.id, tenant_id))
        if tenant is None or access is None or not access.enabled:
            continue
        if named is None or fold(named) in (fold(tenant.key), tenant.uid.lower(), str(tenant.id)):
            return tenant
    wanted = f"tenant {named}" if named else "any of the client's tenants"
    raise OAuthError("invalid_grant", f"{identity.username} has no access to {wanted}")


def code_grant(
    model: DfsModel, settings: DfsSettings, issuer: str, client: IdentityClient, form: dict[str, str], now: float
) -> dict:
    """post /connect/token, grant_type=authorization_code: the code spent for an access
    token (for the identity and a tenant it may access) and, with scope openid, an ID token."""
    engine: AuthorizationServer = model.authorization  # type: ignore[attr-defined]
    code = engine.redeem(registration(client), form)
    found = model.identities.find("username", fold(code.username))
    if not found:
        raise OAuthError("invalid_grant", f"{code.username} may no longer log in")
    identity = found[0]
    tenant = user_tenant(model, client, identity, form)
    jti = uuid.uuid4().hex
    scope = " ".join(code.scope)
    key = model.ring.current()
    access_token = mint(settings, tenant, identity.id, client.client_id, scope, now, issuer=issuer, key=key, jti=jti)
    engine.record_issued(code, [jti])
    answer = {
        "access_token": access_token,
        "expires_in": settings.token_lifetime_seconds,
        "token_type": "Bearer",
        "scope": scope,
    }
    if "openid" in code.scope:
        answer["id_token"] = id_token(
            settings, key, issuer, client.client_id, identity, tenant, code, access_token, now
        )
    return answer


def identity_claims(identity: Identity, scope: tuple[str, ...]) -> dict:
    """Profile and e-mail claims from the stored identity, as the scopes ask (OIDC Core 5.4)."""
    claims: dict = {}
    if "profile" in scope:
        claims.update(
            name=_display(identity),
            given_name=identity.first_name,
            family_name=identity.last_name,
            preferred_username=identity.username,
        )
    if "email" in scope:
        claims["email"] = identity.email
    return {name: value for name, value in claims.items() if value}


def id_token(
    settings: DfsSettings,
    key: SigningKey,
    issuer: str,
    client_id: str,
    identity: Identity,
    tenant: Tenant,
    code: AuthorizationCode,
    access_token: str,
    now: float,
) -> str:
    issued = int(now)
    claims = {
        **identity_claims(identity, code.scope),
        "iss": issuer,
        "sub": identity.id,
        "aud": client_id,
        "azp": client_id,
        "exp": issued + settings.token_lifetime_seconds,
        "iat": issued,
        "auth_time": code.auth_time,
        "at_hash": half_hash(access_token),
        "sid": code.session_id,
        "tenant_uid": tenant.uid,
        "tenant_id": tenant.id,
        "tenant_key": tenant.key,
    }
    if code.nonce is not None:
        claims["nonce"] = code.nonce
    return key.sign(claims, {"typ": "JWT"})


def id_token_hint_claims(ring: KeyRing, token: str) -> dict | None:
    """An ID token this identity server signed with a key it still publishes (expired
    ones too: OIDC RP-Initiated Logout 2)."""
    try:
        claims = verified_claims(token, ring.for_token(token))
    except TokenInvalid:
        return None
    return claims if "auth_time" in claims and "sid" in claims else None
