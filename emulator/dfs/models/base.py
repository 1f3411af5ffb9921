"""What every DFS rule module shares: the collections, lookups by id within the
caller's tenant, sequences and timestamps."""

from __future__ import annotations

from collections.abc import Callable

from ...auth.signing import KeyRing
from ...store.core import Collection, Store
from ...store.ids import random_uuid
from ...store.querycache import QueryCache
from ..errors import NotFound, Unprocessable
from ..rendercache import RenderCache
from .records import Identity, Member, Participant, Role, Tenant, TenantAccess
from .settings import DfsSettings


def dotnet_time(iso_millis: str) -> str:
    """The clock's ISO text (…T09:44:04.065Z) in .NET round-trip form (7 digits)."""
    head, _, rest = iso_millis.partition(".")
    digits = rest.rstrip("Z")
    return f"{head}.{digits.ljust(7, '0')}Z"


new_uuid = random_uuid  # a new record's id


class ModelBase:
    # the identity server's signing keys in this world (api.build_model sets it; dfs/auth.py, identity.py)
    ring: KeyRing

    def __init__(self, store: Store, settings: DfsSettings, now: Callable[[], str]) -> None:
        self.store = store
        self.settings = settings
        self._now = now
        self.query_cache = QueryCache(store)  # sorted search matches, until the next write
        self.verified_callers: dict = {}  # Authorization header -> auth._VerifiedCaller (auth.authenticate)
        self.rendered = RenderCache()  # answers rendered from records that have not changed since
        self.tenants: Collection = store["dfs.tenants"]
        self.identities: Collection = store["dfs.identities"]
        self.access: Collection = store["dfs.access"]
        self.members: Collection = store["dfs.members"]
        self.roles: Collection = store["dfs.roles"]
        self.participants: Collection = store["dfs.participants"]
        self.access_policies: Collection = store["dfs.access_policies"]
        self.permissions: Collection = store["dfs.permissions"]
        self.client_apps: Collection = store["dfs.client_apps"]
        self.menu_items: Collection = store["dfs.menu_items"]
        self.functionality_groups: Collection = store["dfs.functionality_groups"]
        self.provider_settings: Collection = store["dfs.provider_settings"]
        self.bank_branches: Collection = store["dfs.bank_branches"]
        self.audit_contexts: Collection = store["dfs.audit_contexts"]
        self.sequences: Collection = store["dfs.sequences"]
        self.revoked_tokens: Collection = store["dfs.revoked_tokens"]
        self.long_running: Collection = store["dfs.long_running"]

    def now(self) -> str:
        return dotnet_time(self._now())

    def next_id(self, sequence: str, start: int = 1) -> int:
        value = (self.sequences.get(sequence) or start - 1) + 1
        self.sequences.put(sequence, value)
        return value

    def bump_sequence(self, sequence: str, at_least: int) -> None:
        """Scenario data with explicit ids keeps generated ids above them."""
        if (self.sequences.get(sequence) or 0) < at_least:
            self.sequences.put(sequence, at_least)

    # -- tenants ----------------------------------------------------------------
    def tenant_by_uid(self, uid: str) -> Tenant | None:
        ids = self.tenants.lookup("uid", uid.lower())
        return self.tenants.get(next(iter(ids))) if ids else None

    def tenant_by_key(self, key: str) -> Tenant | None:
        ids = self.tenants.lookup("key", key.casefold())
        return self.tenants.get(next(iter(ids))) if ids else None

    # -- lookups in the caller's tenant (another tenant's entity is not found) ---
    def get_identity(self, identity_id: str) -> Identity:
        identity = self.identities.get(identity_id)
        if identity is None:
            raise NotFound(f"Identity {identity_id} was not found")
        return identity

    def get_tenant_identity(self, tenant: Tenant, identity_id: str) -> tuple[Identity, TenantAccess]:
        identity = self.get_identity(identity_id)
        access = self.access.get((identity_id, tenant.id))
        if access is None:
            raise NotFound(f"Identity {identity_id} was not found in tenant {tenant.key}")
        return identity, access

    def get_role(self, tenant: Tenant, role_id: int) -> Role:
        role = self.roles.get(role_id)
        if role is None or role.tenant_id != tenant.id:
            raise NotFound(f"Role {role_id} was not found")
        return role

    def role_for_body(self, tenant: Tenant, role_id: int, field: str = "IdentityRoleId") -> Role:
        role = self.roles.get(role_id)
        if role is None or role.tenant_id != tenant.id:
            raise Unprocessable(f"{field} {role_id} does not name a role of tenant {tenant.key}")
        return role

    def get_member(self, tenant: Tenant, member_id: int) -> Member:
        member = self.members.get(member_id)
        if member is None or member.tenant_id != tenant.id:
            raise NotFound(f"Member {member_id} was not found")
        return member

    def member_of(self, tenant_id: int, identity_id: str) -> Member | None:
        ids = self.members.lookup("identity", (tenant_id, identity_id))
        return self.members.get(next(iter(ids))) if ids else None

    def get_participant(self, tenant: Tenant, participant_id: int) -> Participant:
        participant = self.participants.get(participant_id)
        if participant is None or participant.tenant_id != tenant.id:
            raise NotFound(f"Participant {participant_id} was not found")
        return participant

    def tenant_roles(self, tenant_id: int) -> list[Role]:
        """The tenant's roles, most senior first (hierarchy level 1 first)."""
        return sorted(self.roles.find("tenant", tenant_id), key=lambda role: (role.rank, role.id))

    def identities_in_role(self, role_id: int) -> list[TenantAccess]:
        return self.access.find("role", role_id)

    def participant_ids_of(self, tenant_id: int, identity_id: str) -> list[int]:
        return sorted(p.id for p in self.participants.find("identity", identity_id) if p.tenant_id == tenant_id)
