"""SSO tokens on one world's store and clock, no HTTP.

Access tokens are RS256 JWTs; every token the SSO issues (access and refresh) is
also a record in ``customerid.sso_tokens``, so introspection knows it, revocation
is a write, and reset / snapshots / namespaces cover tokens like any other state.
Times are the world's virtual clock, in whole seconds since the epoch.
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...auth.authorization import AuthorizationServer
from ...auth.oauth import ClientAuthentication, OAuthError, granted_scopes, same_secret, scopes, verify_assertion
from ...auth.signing import (
    KeyRing,
    SigningKey,
    TokenInvalid,
    key_from_pem,
    run_key,
    stranger_key,
    tampered,
    verified_claims,
)
from ...store.core import Collection, Store
from ...world.clock import Clock
from ..errors import AuthenticationFailed, Unauthorized
from ..statuses import ENABLED
from .settings import API_USERS_GROUP, SsoClient, SsoSettings

TOKENS = "customerid.sso_tokens"
FAILED_LOGINS = "customerid.sso_failed_logins"  # CustomerID user id -> failed password logins in a row
SIGNING_KEYS = "customerid.sso_signing_keys"  # rotated keys (auth/signing.py KeyRing): per namespace
ASSERTION_JTIS = "customerid.sso_assertion_jtis"  # client assertions' jti -> exp: each is single use
MAX_ASSERTION_JTIS = 10_000  # past it, the expired ones are forgotten
# What the control API can mint (POST /__emulator/customerid/tokens); docs/control-api.md
BAD_KINDS = (
    "expired",
    "not_yet_valid",
    "wrong_audience",
    "wrong_scope",
    "other_tenant",
    "bad_signature",
    "revoked",
    "outside_group",
)
KINDS = ("valid", *BAD_KINDS)
# Tokens kept per namespace; past it, expired ones go, then the oldest, so a client
# that asks for a token per request keeps memory bounded (the cost is amortized:
# a prune halves the collection).
MAX_TOKENS = 20_000


@dataclass(frozen=True, slots=True)
class SsoToken:
    id: str  # an access token's jti, or the refresh token itself
    kind: str  # "access" | "refresh"
    subject: str  # the user name, or the client id of a client_credentials token
    client_id: str
    scope: tuple[str, ...]
    groups: tuple[str, ...]
    issued_at: int
    expires_at: int
    audience: tuple[str, ...] = ()
    active: bool = True  # False: revoked (introspection answers inactive)
    # A CustomerID user's token follows the directory: active while the user exists,
    # is Enabled and has the password (fingerprint) the token was issued against.
    user_id: str | None = None
    credential: str | None = None
    grant: str | None = None  # the grant it came from (a code, a refresh token): revoked together


def sso_collections() -> list[Collection]:
    return [Collection(TOKENS), Collection(FAILED_LOGINS), Collection(SIGNING_KEYS), Collection(ASSERTION_JTIS)]


def signing_key(settings: SsoSettings) -> SigningKey:
    return key_from_pem(settings.signing_key_pem) if settings.signing_key_pem else run_key("customerid-sso")


@dataclass(frozen=True)
class Subject:
    """Whom a token is for: an SSO user, a CustomerID user, or a client's own account."""

    name: str
    groups: tuple[str, ...]
    claims: dict
    user_id: str | None = None  # a CustomerID user's id
    credential: str | None = None  # the fingerprint of the password they logged in with


def fingerprint(password: str | None) -> str | None:
    """What a token remembers of its user's password: a change turns the token inactive."""
    return None if password is None else hashlib.sha256(password.encode("utf-8", "surrogatepass")).hexdigest()[:24]


