"""SSO configuration a scenario may set (``customerid.sso``): OAuth2 clients,
SSO users and their groups, token lifetimes, the signing key."""

from __future__ import annotations

from dataclasses import dataclass

API_USERS_GROUP = "CustomerID API Users"  # the SSO group whose members may call CustomerID
GRANT_TYPES = ("authorization_code", "password", "client_credentials", "refresh_token")
# token_endpoint_auth_method, registered per client; "none": a public client (PKCE required)
# client_secret_jwt: an HS256 assertion signed with the secret; private_key_jwt: signed with a key of ``jwks``
AUTH_METHODS = ("client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt", "none")


@dataclass(frozen=True)
class SsoClient:
    client_id: str
    secret: str | None  # None: a public client (auth_method none) or private_key_jwt
    auth_method: str = "client_secret_basic"  # the registered token_endpoint_auth_method
    grant_types: tuple[str, ...] = GRANT_TYPES
    scopes: tuple[str, ...] = ()  # allowed scopes; empty: openid and the CustomerID API scope
    groups: tuple[str, ...] = ()  # groups of the client's own account (client_credentials tokens)
    # the code flow (Ubisecure's client registration: redirect_uris, response_types, code_challenge_method)
    redirect_uris: tuple[str, ...] = ()
    response_types: tuple[str, ...] = ("code",)
    code_challenge_method: str | None = None  # set: every authorization request needs a challenge
    post_logout_redirect_uris: tuple[str, ...] = ()
    name: str = ""  # shown on the login page
    jwks: dict | None = None  # private_key_jwt: the client's public keys (an inline JWK set)


@dataclass(frozen=True)
class SsoUser:
    username: str
    password: str
    groups: tuple[str, ...] = ()
    email: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class SsoSettings:
    # the "CustomerID API" application's client id (rest.oauth2.client.uuid): the
    # scope a token must carry; also the client CustomerID introspects tokens as
    api_client_id: str = "customerid-api"
    api_client_secret: str = "customerid-api-secret"
    clients: tuple[SsoClient, ...] = ()
    users: tuple[SsoUser, ...] = ()
    access_token_lifetime_seconds: int = 3600
    refresh_token_lifetime_seconds: int = 86400
    signing_key_pem: str | None = None  # RSA private key (PEM); default: one generated per run

    def client(self, client_id: str) -> SsoClient | None:
        return next((client for client in self.clients if client.client_id == client_id), None)

    def user(self, username: str) -> SsoUser | None:
        return next((user for user in self.users if user.username == username), None)

    def allowed_scopes(self, client: SsoClient) -> tuple[str, ...]:
        return client.scopes or ("openid", self.api_client_id)
