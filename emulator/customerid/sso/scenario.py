"""The ``customerid.sso`` scenario block: SSO clients, users, lifetimes, key."""

from __future__ import annotations

import dataclasses

from ...auth.signing import key_from_pem
from .settings import GRANT_TYPES, SsoClient, SsoSettings, SsoUser

_SCALARS = (
    ("apiClientId", "api_client_id"),
    ("apiClientSecret", "api_client_secret"),
    ("accessTokenLifetimeSeconds", "access_token_lifetime_seconds"),
    ("refreshTokenLifetimeSeconds", "refresh_token_lifetime_seconds"),
    ("signingKey", "signing_key_pem"),
)


class InvalidSsoEntry(ValueError):
    """A block the schema lets through but the SSO cannot use; ``path`` is where."""

    def __init__(self, path: tuple[str, ...], message: str) -> None:
        super().__init__(message)
        self.path = path


def merged_sso(current: SsoSettings, block: dict) -> SsoSettings:
    """``block`` on top of ``current``: a client or user of the same id replaces the
    earlier one. ValueError when the signing key is not an RSA private key."""
    changes: dict = {field: block[key] for key, field in _SCALARS if key in block}
    if "signingKey" in block:
        key_from_pem(block["signingKey"])  # refuse a bad key at load time, not at the first request
    clients = {client.client_id: client for client in current.clients}
    for key, entry in (block.get("clients") or {}).items():
        client_id = entry.get("clientId", key)
        auth_method = entry.get("authMethod", "client_secret_basic")
        if auth_method == "private_key_jwt":
            if "jwks" not in entry:
                raise InvalidSsoEntry(
                    ("clients", key, "jwks"), "a private_key_jwt client registers its public keys (jwks)"
                )
        elif (auth_method == "none") != ("secret" not in entry):
            raise InvalidSsoEntry(
                ("clients", key, "secret"), "a client has a secret unless its authMethod is none (a public client)"
            )
        clients[client_id] = SsoClient(
            client_id,
            entry.get("secret"),
            auth_method,
            tuple(entry.get("grantTypes", GRANT_TYPES)),
            tuple(entry.get("scopes", ())),
            tuple(entry.get("groups", ())),
            tuple(entry.get("redirectUris", ())),
            tuple(entry.get("responseTypes", ("code",))),
            entry.get("codeChallengeMethod"),
            tuple(entry.get("postLogoutRedirectUris", ())),
            entry.get("name", ""),
            entry.get("jwks"),
        )
    users = {user.username: user for user in current.users}
    for key, entry in (block.get("users") or {}).items():
        username = entry.get("username", key)
        users[username] = SsoUser(
            username, entry["password"], tuple(entry.get("groups", ())), entry.get("email"), entry.get("name")
        )
    return dataclasses.replace(current, **changes, clients=tuple(clients.values()), users=tuple(users.values()))


def dump_sso(settings: SsoSettings) -> dict:
    block: dict = {key: getattr(settings, field) for key, field in _SCALARS if getattr(settings, field) is not None}
    block["clients"] = {client.client_id: _dump_client(client) for client in settings.clients}
    block["users"] = {
        user.username: {
            "password": user.password,
            "groups": list(user.groups),
            **{key: value for key, value in (("email", user.email), ("name", user.name)) if value},
        }
        for user in settings.users
    }
    return block


def _dump_client(client: SsoClient) -> dict:
    optional = {
        "secret": client.secret,
        "scopes": list(client.scopes),
        "groups": list(client.groups),
        "redirectUris": list(client.redirect_uris),
        "codeChallengeMethod": client.code_challenge_method,
        "postLogoutRedirectUris": list(client.post_logout_redirect_uris),
        "name": client.name,
        "jwks": client.jwks,
    }
    return {
        "authMethod": client.auth_method,
        "grantTypes": list(client.grant_types),
        "responseTypes": list(client.response_types),
        **{key: value for key, value in optional.items() if value},
    }
