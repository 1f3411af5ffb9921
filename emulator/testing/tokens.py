"""Ready Bearer credentials for tests, good or bad on demand: SSO tokens for
CustomerID (``bearer_headers``) and identity-server tokens for DFS
(``dfs_headers``), mixed into EmulatorHandle (docs/pytest.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

T = TypeVar("T")

if TYPE_CHECKING:
    from ..world.state import EmulatorState
    from .handle import _Sender


class HeaderFactory(dict):
    """Headers that are also a factory: ``emulator.dfs_headers`` are the default
    token's headers; ``emulator.dfs_headers(kind="expired")`` makes other ones."""

    def __init__(self, headers: dict[str, str], make: Callable[..., dict[str, str]]) -> None:
        super().__init__(headers)
        self._make = make

    def __call__(self, **options: Any) -> dict[str, str]:
        return self._make(**options)


def _body(**fields: Any) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if value is not None}


class TokenHelpers:
    """Token minting for EmulatorHandle. In-process, tokens are minted in the world
    directly, on the server's own loop (``_on_server``: a write never races a
    request); against an external emulator, through the control API, so the
    namespace's store and clock decide either way. The handle provides url, app,
    headers, state, _control, _on_server and _dfs_token."""

    if TYPE_CHECKING:  # what EmulatorHandle provides
        url: str
        app: Any  # the in-process aiohttp app, None against an external emulator
        headers: dict[str, str]
        _control: _Sender
        _dfs_token: str | None

        @property
        def state(self) -> EmulatorState: ...

        def _on_server(self, work: Callable[[], T]) -> T: ...

    def _direct(self) -> bool:
        return self.app is not None

    # -- CustomerID (the SSO beside it) ----------------------------------------------------
    def customerid_token(self, kind: str = "valid", username: str | None = None, client_id: str | None = None) -> str:
        """An SSO access token for CustomerID: ``kind`` valid (default), expired,
        not_yet_valid, wrong_audience, wrong_scope, other_tenant, bad_signature,
        revoked or outside_group. Tokens live in the test's namespace: mint again
        after a reset."""
        if self._direct():
            sso = self.state.world.models["customerid"].sso
            return self._on_server(lambda: sso.mint(self.url + "/uas", kind, username, client_id)["access_token"])
        body = _body(kind=kind, username=username, clientId=client_id)
        return self._control.call_blocking("POST", "/customerid/tokens", body=body)["access_token"]

    async def mint_customerid_token(
        self, kind: str = "valid", username: str | None = None, client_id: str | None = None
    ) -> str:
        """POST /__emulator/customerid/tokens (any mode, without blocking the loop)."""
        body = _body(kind=kind, username=username, clientId=client_id)
        return (await self._control.call("POST", "/customerid/tokens", body))["access_token"]

    @property
    def bearer_headers(self) -> HeaderFactory:
        """``Authorization: Bearer`` for CustomerID (the scenario's API user), next to
        the Basic ``auth_headers``; ``bearer_headers(kind=..., username=...)`` for others."""

        def make(**options: Any) -> dict[str, str]:
            return {"Authorization": "Bearer " + self.customerid_token(**options), **self.headers}

        return HeaderFactory(make(), make)

    # -- DFS (its identity server) ----------------------------------------------------------
    def dfs_token(
        self,
        tenant_uid: str | None = None,
        identity_id: str | None = "default",
        client_id: str | None = None,
        kind: str = "valid",
    ) -> str:
        """A DFS Bearer JWT, by default for the scenario's default tenant and identity;
        ``identity_id=None``: an app token; ``kind`` as ``POST /__emulator/dfs/token``
        takes it (expired, not_yet_valid, wrong_audience, wrong_scope, other_tenant,
        bad_signature, revoked)."""
        default = (tenant_uid, identity_id, client_id, kind) == (None, "default", None, "valid")
        if self.app is None and default and self._dfs_token is not None:
            return self._dfs_token
        if self._direct():
            from ..dfs.identity import mint_kind

            world = self.state.world
            model, settings = world.models["dfs"], world.settings["dfs"]
            tenant = model.tenant_by_uid(tenant_uid) if tenant_uid else model.tenants.get(settings.default_tenant_id)
            if tenant is None:
                raise LookupError(f"no DFS tenant {tenant_uid or settings.default_tenant_id!r}")
            identity = settings.default_identity_id if identity_id == "default" else identity_id
            return self._on_server(
                lambda: mint_kind(model, settings, tenant, identity, client_id, kind, world.clock.timestamp())
            )
        return self._control.call_blocking(
            "POST",
            "/dfs/token",
            body=self._dfs_body(tenant_uid, identity_id, client_id, kind),
        )["access_token"]

    async def mint_dfs_token(
        self,
        tenant_uid: str | None = None,
        identity_id: str | None = "default",
        client_id: str | None = None,
        kind: str = "valid",
    ) -> str:
        """POST /__emulator/dfs/token: ``identity_id=None`` mints an app token."""
        return (
            await self._control.call(
                "POST",
                "/dfs/token",
                self._dfs_body(tenant_uid, identity_id, client_id, kind),
            )
        )["access_token"]

    @staticmethod
    def _dfs_body(tenant_uid, identity_id, client_id, kind) -> dict[str, Any]:
        body = _body(tenantUid=tenant_uid, clientId=client_id, kind=None if kind == "valid" else kind)
        if identity_id != "default":
            body["identityId"] = identity_id
        return body

    @property
    def dfs_headers(self) -> HeaderFactory:
        """``Authorization: Bearer`` for the scenario's default DFS tenant and identity;
        ``dfs_headers(tenant_uid=..., identity_id=..., kind=...)`` for others."""

        def make(**options: Any) -> dict[str, str]:
            return {"Authorization": "Bearer " + self.dfs_token(**options), **self.headers}

        return HeaderFactory(make(), make)
