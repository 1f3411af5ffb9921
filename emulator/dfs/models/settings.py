"""DFS configuration a scenario may set (``dfs.settings``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IdentityClient:
    """A client app of the DFS identity server (connect/token): its credentials
    determine its tenants, scopes and, for a user token, the identity."""

    client_id: str
    secret: str | None  # None: a public client (auth_method "none", PKCE required)
    tenant_ids: tuple[int, ...]  # the first is the token's tenant unless the request names another
    identity_id: str | None = None  # None: app tokens (no sub)
    scopes: tuple[str, ...] = ("DfsAdmin",)
    # the code flow (dfs/authorization.py): a client with redirect URIs may use it
    grant_types: tuple[str, ...] = ("client_credentials",)
    redirect_uris: tuple[str, ...] = ()
    post_logout_redirect_uris: tuple[str, ...] = ()
    auth_method: str = "client_secret_basic"  # or client_secret_post (both accepted) or none
    code_challenge_method: str | None = None  # set: PKCE required; S256 forbids plain
    name: str = ""


@dataclass(frozen=True)
class DfsSettings:
    # Tokens are RS256, signed by the identity server's key (signing_key_pem, or
    # one generated per run); an HS256 secret here is accepted as well.
    signing_key: str | None = None
    signing_key_pem: str | None = None
    allow_unsigned_tokens: bool = False  # alg "none": refused unless a scenario allows it
    api_scope: str = "DfsAdmin"  # a token that names scopes must include this one (else 403)
    audience: str = "DfsAdmin"  # a token that names audiences must include this one (else 401)
    clients: tuple[IdentityClient, ...] = ()
    # Defaults of POST /__emulator/dfs/token (scenario keys resolved to ids).
    default_tenant_id: int | None = None
    default_identity_id: str | None = None
    default_client_id: str = "dfs-emulator-client"
    token_lifetime_seconds: int = 3600
    # sync-members / import-members complete this many seconds after they are accepted.
    long_running_delay_seconds: float = 0.0
    default_page_size: int = 10
    max_page_size: int = 1000
