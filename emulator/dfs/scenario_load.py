"""Loading the ``dfs:`` section of a scenario into the model.

Tenant entities go through the same model rules as API calls (a duplicate
UserName or RoleKey is refused here as over HTTP); model errors become
ScenarioErrors naming the entity's path. The way back, the state as a section, is
scenario_dump.py."""

from __future__ import annotations

import dataclasses
from typing import Any

from ..auth.signing import key_from_pem
from ..world.scenarios import ScenarioContext
from .errors import DfsError
from .models import DfsModel, DfsSettings
from .models.base import dotnet_time
from .models.members import MEMBER_FIELDS
from .models.records import (
    AccessPolicy,
    AuditContext,
    BackOffice,
    BankBranch,
    ClientApp,
    FunctionalityGroup,
    LongRunningRequest,
    MenuItem,
    Permission,
    ProviderSetting,
    Tenant,
    TenantAccess,
)
from .models.settings import IdentityClient

SECTION = "dfs"
SETTINGS = {
    "signingKey": "signing_key",
    "defaultClientId": "default_client_id",
    "tokenLifetimeSeconds": "token_lifetime_seconds",
    "longRunningDelaySeconds": "long_running_delay_seconds",
    "defaultPageSize": "default_page_size",
    "maxPageSize": "max_page_size",
    "signingKeyPem": "signing_key_pem",
    "allowUnsignedTokens": "allow_unsigned_tokens",
    "apiScope": "api_scope",
    "audience": "audience",
}


def summary_counts(store) -> dict[str, int]:
    return {name: len(store[f"dfs.{name}"]) for name in ("tenants", "identities", "members", "roles", "participants")}


def load_section(section: dict, context: ScenarioContext) -> None:
    settings: DfsSettings = context.settings[SECTION]
    given = section.get("settings") or {}
    settings = dataclasses.replace(settings, **{field: given[key] for key, field in SETTINGS.items() if key in given})
    model = DfsModel(context.store, settings, context.clock.iso)
    loader = _Loader(model, context)
    loader.catalog(section)
    for key, entry in (section.get("tenants") or {}).items():
        loader.tenant(key, entry)
    changes: dict[str, Any] = {}
    if "defaultTenant" in given:
        changes["default_tenant_id"] = int(
            context.ref("dfs.tenant", given["defaultTenant"], (SECTION, "settings", "defaultTenant"))
        )
    elif settings.default_tenant_id is None and loader.first_tenant is not None:
        changes["default_tenant_id"] = loader.first_tenant
    if "defaultIdentity" in given:
        changes["default_identity_id"] = context.ref(
            "dfs.identity", given["defaultIdentity"], (SECTION, "settings", "defaultIdentity")
        )
    for name, value in (section.get("sequences") or {}).items():
        model.bump_sequence(name, value)
    if "signingKeyPem" in given:
        try:
            key_from_pem(given["signingKeyPem"])
        except ValueError as error:
            raise context.error((SECTION, "settings", "signingKeyPem"), str(error)) from None
    if section.get("clients"):
        changes["clients"] = _identity_clients(settings.clients, section["clients"], context)
    context.settings[SECTION] = dataclasses.replace(settings, **changes)


def _identity_clients(current, entries: dict, context: ScenarioContext) -> tuple[IdentityClient, ...]:
    """``dfs.clients``: the identity server's client apps (a client of the same id replaces)."""
    clients = {client.client_id: client for client in current}
    for key, entry in entries.items():
        path = (SECTION, "clients", key)
        tenant_ids = tuple(
            int(context.ref("dfs.tenant", tenant, (*path, "tenants", index)))
            for index, tenant in enumerate(entry["tenants"])
        )
        identity_id = (
            context.ref("dfs.identity", entry["identity"], (*path, "identity")) if entry.get("identity") else None
        )
        client_id = entry.get("clientId", key)
        auth_method = entry.get("authMethod", "client_secret_basic")
        if (auth_method == "none") == ("secret" in entry):
            raise context.error(path, "a client has a secret unless its authMethod is none")
        redirect_uris = tuple(entry.get("redirectUris") or ())
        if auth_method == "none":  # a public client has no credentials to trade
            default_grants: tuple[str, ...] = ("authorization_code",)
        elif redirect_uris:
            default_grants = ("client_credentials", "authorization_code")
        else:
            default_grants = ("client_credentials",)
        clients[client_id] = IdentityClient(
            client_id,
            entry.get("secret"),
            tenant_ids,
            identity_id,
            tuple(entry.get("scopes") or ("DfsAdmin",)),
            grant_types=tuple(entry.get("grantTypes") or default_grants),
            redirect_uris=redirect_uris,
            post_logout_redirect_uris=tuple(entry.get("postLogoutRedirectUris") or ()),
            auth_method=auth_method,
            code_challenge_method=entry.get("codeChallengeMethod"),
            name=entry.get("name", ""),
        )
    return tuple(clients.values())


