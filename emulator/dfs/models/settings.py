"""DFS configuration a scenario may set (``dfs.settings``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DfsSettings:
    # HS256 secret: when set, Bearer tokens must carry a valid signature (and
    # an unexpired exp); when None any well-formed JWT is accepted unverified.
    signing_key: str | None = None
    # Defaults of POST /__emulator/dfs/token (scenario keys resolved to ids).
    default_tenant_id: int | None = None
    default_identity_id: str | None = None
    default_client_id: str = "dfs-emulator-client"
    token_lifetime_seconds: int = 3600
    # sync-members / import-members complete this many seconds after they are accepted.
    long_running_delay_seconds: float = 0.0
    default_page_size: int = 10
    max_page_size: int = 1000