class SsoModel:
    authorization: AuthorizationServer  # the code flow's codes and sessions (sso/authorization.py attaches it)

    def __init__(self, store: Store, settings, clock: Clock, lock_user: Callable[[str], Any]) -> None:
        self.customerid = settings  # CustomerIdSettings
        self.settings: SsoSettings = settings.sso
        self.clock = clock
        self.tokens: Collection[SsoToken] = store[TOKENS]
        self.failed_logins: Collection[int] = store[FAILED_LOGINS]
        self.assertion_jtis: Collection[int] = store[ASSERTION_JTIS]
        self.users = store["customerid.users"]
        self.store = store
        self.lock_user = lock_user  # the system lock (CustomerIdModel.lock_user), timed by the scenario
        # the configured key until POST /__emulator/customerid/keys/rotate (per namespace)
        # settings, not self: a closure over the model would be a cycle that keeps every reset's old world
        sso_settings = self.settings
        self.ring = KeyRing(store[SIGNING_KEYS], lambda: signing_key(sso_settings), self.clock.timestamp)

    @property
    def key(self) -> SigningKey:
        """The key new tokens are signed with. Made on first use (a 2048-bit key costs
        ~0.1 s), not at startup."""
        return self.ring.current()

    def now(self) -> int:
        return int(self.clock.timestamp())

    # -- clients and users ---------------------------------------------------------
    def authenticate_client(self, authentication: ClientAuthentication, audiences: tuple[str, ...]) -> SsoClient:
        """The registered client, when the credentials and the registered method match;
        ValueError otherwise (the caller answers invalid_client). An assertion's
        ``aud`` must be one of ``audiences`` (the token endpoint, the issuer)."""
        client_id, method = authentication.client_id, authentication.method
        client = self.settings.client(client_id)
        if client is None:
            raise ValueError(f"unknown client {client_id}")
        if authentication.assertion is not None and client.auth_method in ("client_secret_jwt", "private_key_jwt"):
            verify_assertion(
                authentication.assertion,
                client_id,
                client.auth_method,
                audiences=audiences,
                now=self.clock.timestamp(),
                secret=client.secret,
                jwk_set=client.jwks,
                first_use=self._first_use_of_jti,
            )
            return client
        if method != client.auth_method:
            shown = "a client assertion" if method == "jwt" else method
            raise ValueError(f"client {client_id} is registered for {client.auth_method}, not {shown}")
        secret = authentication.secret
        if method != "none" and (secret is None or client.secret is None or not same_secret(secret, client.secret)):
            raise ValueError("client authentication failed")
        return client

    def _first_use_of_jti(self, jti: str, expires_at: int) -> bool:
        """Remember a client assertion's jti until it expires (RFC 7523 3: single use)."""
        now = self.now()
        seen = self.assertion_jtis.get(jti)
        if seen is not None and seen >= now:
            return False
        if len(self.assertion_jtis) >= MAX_ASSERTION_JTIS:
            for old in [key for key in self.assertion_jtis.ids() if self.assertion_jtis[key] < now]:
                self.assertion_jtis.delete(old)
        self.assertion_jtis.put(jti, expires_at)
        return True

    def is_resource_server(self, client_id: str, secret: str) -> bool:
        """Who may introspect: the CustomerID API application and registered clients."""
        if client_id == self.settings.api_client_id:
            return same_secret(secret, self.settings.api_client_secret)
        client = self.settings.client(client_id)
        return client is not None and client.secret is not None and same_secret(secret, client.secret)

    def password_subject(self, username: str, password: str) -> Subject:
        """An SSO user of the scenario, else a CustomerID user by login or e-mail
        (who must be Enabled: a Locked account cannot log in until the lock ends)."""
        sso_user = self.settings.user(username)
        if sso_user is not None:
            if not same_secret(password, sso_user.password):
                raise OAuthError("invalid_grant", "wrong user name or password")
            return self._sso_subject(sso_user)
        user = self.directory_user(username)
        if user is None or not user.password_enabled or user.password is None:
            raise OAuthError("invalid_grant", "wrong user name or password")
        if user.status != ENABLED.code:
            raise OAuthError("invalid_grant", "the account is not enabled (locked, disabled or not registered)")
        if not same_secret(password, user.password):
            self._failed_login(user.id)
            raise OAuthError("invalid_grant", "wrong user name or password")
        self.failed_logins.delete(user.id)
        return self._directory_subject(user)

    def directory_user(self, username: str):
        """The CustomerID user whose login (else e-mail) is ``username``, case-insensitively."""
        folded = username.casefold()
        matches = self.users.lookup("attribute", ("login", folded)) or self.users.lookup("attribute", ("email", folded))
        return self.users.get(next(iter(matches))) if len(matches) == 1 else None

    def account_subject(self, username: str) -> Subject | None:
        """Whom a login session names, while they may still log in (code flow, SSO session)."""
        sso_user = self.settings.user(username)
        if sso_user is not None:
            return self._sso_subject(sso_user)
        user = self.directory_user(username)
        if user is None or not user.password_enabled or user.password is None or user.status != ENABLED.code:
            return None
        return self._directory_subject(user)

    def _sso_subject(self, sso_user) -> Subject:
        claims = {key: value for key, value in (("email", sso_user.email), ("name", sso_user.name)) if value}
        return Subject(sso_user.username, sso_user.groups, claims)

    def _directory_subject(self, user) -> Subject:
        return Subject(
            user.login or user.email or user.id,
            (),
            directory_claims(self.store, user),
            user.id,
            fingerprint(user.password),
        )

    def follows_directory(self, record: SsoToken) -> bool:
        """A CustomerID user's token: is its user still there, Enabled, with the same password?"""
        if record.user_id is None:
            return True
        user = self.users.get(record.user_id)
        return (
            user is not None
            and user.status == ENABLED.code
            and user.password_enabled
            and fingerprint(user.password) == record.credential
        )

    def _failed_login(self, user_id: str) -> None:
        """Too many wrong passwords in a row lock the account (the lock lifts by itself)."""
        failures = (self.failed_logins.get(user_id) or 0) + 1
        if failures >= self.customerid.max_failed_logins:
            self.failed_logins.delete(user_id)
            self.lock_user(user_id)
        else:
            self.failed_logins.put(user_id, failures)

    def client_subject(self, client: SsoClient) -> Subject:
        return Subject(client.client_id, client.groups, {})

    def granted_scope(self, client: SsoClient, requested: str | None) -> tuple[str, ...]:
        """The client's scopes by default; ``userinfo`` (Ubisecure's scope for the
        userinfo endpoint) may be asked for on top."""
        allowed = self.settings.allowed_scopes(client)
        if not scopes(requested):
            return allowed
        return granted_scopes(requested, tuple(dict.fromkeys((*allowed, "userinfo"))), client.client_id)

    # -- issuing -------------------------------------------------------------------
    def issue(
        self,
        issuer: str,
        client: SsoClient,
        subject: Subject,
        scope: tuple[str, ...],
        *,
        refresh: bool,
        refresh_token: str | None = None,
        grant: str | None = None,
        issued: list[str] | None = None,
    ) -> dict:
        """The RFC 6749 section 5.1 answer; ``refresh_token`` is kept when refreshing.
        ``issued`` collects the ids of the tokens made (a code's, revoked if it comes back)."""
        now = self.now()
        lifetime = self.settings.access_token_lifetime_seconds
        access, jti = self._access_token(issuer, client.client_id, subject, scope, now, now + lifetime, grant=grant)
        answer = {"access_token": access, "token_type": "Bearer", "expires_in": lifetime, "scope": " ".join(scope)}
        ids = [jti]
        if refresh_token is not None:
            answer["refresh_token"] = refresh_token
        elif refresh and "refresh_token" in client.grant_types:
            token = secrets.token_urlsafe(32)
            self._keep(
                SsoToken(
                    token,
                    "refresh",
                    subject.name,
                    client.client_id,
                    scope,
                    subject.groups,
                    now,
                    now + self.settings.refresh_token_lifetime_seconds,
                    user_id=subject.user_id,
                    credential=subject.credential,
                    grant=grant or token,
                )
            )
            answer["refresh_token"] = token
            ids.append(token)
        if issued is not None:
            issued.extend(ids)
        return answer

    def _keep(self, record: SsoToken) -> None:
        if len(self.tokens) >= MAX_TOKENS:
            self._prune()
        self.tokens.put(record.id, record)

    def _prune(self) -> None:
        now = self.now()
        records = sorted(self.tokens, key=lambda record: (record.expires_at > now, record.issued_at))
        for record in records[: max(len(records) // 2, sum(1 for r in records if r.expires_at <= now))]:
            self.tokens.delete(record.id)

    def _access_token(
        self,
        issuer: str,
        client_id: str,
        subject: Subject,
        scope: tuple[str, ...],
        issued: int,
        expires: int,
        *,
        audience: tuple[str, ...] | None = None,
        not_before: int | None = None,
        key: SigningKey | None = None,
        record: bool = True,
        active: bool = True,
        grant: str | None = None,
    ) -> tuple[str, str]:
        jti = str(uuid.uuid4())
        if audience is None:
            audience = (
                (client_id, self.settings.api_client_id) if self.settings.api_client_id in scope else (client_id,)
            )
        claims = {
            "iss": issuer,
            "sub": subject.name,
            "aud": list(audience),
            "client_id": client_id,
            "scope": " ".join(scope),
            "usn": subject.name,
            "iat": issued,
            "nbf": not_before or issued,
            "exp": expires,
            "jti": jti,
        }
        if subject.groups:
            claims["groups"] = list(subject.groups)
        if record:
            self._keep(
                SsoToken(
                    jti,
                    "access",
                    subject.name,
                    client_id,
                    scope,
                    subject.groups,
                    issued,
                    expires,
                    audience,
                    active,
                    subject.user_id,
                    subject.credential,
                    grant,
                )
            )
        return (key or self.key).sign(claims), jti

    def refresh(self, issuer: str, client: SsoClient, token: str, requested_scope: str | None) -> dict:
        record = self.tokens.get(token)
        if record is None or record.kind != "refresh" or not record.active or self.now() >= record.expires_at:
            raise OAuthError("invalid_grant", "the refresh token is unknown, revoked or expired")
        if not self.follows_directory(record):
            raise OAuthError(
                "invalid_grant", "the refresh token's user is deleted, locked or disabled, or changed the password"
            )
        if record.client_id != client.client_id:
            raise OAuthError("invalid_grant", "the refresh token was issued to another client")
        scope = scopes(requested_scope) or record.scope
        if any(item not in record.scope for item in scope):
            raise OAuthError("invalid_scope", "a refresh cannot widen the scope")
        subject = Subject(record.subject, record.groups, {}, record.user_id, record.credential)
        return self.issue(issuer, client, subject, scope, refresh=False, refresh_token=token, grant=record.grant)

    # -- checking ------------------------------------------------------------------
    def active_record(self, token: str) -> SsoToken | None:
        """The token's record when the SSO would call it active (RFC 7662), else None."""
        now = self.now()
        record = self.tokens.get(token)  # a refresh token is its own id
        if record is None:
            try:
                claims = verified_claims(token, self.ring.for_token(token))
            except TokenInvalid:
                return None
            record = self.tokens.get(claims.get("jti")) if isinstance(claims.get("jti"), str) else None
            if record is None or record.kind != "access":
                return None
            not_before = claims.get("nbf")
            if isinstance(not_before, (int, float)) and now < not_before:
                return None
        if not record.active or now >= record.expires_at or not self.follows_directory(record):
            return None
        return record

    def introspection(self, token: str, issuer: str) -> dict:
        record = self.active_record(token)
        if record is None:
            return {"active": False}
        return {
            "active": True,
            "client_id": record.client_id,
            "usn": record.subject,
            "sub": record.subject,
            "iss": issuer,
            "aud": list(record.audience) or [record.client_id],
            "scope": " ".join(record.scope),
            "exp": record.expires_at,
            "iat": record.issued_at,
            "expires_in": record.expires_at - self.now(),
            "token_type": "Bearer" if record.kind == "access" else "refresh_token",
        }

    def authorize_bearer(self, token: str) -> SsoToken:
        """CustomerID's check of a Bearer token (what its introspection call decides):
        unknown, expired, revoked or not for this API -> 401 code 2; a valid token of
        someone outside "CustomerID API Users" or without the API's scope -> 403 code 3."""
        record = self.active_record(token)
        if record is None or record.kind != "access":
            raise AuthenticationFailed("the Bearer token is not active (unknown, expired, not yet valid or revoked)")
        api = self.settings.api_client_id
        if api not in record.audience and record.client_id not in record.audience:
            raise AuthenticationFailed("the Bearer token was issued for another audience")
        if API_USERS_GROUP not in record.groups:
            raise Unauthorized(f"{record.subject} is not in the group {API_USERS_GROUP}")
        if api not in record.scope:
            raise Unauthorized(f"the Bearer token's scope does not include {api}")
        return record

    def userinfo(self, token: str) -> dict:
        record = self.active_record(token)
        if record is None or record.kind != "access":
            raise AuthenticationFailed("the access token is not active")
        info: dict[str, Any] = {"sub": record.subject, "usn": record.subject}
        user = self.users.get(record.user_id) if record.user_id else None
        sso_user = self.settings.user(record.subject)
        if user is not None:  # the stored record as it is now
            info.update(directory_claims(self.store, user))
        elif sso_user is not None:
            info.update(self._sso_subject(sso_user).claims)
        if record.groups:
            info["groups"] = list(record.groups)
        return info

    # -- bad credentials on demand (control API) --------------------------------------
    def mint(
        self,
        issuer: str,
        kind: str,
        username: str | None = None,
        client_id: str | None = None,
        requested_scope: str | None = None,
    ) -> dict:
        """A token of ``kind``; ``requested_scope`` (space-separated) replaces the default
        scope and must be one the client may have (ValueError naming the others)."""
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
        client = self.settings.client(client_id) if client_id else (self.settings.clients or (None,))[0]
        if client is None:
            raise LookupError(f"no SSO client {client_id!r} in the scenario (customerid.sso.clients)")
        subject = self._mint_subject(kind, username)
        now, lifetime = self.now(), self.settings.access_token_lifetime_seconds
        scope: tuple[str, ...] = ("openid", self.settings.api_client_id)
        if scopes(requested_scope):
            try:
                scope = granted_scopes(requested_scope, self.settings.allowed_scopes(client), client.client_id)
            except OAuthError as error:
                raise ValueError(error.description) from None
        options: dict = {}
        if kind == "expired":
            now -= lifetime + 60
        elif kind == "not_yet_valid":
            options["not_before"] = now + 3600
        elif kind == "wrong_audience":
            options["audience"] = ("another-application",)
        elif kind == "wrong_scope":
            scope = ("openid",)
        elif kind == "other_tenant":  # issued by another SSO: its key, its issuer, unknown here
            issuer, options["key"], options["record"] = "https://other-tenant.example/uas", stranger_key(), False
        elif kind == "revoked":
            options["active"] = False
        token, _ = self._access_token(issuer, client.client_id, subject, scope, now, now + lifetime, **options)
        if kind == "bad_signature":
            token = tampered(token)
        return {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": lifetime,
            "kind": kind,
            "scope": " ".join(scope),
            "username": subject.name,
        }

    def _mint_subject(self, kind: str, username: str | None) -> Subject:
        if kind == "outside_group":
            name = username or "outside-user"
            user = self.settings.user(name)
            return Subject(
                name, tuple(group for group in (user.groups if user else ()) if group != API_USERS_GROUP), {}
            )
        if username is not None:
            user = self.settings.user(username)
            if user is None:
                raise LookupError(f"no SSO user {username!r} in the scenario (customerid.sso.users)")
            return Subject(user.username, user.groups, {})
        api_user = next((user for user in self.settings.users if API_USERS_GROUP in user.groups), None)
        if api_user is None:
            return Subject("api-user", (API_USERS_GROUP,), {})
        return Subject(api_user.username, api_user.groups, {})

    def revoke(self, token_id: str) -> None:
        record = self.tokens.get(token_id)
        if record is not None:
            self.tokens.put(token_id, dataclasses.replace(record, active=False))

    def revoke_grant(self, grant: str) -> None:
        """Every token of one grant (RFC 7009 2.1: revoking a refresh token revokes its access tokens)."""
        for record in [record for record in self.tokens if record.grant == grant and record.active]:
            self.revoke(record.id)

    def find_record(self, token: str) -> SsoToken | None:
        """The record of a refresh token or of a (well-signed) access token, active or not."""
        record = self.tokens.get(token)
        if record is not None:
            return record
        try:
            jti = verified_claims(token, self.ring.for_token(token)).get("jti")
        except TokenInvalid:
            return None
        return self.tokens.get(jti) if isinstance(jti, str) else None


def directory_claims(store: Store, user) -> dict:
    """OpenID claims from a CustomerID user's stored record (docs/fidelity.md lists each one's source)."""
    organization = store["customerid.organizations"].get(user.organization_id)
    roles = store["customerid.roles"]
    role_names = sorted(
        role.entity_name
        for role in (
            roles.get(assignment.role_id) for assignment in store["customerid.role_assignments"].find("user", user.id)
        )
        if role is not None
    )
    claims = {
        "name": user.display_name,
        "given_name": user.firstname,
        "family_name": user.surname,
        "email": user.email,
        "phone_number": user.mobile,
        "locale": user.locale,
        "customerid_user_id": user.id,
        "organization": organization.entity_name if organization else None,
        "roles": role_names,
    }
    return {key: value for key, value in claims.items() if value}
