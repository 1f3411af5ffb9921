"""The DFS state as a ``dfs:`` scenario section (GET /__emulator/state), the inverse
of scenario_load.py: loading the section (into an empty store) rebuilds exactly
this state.

Entities keep their scenario keys where they have one; others (created over HTTP,
Faker-generated) get one made from their id. Each identity is listed in the first
tenant (by id) it has access to, with ``access`` grants in the others; every
derived value (timestamps, member fields that differ from the identity's, id
counters) is written out. One method per record kind.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from .models import DfsModel, DfsSettings
from .models.members import MEMBER_FIELDS
from .models.records import (
    AccessPolicy,
    AuditContext,
    BackOffice,
    BankBranch,
    ClientApp,
    FunctionalityGroup,
    Identity,
    LongRunningRequest,
    MenuItem,
    Participant,
    Permission,
    ProviderSetting,
    Role,
    Tenant,
    TenantAccess,
)
from .models.settings import IdentityClient

# scenario field -> Identity attribute, written as they are
IDENTITY_FIELDS = {
    "userName": "username",
    "firstName": "first_name",
    "lastName": "last_name",
    "salutationId": "salutation_id",
    "email": "email",
    "description": "description",
    "phone": "phone",
    "fax": "fax",
    "mobile": "mobile",
    "url": "url",
    "externalId": "external_id",
    "password": "password",
}


def dump_section(store, settings: DfsSettings, keys: Mapping[tuple[str, str], str]) -> dict:
    """The whole DFS state as a ``dfs:`` scenario section (see the module docstring)."""
    return _SectionDump(DfsModel(store, settings, lambda: ""), settings, keys).section()


def _cleaned(entry: dict, keep_empty: Collection[str] = ()) -> dict:
    """``entry`` without its empty values (None, [], {}): a loaded scenario defaults them.
    A field in ``keep_empty`` keeps an empty (not a None) value: there it means something."""
    return {
        name: value
        for name, value in entry.items()
        if value is not None and ((value != [] and value != {}) or name in keep_empty)
    }


class _ScenarioKeys:
    """The key each entity is dumped under: its scenario key where it has one, else
    ``<label>-<id>`` (or the bare id), with ``~`` appended until unique in its kind.
    A key, once made, is kept: the order keys are first asked for decides the ``~``."""

    def __init__(self, keys: Mapping[tuple[str, str], str]) -> None:
        self.names: dict[tuple[str, str], str] = {}
        self.taken: dict[str, set[str]] = {}
        for (kind, key), entity_id in keys.items():
            self.names[(kind, entity_id)] = key
            self.taken.setdefault(kind, set()).add(key)

    def __call__(self, kind: str, entity_id: object, label: str | None = None) -> str:
        scoped = f"dfs.{kind}"
        found = self.names.get((scoped, str(entity_id)))
        if found is None:
            found = f"{label}-{entity_id}" if label else str(entity_id)
            taken = self.taken.setdefault(scoped, set())
            while found in taken:
                found += "~"
            taken.add(found)
            self.names[(scoped, str(entity_id))] = found
        return found


class _SectionDump:
    def __init__(self, model: DfsModel, settings: DfsSettings, keys: Mapping[tuple[str, str], str]) -> None:
        self.model = model
        self.settings = settings
        self.key = _ScenarioKeys(keys)
        default_provider = model.default_provider_setting()
        self.default_provider_id = default_provider.id if default_provider else None

    # -- keys of the entities other entries refer to ----------------------------------------------------

    def policy(self, policy_id: int) -> str:
        return self.key("policy", policy_id, "policy")

    def menu(self, menu_id: int) -> str:
        return self.key("menu", menu_id, "menu")

    def branch(self, branch_id: int | None) -> str | None:
        return self.key("branch", branch_id, "branch") if branch_id is not None else None

    def role_key(self, role_id: int) -> str:
        return self.key("role", role_id, "role")

    def identity_key(self, identity_id: str) -> str:
        return self.key("identity", identity_id)

    def tenant_key(self, tenant_id: int) -> str:
        return self.key("tenant", tenant_id, "tenant")

    # -- the section ------------------------------------------------------------------------------------

    def section(self) -> dict:
        model = self.model
        section: dict = {
            "settings": self.settings_entry(),
            "clients": {client.client_id: self.client(client) for client in self.settings.clients},
            # the catalogs
            "accessPolicies": {
                self.policy(p.id): self.access_policy(p) for p in sorted(model.access_policies, key=_by_id)
            },
            "permissions": {
                self.key("permission", p.id, "permission"): self.permission(p)
                for p in sorted(model.permissions, key=_by_id)
            },
            "menuItems": {
                self.menu(m.id): self.menu_item(m)
                for m in sorted(model.menu_items, key=lambda m: (self.menu_depth(m), m.id))
            },
            "functionalityGroups": {
                self.key("functionalityGroup", g.id, "group"): self.functionality_group(g)
                for g in sorted(model.functionality_groups, key=_by_id)
            },
            "providerSettings": {
                self.key("providerSetting", s.id, "provider-setting"): self.provider_setting(s)
                for s in sorted(model.provider_settings, key=_by_id)
            },
            "bankBranches": {self.branch(b.id): self.bank_branch(b) for b in sorted(model.bank_branches, key=_by_id)},
            "tenants": self.tenants(),
            "sequences": dict(sorted(zip(model.sequences.ids(), model.sequences))),
        }
        return {name: value for name, value in section.items() if value}

    def settings_entry(self) -> dict:
        settings, model = self.settings, self.model
        return _cleaned(
            {
                "signingKey": settings.signing_key,
                "defaultTenant": self.tenant_key(settings.default_tenant_id)
                if settings.default_tenant_id is not None and settings.default_tenant_id in model.tenants
                else None,
                "defaultIdentity": self.identity_key(settings.default_identity_id)
                if settings.default_identity_id is not None and settings.default_identity_id in model.identities
                else None,
                "defaultClientId": settings.default_client_id,
                "tokenLifetimeSeconds": settings.token_lifetime_seconds,
                "longRunningDelaySeconds": settings.long_running_delay_seconds,
                "defaultPageSize": settings.default_page_size,
                "maxPageSize": settings.max_page_size,
                "signingKeyPem": settings.signing_key_pem,
                "allowUnsignedTokens": settings.allow_unsigned_tokens or None,
                "apiScope": settings.api_scope,
                "audience": settings.audience,
            }
        )

    def client(self, client: IdentityClient) -> dict:
        return _cleaned(
            {
                "secret": client.secret,
                "tenants": [self.tenant_key(tenant_id) for tenant_id in client.tenant_ids],
                "identity": self.identity_key(client.identity_id)
                if client.identity_id is not None and client.identity_id in self.model.identities
                else None,
                "scopes": list(client.scopes),
                "name": client.name or None,
                "grantTypes": list(client.grant_types) if client.grant_types != ("client_credentials",) else None,
                "redirectUris": list(client.redirect_uris) or None,
                "postLogoutRedirectUris": list(client.post_logout_redirect_uris) or None,
                "authMethod": client.auth_method if client.auth_method != "client_secret_basic" else None,
                "codeChallengeMethod": client.code_challenge_method,
            }
        )

    def back_office(self, value: BackOffice | None) -> dict | None:
        if value is None:
            return None
        return _cleaned(
            {
                "defaultMenuItem": self.menu(value.default_menu_item_id) if value.default_menu_item_id else None,
                "menuItems": [self.menu(i) for i in value.menu_item_ids],
                "functionalities": list(value.functionality_ids),
            }
        )

    # -- catalogs ---------------------------------------------------------------------------------------

    def access_policy(self, policy: AccessPolicy) -> dict:
        return _cleaned(
            {
                "id": policy.id,
                "key": policy.key,
                "name": policy.name,
                "description": policy.description,
                "isAppOriented": policy.is_app_oriented or None,
            }
        )

    def permission(self, permission: Permission) -> dict:
        return _cleaned(
            {
                "id": permission.id,
                "uid": permission.uid,
                "name": permission.name,
                "hierarchyPath": list(permission.hierarchy_path),
                "requiredAccessPolicies": [self.policy(i) for i in permission.required_access_policy_ids],
            }
        )

    def menu_depth(self, item: MenuItem) -> int:
        """Menu items come after their parents (bounded: a parent cycle cannot hang the dump)."""
        depth, parent_id = 0, item.parent_id
        while parent_id is not None and depth < len(self.model.menu_items):
            parent: MenuItem | None = self.model.menu_items.get(parent_id)
            parent_id, depth = parent.parent_id if parent else None, depth + 1
        return depth

    def menu_item(self, item: MenuItem) -> dict:
        parent = self.menu(item.parent_id) if item.parent_id is not None else None
        return _cleaned({"id": item.id, "name": item.name, "parent": parent})

    def functionality_group(self, group: FunctionalityGroup) -> dict:
        """A functionality is keyed by its name, or by its id where the name repeats in the group."""
        counts: dict[str, int] = {}
        for _, name in group.functionalities:
            counts[name] = counts.get(name, 0) + 1
        functionalities = {
            (name if counts[name] == 1 else f"functionality-{functionality_id}"): {"id": functionality_id, "name": name}
            for functionality_id, name in group.functionalities
        }
        return _cleaned({"id": group.id, "name": group.name, "functionalities": functionalities})

    def provider_setting(self, setting: ProviderSetting) -> dict:
        return {
            "id": setting.id,
            "providerId": setting.provider_id,
            "providerTypeId": setting.provider_type_id,
            "name": setting.name,
            "displayName": setting.display_name,
            "isEnabled": setting.is_enabled,
            "isDefault": setting.is_default,
            "created": setting.created,
            "lastUpdated": setting.last_updated,
        }

    def bank_branch(self, branch: BankBranch) -> dict:
        return {"id": branch.id, "name": branch.name}

    # -- tenants ----------------------------------------------------------------------------------------

    def tenants(self) -> dict:
        tenants = sorted(self.model.tenants, key=_by_id)
        home: dict[str, int] = {}  # identity id -> the first tenant it has access to
        for tenant in tenants:
            for access in self.model.access.find("tenant", tenant.id):
                home.setdefault(access.identity_id, tenant.id)
        dumped = {}
        for tenant in tenants:
            entry = self.tenant(tenant, home)
            dumped[self.tenant_key(tenant.id)] = entry
        return dumped

    def tenant(self, tenant: Tenant, home: dict[str, int]) -> dict:
        model = self.model
        entry: dict = {"id": tenant.id, "uid": tenant.uid, "key": tenant.key, "name": tenant.name}
        entry["roles"] = {self.role_key(r.id): self.role(r) for r in model.tenant_roles(tenant.id)}
        identities: dict = {}
        grants: list = []
        for access in sorted(model.access.find("tenant", tenant.id), key=lambda a: a.identity_id):
            identity = model.get_identity(access.identity_id)
            if home[identity.id] != tenant.id:
                grants.append(self.access_grant(tenant, identity, access))
            else:
                item = self.home_identity(tenant, identity, access)
                identities[self.identity_key(identity.id)] = item
        entry["identities"] = dict(sorted(identities.items()))
        entry["access"] = grants
        entry["participants"] = {
            self.key("participant", p.id, "participant"): self.participant(p)
            for p in sorted(model.participants.find("tenant", tenant.id), key=_by_id)
        }
        apps = [app for app in model.client_apps if app.tenant_id == tenant.id]
        entry["clientApps"] = {app.app_id: self.client_app(app) for app in sorted(apps, key=lambda a: a.app_id)}
        contexts = [c for c in model.audit_contexts if c.tenant_id == tenant.id]
        entry["auditContexts"] = [self.audit_context(c) for c in sorted(contexts, key=_by_id)]
        requests = [r for r in model.long_running if r.tenant_id == tenant.id]
        entry["longRunningRequests"] = [
            self.long_running_request(r) for r in sorted(requests, key=lambda r: (r.created, r.id))
        ]
        return {name: value for name, value in entry.items() if value or name == "id"}

    def role(self, role: Role) -> dict:
        return _cleaned(
            {
                "id": role.id,
                "shortName": role.short_name,
                "longName": role.long_name,
                "created": role.created,
                "allowAllPolicies": role.allow_all_policies or None,
                "accessPolicies": [self.policy(i) for i in role.access_policy_ids],
                "isMemberAccessExcluded": role.is_member_access_excluded or None,
                "excludes": [self.role_key(i) for i in role.excluded_role_ids],
                "backOffice": self.back_office(role.back_office) if role.back_office != BackOffice() else None,
            }
        ) | {"roleKey": role.role_key}

    def member(self, tenant: Tenant, identity: Identity) -> dict | bool:
        """The identity's member row in the tenant: its id and the fields that differ
        from the identity's; False where the identity has no member there."""
        row = self.model.member_of(tenant.id, identity.id)
        if row is None:
            return False
        entry: dict[str, Any] = {"id": row.id}
        if row.contact_ids:
            entry["contacts"] = list(row.contact_ids)
        for field, attribute in MEMBER_FIELDS.items():
            value = getattr(row, attribute)
            if value != getattr(identity, attribute):
                if field == "bankBranchId":
                    entry["bankBranch"] = self.branch(value)
                else:
                    entry[field] = value
        return entry

    def access_grant(self, tenant: Tenant, identity: Identity, access: TenantAccess) -> dict:
        """An identity listed in another tenant, given access to this one."""
        grant: dict[str, Any] = {"identity": self.identity_key(identity.id), "role": self.role_key(access.role_id)}
        if not access.enabled:
            grant["enabled"] = False
        member = self.member(tenant, identity)
        if member is not False:
            grant["member"] = member
        return grant

    def home_identity(self, tenant: Tenant, identity: Identity, access: TenantAccess) -> dict:
        """An identity listed in its first tenant. Its ``backOffice`` is kept even empty:
        an empty back office is not none."""
        item = _cleaned(
            {
                "id": identity.id,
                **{field: getattr(identity, attribute) for field, attribute in IDENTITY_FIELDS.items()},
                "bankBranch": self.branch(identity.bank_branch_id),
                "role": self.role_key(access.role_id),
                "signInEnabled": None if identity.is_sign_in_enabled else False,
                "tenantAccessEnabled": None if access.enabled else False,
                "systemAccount": identity.is_system_account or None,
                "created": identity.created or None,
                "picture": identity.picture,
                "excludes": [self.identity_key(i) for i in identity.excluded_identity_ids],
                "backOffice": self.back_office(identity.back_office),
            },
            keep_empty=("backOffice",),
        )
        if identity.provider_setting_id != self.default_provider_id:
            item["providerSettingId"] = identity.provider_setting_id
        item["member"] = self.member(tenant, identity)
        return item

    def participant(self, participant: Participant) -> dict:
        return _cleaned(
            {
                "id": participant.id,
                "uid": participant.uid,
                "name": participant.name,
                "isActive": None if participant.is_active else False,
                "identities": [self.identity_key(i) for i in participant.identity_ids],
            }
        )

    def client_app(self, app: ClientApp) -> dict:
        return _cleaned(
            {
                "resources": [{"resource": resource, "scope": scope} for resource, scope in app.resources],
                "accessPolicies": list(app.access_policy_keys),
            }
        )

    def audit_context(self, context: AuditContext) -> dict:
        return _cleaned(
            {
                "id": context.id,
                "createdBy": context.created_by,
                "members": list(context.member_ids),
                "created": context.created or None,
            }
        ) | {"authorizedAppId": context.authorized_app_id}

    def long_running_request(self, request: LongRunningRequest) -> dict:
        return {
            "id": request.id,
            "kind": request.kind,
            "status": request.status,
            "created": request.created,
            "completed": request.completed,
            "membersCreated": request.members_created,
            "membersUpdated": request.members_updated,
        }


def _by_id(record: Any) -> Any:
    return record.id
