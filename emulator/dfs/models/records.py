"""DFS entities as immutable records (the store replaces, never mutates).

Identities are global (the DFS identity server); everything else that belongs to
a tenant carries ``tenant_id``: access records (an identity's role and enabled
flag in one tenant), members (the tenant database's row for an identity), roles,
participants, client apps and audit contexts.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...store.untracked import acyclic


@acyclic
@dataclass(frozen=True, slots=True)
class Tenant:
    id: int
    key: str
    uid: str
    name: str


@acyclic
@dataclass(frozen=True, slots=True)
class Identity:
    id: str  # "Internal User ID", lower-case uuid
    username: str
    first_name: str | None = None
    last_name: str | None = None
    salutation_id: int | None = None
    email: str | None = None
    description: str | None = None
    phone: str | None = None
    fax: str | None = None
    mobile: str | None = None
    url: str | None = None
    bank_branch_id: int | None = None
    external_id: str | None = None
    provider_setting_id: int | None = None
    is_sign_in_enabled: bool = True
    is_system_account: bool = False
    password: str | None = None
    picture: str | None = None  # base64 as uploaded; None: the default image
    excluded_identity_ids: tuple[str, ...] = ()
    # Deprecated per-identity back-office permissions; None: the role's apply.
    back_office: BackOffice | None = None
    created: str = ""


@acyclic
@dataclass(frozen=True, slots=True)
class BackOffice:
    default_menu_item_id: int | None = None
    menu_item_ids: tuple[int, ...] = ()
    functionality_ids: tuple[int, ...] = ()


@acyclic
@dataclass(frozen=True, slots=True)
class TenantAccess:
    identity_id: str
    tenant_id: int
    role_id: int
    enabled: bool = True

    @property
    def key(self) -> tuple[str, int]:
        return (self.identity_id, self.tenant_id)


@acyclic
@dataclass(frozen=True, slots=True)
class Member:
    id: int
    tenant_id: int
    identity_id: str | None
    first_name: str | None = None
    last_name: str | None = None
    salutation_id: int | None = None
    email: str | None = None
    description: str | None = None
    phone: str | None = None
    fax: str | None = None
    mobile: str | None = None
    external_id: str | None = None
    bank_branch_id: int | None = None
    contact_ids: tuple[int, ...] = ()  # persons (contacts) assigned to this member


@acyclic
@dataclass(frozen=True, slots=True)
class Role:
    id: int
    tenant_id: int
    short_name: str | None
    long_name: str | None
    role_key: str | None
    created: str
    rank: int  # hierarchy level: 1 is the most senior
    allow_all_policies: bool = False
    access_policy_ids: tuple[int, ...] = ()
    is_member_access_excluded: bool = False
    excluded_role_ids: tuple[int, ...] = ()
    back_office: BackOffice = BackOffice()


@acyclic
@dataclass(frozen=True, slots=True)
class Participant:
    id: int
    tenant_id: int
    uid: str
    name: str | None
    is_active: bool = True
    identity_ids: tuple[str, ...] = ()


@acyclic
@dataclass(frozen=True, slots=True)
class AccessPolicy:
    id: int
    key: str
    name: str
    description: str | None = None
    is_app_oriented: bool = False


@acyclic
@dataclass(frozen=True, slots=True)
class Permission:
    id: int
    uid: str
    name: str
    hierarchy_path: tuple[str, ...] = ()
    required_access_policy_ids: tuple[int, ...] = ()


@acyclic
@dataclass(frozen=True, slots=True)
class ClientApp:
    tenant_id: int
    app_id: str
    resources: tuple[tuple[str, str], ...]  # (api resource, api scope)
    access_policy_keys: tuple[str, ...]


@acyclic
@dataclass(frozen=True, slots=True)
class MenuItem:
    id: int
    name: str
    parent_id: int | None = None


@acyclic
@dataclass(frozen=True, slots=True)
class FunctionalityGroup:
    id: int
    name: str
    functionalities: tuple[tuple[int, str], ...] = ()


@acyclic
@dataclass(frozen=True, slots=True)
class ProviderSetting:
    id: int
    provider_id: int
    provider_type_id: int
    name: str
    display_name: str
    is_enabled: bool = True
    is_default: bool = False
    created: str = ""
    last_updated: str = ""


@acyclic
@dataclass(frozen=True, slots=True)
class BankBranch:
    id: int
    name: str


@acyclic
@dataclass(frozen=True, slots=True)
class AuditContext:
    tenant_id: int
    id: int
    created_by: str
    authorized_app_id: str | None
    member_ids: tuple[int, ...]
    created: str


@acyclic
@dataclass(frozen=True, slots=True)
class LongRunningRequest:
    id: str
    tenant_id: int
    kind: str  # "sync-members" or "import-members"
    status: str  # "Running", "Completed"
    created: str
    completed: str | None = None
    members_created: int = 0
    members_updated: int = 0