class _Loader:
    def __init__(self, model: DfsModel, context: ScenarioContext) -> None:
        self.model = model
        self.context = context
        self.first_tenant: int | None = None

    def _apply(self, path, action):
        try:
            return action()
        except DfsError as error:
            raise self.context.error((SECTION, *path), error.message) from None

    def _ref(self, kind: str, key: str, path) -> int:
        """The id a scenario key of a numbered kind (tenant, role, policy, menu...) stands for."""
        return int(self.context.ref(f"dfs.{kind}", key, (SECTION, *path)))

    def _identity_ref(self, key: str, path) -> str:
        """The id (uuid text) an identity's scenario key stands for."""
        return self.context.ref("dfs.identity", key, (SECTION, *path))

    def _bind(self, kind: str, key: str, value, path) -> None:
        self.context.bind(f"dfs.{kind}", key, str(value), (SECTION, *path))

    def _name(self, kind: str, key: str, value) -> None:
        """Remember a catalog entry's key (for the state dump) where nothing refers to it."""
        self.context.keys.setdefault((f"dfs.{kind}", key), str(value))

    def _unique(self, collection, entity_id: int, path) -> None:
        if entity_id in collection:
            raise self.context.error((SECTION, *path, "id"), f"id {entity_id} is used twice")

    def catalog(self, section: dict) -> None:
        model, now = self.model, dotnet_time(self.context.clock.iso())
        for key, entry in (section.get("accessPolicies") or {}).items():
            self._unique(model.access_policies, entry["id"], ("accessPolicies", key))
            policy_key = entry.get("key", key)
            model.access_policies.put(
                entry["id"],
                AccessPolicy(
                    entry["id"],
                    policy_key,
                    entry.get("name", policy_key),
                    entry.get("description"),
                    entry.get("isAppOriented", False),
                ),
            )
            self._bind("policy", key, entry["id"], ("accessPolicies", key))
        for key, entry in (section.get("permissions") or {}).items():
            path = ("permissions", key)
            self._unique(model.permissions, entry["id"], path)
            policies = tuple(
                self._ref("policy", p, (*path, "requiredAccessPolicies"))
                for p in entry.get("requiredAccessPolicies", ())
            )
            uid = entry.get("uid") or self.context.stable_id("dfs.permission", key)
            model.permissions.put(
                entry["id"],
                Permission(
                    entry["id"], uid.lower(), entry.get("name", key), tuple(entry.get("hierarchyPath", ())), policies
                ),
            )
            self._name("permission", key, entry["id"])
        for key, entry in (section.get("menuItems") or {}).items():
            path = ("menuItems", key)
            self._unique(model.menu_items, entry["id"], path)
            parent = self._ref("menu", entry["parent"], (*path, "parent")) if entry.get("parent") else None
            model.menu_items.put(entry["id"], MenuItem(entry["id"], entry.get("name", key), parent))
            self._bind("menu", key, entry["id"], path)
        for key, entry in (section.get("functionalityGroups") or {}).items():
            self._unique(model.functionality_groups, entry["id"], ("functionalityGroups", key))
            functionalities = tuple(
                (f["id"], f.get("name", name)) for name, f in (entry.get("functionalities") or {}).items()
            )
            model.functionality_groups.put(
                entry["id"], FunctionalityGroup(entry["id"], entry.get("name", key), functionalities)
            )
            self._name("functionalityGroup", key, entry["id"])
        for key, entry in (section.get("providerSettings") or {}).items():
            self._unique(model.provider_settings, entry["id"], ("providerSettings", key))
            model.provider_settings.put(
                entry["id"],
                ProviderSetting(
                    entry["id"],
                    entry["providerId"],
                    entry.get("providerTypeId", 1),
                    entry.get("name", key),
                    entry.get("displayName", entry.get("name", key)),
                    entry.get("isEnabled", True),
                    entry.get("isDefault", False),
                    entry.get("created", now),
                    entry.get("lastUpdated", now),
                ),
            )
            self._name("providerSetting", key, entry["id"])
        for key, entry in (section.get("bankBranches") or {}).items():
            self._unique(model.bank_branches, entry["id"], ("bankBranches", key))
            model.bank_branches.put(entry["id"], BankBranch(entry["id"], entry.get("name", key)))
            self._bind("branch", key, entry["id"], ("bankBranches", key))

    def _back_office(self, entry: dict | None, path) -> BackOffice | None:
        if entry is None:
            return None
        menus = [self._ref("menu", m, (*path, "menuItems")) for m in entry.get("menuItems", ())]
        default = (
            self._ref("menu", entry["defaultMenuItem"], (*path, "defaultMenuItem"))
            if entry.get("defaultMenuItem")
            else None
        )
        return self._apply(path, lambda: self.model.checked_back_office(default, menus, entry.get("functionalities")))

    def tenant(self, key: str, entry: dict) -> None:
        model, path = self.model, ("tenants", key)
        self._unique(model.tenants, entry["id"], path)
        tenant = Tenant(
            entry["id"],
            entry.get("key", key),
            (entry.get("uid") or self.context.stable_id("dfs.tenant", key)).lower(),
            entry.get("name", key),
        )
        model.tenants.put(tenant.id, tenant)
        self._bind("tenant", key, tenant.id, path)
        if self.first_tenant is None:
            self.first_tenant = tenant.id
        self.roles(tenant, entry.get("roles") or {}, path)
        self.identities(tenant, entry.get("identities") or {}, path)
        for index, grant in enumerate(entry.get("access") or ()):
            where = (*path, "access", index)
            identity_id = self._identity_ref(grant["identity"], (*where, "identity"))
            role_id = self._ref("role", grant["role"], (*where, "role"))
            model.access.put(
                (identity_id, tenant.id), TenantAccess(identity_id, tenant.id, role_id, grant.get("enabled", True))
            )
            if grant.get("member", False) is not False:
                self.member(tenant, model.identities.get(identity_id), grant["member"], where)
        self.identity_exclusions(tenant, entry.get("identities") or {}, path)
        for participant_key, item in (entry.get("participants") or {}).items():
            where = (*path, "participants", participant_key)
            identities = [self._identity_ref(i, (*where, "identities")) for i in item.get("identities", ())]
            participant = self._apply(
                where,
                lambda: model.create_participant(
                    tenant,
                    item.get("name", participant_key),
                    identities,
                    participant_id=item.get("id"),
                    uid=item.get("uid"),
                    is_active=item.get("isActive", True),
                ),
            )
            self._bind("participant", participant_key, participant.id, where)
        for app_id, item in (entry.get("clientApps") or {}).items():
            model.client_apps.put(
                (tenant.id, app_id),
                ClientApp(
                    tenant.id,
                    app_id,
                    tuple((r["resource"], r["scope"]) for r in item.get("resources", ())),
                    tuple(item.get("accessPolicies", ())),
                ),
            )
        for index, item in enumerate(entry.get("auditContexts") or ()):
            where = (*path, "auditContexts", index)
            if (tenant.id, item["id"]) in model.audit_contexts:
                raise self.context.error((SECTION, *where, "id"), f"id {item['id']} is used twice")
            for member_id in item.get("members", ()):
                member = model.members.get(member_id)
                if member is None or member.tenant_id != tenant.id:
                    raise self.context.error(
                        (SECTION, *where, "members"), f"member {member_id} does not exist in tenant {tenant.key}"
                    )
            model.audit_contexts.put(
                (tenant.id, item["id"]),
                AuditContext(
                    tenant.id,
                    item["id"],
                    item.get("createdBy", tenant.name),
                    item.get("authorizedAppId"),
                    tuple(dict.fromkeys(item.get("members", ()))),
                    item.get("created") or model.now(),
                ),
            )
            model.bump_sequence(f"audit-context:{tenant.id}", item["id"])
        for index, item in enumerate(entry.get("longRunningRequests") or ()):
            where = (*path, "longRunningRequests", index)
            request_id = item["id"].lower()
            if request_id in model.long_running:
                raise self.context.error((SECTION, *where, "id"), f"id {request_id} is used twice")
            model.long_running.put(
                request_id,
                LongRunningRequest(
                    request_id,
                    tenant.id,
                    item["kind"],
                    item.get("status", "Completed"),
                    item.get("created") or model.now(),
                    item.get("completed"),
                    item.get("membersCreated", 0),
                    item.get("membersUpdated", 0),
                ),
            )
        for index, batch in enumerate(entry.get("generate") or ()):
            self.generated(tenant, batch, (*path, "generate", index))

    def roles(self, tenant: Tenant, entries: dict, path) -> None:
        model = self.model
        for key, item in entries.items():
            where = (*path, "roles", key)
            if item.get("id") is not None:
                self._unique(model.roles, item["id"], where)
            policies = [self._ref("policy", p, (*where, "accessPolicies")) for p in item.get("accessPolicies", ())]
            role = self._apply(
                where,
                lambda: model.create_role(
                    tenant,
                    item.get("shortName", key),
                    item.get("longName"),
                    item.get("roleKey", key),
                    item.get("isMemberAccessExcluded", False),
                    role_id=item.get("id"),
                    allow_all_policies=item.get("allowAllPolicies", False),
                    access_policy_ids=policies,
                ),
            )
            replace = {}
            back_office = self._back_office(item.get("backOffice"), (*where, "backOffice"))
            if back_office is not None:
                replace["back_office"] = back_office
            if item.get("created"):
                replace["created"] = item["created"]
            if replace:
                model.roles.put(role.id, dataclasses.replace(role, **replace))
            self._bind("role", key, role.id, where)
        for key, item in entries.items():  # exclusions may name roles listed later
            if item.get("excludes"):
                where = (*path, "roles", key)
                excluded = [self._ref("role", r, (*where, "excludes")) for r in item["excludes"]]
                role_id = self._ref("role", key, where)
                self._apply(where, lambda: model.exclude_roles(tenant, role_id, excluded))

    def identities(self, tenant: Tenant, entries: dict, path) -> None:
        model = self.model
        for key, item in entries.items():
            where = (*path, "identities", key)
            body = {
                "username": item.get("userName", key),
                "identityRoleId": self._ref("role", item["role"], (*where, "role")),
                "password": item.get("password"),
            }
            for field in (
                "firstName",
                "lastName",
                "salutationId",
                "email",
                "description",
                "phone",
                "fax",
                "mobile",
                "url",
                "externalId",
            ):
                body[field] = item.get(field)
            if item.get("bankBranch"):
                body["bankBranchId"] = self._ref("branch", item["bankBranch"], (*where, "bankBranch"))
            identity = self._apply(
                where,
                lambda: model.create_identity(
                    tenant,
                    body,
                    identity_id=item.get("id") or self.context.stable_id("dfs.identity", key),
                    is_system_account=item.get("systemAccount", False),
                    is_sign_in_enabled=item.get("signInEnabled", True),
                    tenant_access_enabled=item.get("tenantAccessEnabled", True),
                ),
            )
            replace = {}
            if item.get("picture"):
                replace["picture"] = item["picture"]
            if item.get("created"):
                replace["created"] = item["created"]
            if "providerSettingId" in item:
                replace["provider_setting_id"] = item["providerSettingId"]
            back_office = self._back_office(item.get("backOffice"), (*where, "backOffice"))
            if back_office is not None:
                replace["back_office"] = back_office
            if replace:
                model.identities.put(identity.id, dataclasses.replace(identity, **replace))
            self._bind("identity", key, identity.id, where)
            member = item.get("member", True)
            if member is not False:
                self.member(tenant, model.identities.get(identity.id), member, where)

    def member(self, tenant: Tenant, identity, member, where) -> None:
        """The identity's member row in the tenant: copied from the identity, then the
        fields the entry gives (a member synced with other values, or before a change)."""
        model = self.model
        member = member if isinstance(member, dict) else {}
        row, _ = self._apply(where, lambda: model.upsert_member(tenant, identity, member_id=member.get("id")))
        replace = {
            attribute: member[field]
            for field, attribute in MEMBER_FIELDS.items()
            if field in member and field != "bankBranchId"
        }
        if "bankBranch" in member:
            replace["bank_branch_id"] = (
                self._ref("branch", member["bankBranch"], (*where, "member", "bankBranch"))
                if member["bankBranch"] is not None
                else None
            )
        if member.get("contacts"):
            replace["contact_ids"] = tuple(member["contacts"])
        if replace:
            model.members.put(row.id, dataclasses.replace(row, **replace))

    def identity_exclusions(self, tenant: Tenant, entries: dict, path) -> None:
        """After the tenant's access grants: the excluded identities may come from other tenants."""
        model = self.model
        for key, item in entries.items():  # exclusions may name identities listed later
            if item.get("excludes"):
                where = (*path, "identities", key)
                excluded = [self._identity_ref(i, (*where, "excludes")) for i in item["excludes"]]
                identity_id = self._identity_ref(key, where)
                self._apply(where, lambda: model.exclude_identities(tenant, identity_id, excluded))

    def generated(self, tenant: Tenant, batch: dict, path) -> None:
        model = self.model
        where = (SECTION, *path, "locale")
        faker = self.context.faker(batch.get("locale", "de_CH"), where, self.context.seed + tenant.id)
        role_id = self._ref("role", batch["role"], (*path, "role"))
        domain = batch.get("emailDomain", "example.com")
        for number in range(batch["count"]):
            first, last = faker.first_name(), faker.last_name()
            username = f"{first}.{last}.{tenant.id}.{number}".lower().replace(" ", "")
            body = {
                "username": username,
                "identityRoleId": role_id,
                "firstName": first,
                "lastName": last,
                "email": f"{username}@{domain}",
                "phone": f"41|{faker.msisdn()[:9]}",
                "salutationId": 1 + number % 2,
            }
            identity = self._apply(
                path, lambda: model.create_identity(tenant, body, identity_id=self.context.generated_id())
            )
            if batch.get("withMember", True):
                model.upsert_member(tenant, identity)
