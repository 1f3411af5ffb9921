"""The SSO's data for the shared authorization engine (auth/authorization.py):
its clients' registrations, who can log in (the scenario's SSO users and the
CustomerID users with a password login), the login counting failed passwords as
the password grant does, and the ID token (OpenID Connect Core 2) it issues with
the tokens of an authorization_code grant."""

from __future__ import annotations

import weakref
from collections.abc import Iterable

from ...auth.authorization import (
    Account,
    AuthorizationCode,
    AuthorizationServer,
    LoginFailed,
    Registration,
    half_hash,
)
from ...auth.oauth import OAuthError
from ...auth.signing import TokenInvalid, verified_claims
from ..statuses import ENABLED
from .model import SsoModel, Subject
from .settings import SsoClient

COOKIE = "emulator_uas_session"  # Ubisecure's own cookie name is not public (docs/fidelity.md)
PREFIX = "customerid.sso"  # the store collections of its codes and sessions


def registration(client: SsoClient) -> Registration:
    return Registration(
        client.client_id,
        client.redirect_uris,
        client.grant_types,
        client.response_types,
        client.auth_method,
        client.code_challenge_method,
        client.post_logout_redirect_uris,
        client.name,
    )


class SsoVendor:
    realm = "Ubisecure SSO"
    cookie_name = COOKIE
    cookie_path = "/uas/"

    def __init__(self, sso: SsoModel) -> None:
        # weakly: the model holds the engine that holds this (no cycle to outlive a reset)
        self.sso = weakref.proxy(sso)

    def registration(self, client_id: str) -> Registration | None:
        client = self.sso.settings.client(client_id)
        return None if client is None else registration(client)

    def login_choices(self) -> list[Account]:
        """SSO users, then Enabled CustomerID users with a password login (by login name)."""
        choices = [Account(user.username, user.name or user.username) for user in self.sso.settings.users]
        directory = sorted(
            (
                user
                for user in self.sso.users
                if user.status == ENABLED.code and user.password_enabled and user.password and user.login
            ),
            key=lambda user: user.login,
        )
        return choices + [Account(user.login, user.display_name) for user in directory]

    def account(self, username: str) -> Account | None:
        subject = self.sso.account_subject(username)
        return None if subject is None else _account(subject)

    def check_password(self, username: str, password: str) -> Account:
        try:
            subject = self.sso.password_subject(username, password)
        except OAuthError as error:
            raise LoginFailed(error.description) from None
        return _account(subject)

    def granted_scope(self, registration: Registration, requested: str | None) -> tuple[str, ...]:
        client = self.sso.settings.client(registration.client_id)
        assert client is not None
        return self.sso.granted_scope(client, requested)

    def revoke(self, token_ids: Iterable[str]) -> None:
        """A code used twice: its tokens go, and those refreshed from them (same grant)."""
        for token_id in token_ids:
            record = self.sso.tokens.get(token_id)
            if record is not None:
                self.sso.revoke_grant(record.grant or token_id)


def _account(subject: Subject) -> Account:
    return Account(subject.name, subject.claims.get("name", subject.name), subject.credential)


def attach(sso: SsoModel) -> None:
    """Give the namespace's SSO its authorization engine (codes and sessions in its store)."""
    sso.authorization = AuthorizationServer(sso.store, sso.now, PREFIX, SsoVendor(sso))


def code_grant(sso: SsoModel, issuer: str, client: SsoClient, form: dict[str, str]) -> dict:
    """post /uas/oauth2/token, grant_type=authorization_code: the code spent for an
    access token, a refresh token (when the client may refresh) and, with scope
    openid, an ID token."""
    code = sso.authorization.redeem(registration(client), form)
    subject = sso.account_subject(code.username)
    if subject is None:
        raise OAuthError("invalid_grant", f"{code.username} may no longer log in")
    issued: list[str] = []
    answer = sso.issue(issuer, client, subject, code.scope, refresh=True, grant=code.code, issued=issued)
    if "openid" in code.scope:
        answer["id_token"] = id_token(sso, issuer, client.client_id, subject, code, answer["access_token"])
    sso.authorization.record_issued(code, issued)
    return answer


def id_token(sso: SsoModel, issuer: str, client_id: str, subject: Subject, code: AuthorizationCode, access: str) -> str:
    now = sso.now()
    claims = {
        **subject.claims,
        "iss": issuer,
        "sub": subject.name,
        "usn": subject.name,
        "aud": client_id,
        "azp": client_id,
        "exp": now + sso.settings.access_token_lifetime_seconds,
        "iat": now,
        "auth_time": code.auth_time,
        "at_hash": half_hash(access),
        "sid": code.session_id,
    }
    if code.nonce is not None:
        claims["nonce"] = code.nonce
    if subject.groups:
        claims["groups"] = list(subject.groups)
    return sso.key.sign(claims, {"typ": "JWT"})


def id_token_hint_claims(sso: SsoModel, token: str) -> dict | None:
    """An ID token this SSO signed (expired ones too: OIDC RP-Initiated Logout 2)."""
    try:
        claims = verified_claims(token, sso.key)
    except TokenInvalid:
        return None
    return claims if "auth_time" in claims and "sid" in claims else None
