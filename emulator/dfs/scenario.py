"""Loading the ``dfs:`` section of a scenario into the model.

Tenant entities go through the same model rules as API calls (a duplicate
UserName or RoleKey is refused here as over HTTP); model errors become
ScenarioErrors naming the entity's path."""

from __future__ import annotations

import dataclasses

from faker import Faker

from ..scenarios import ScenarioContext
from .errors import DfsError
from .models import DfsModel, DfsSettings
from .models.base import dotnet_time
from .models.records import (AccessPolicy, BackOffice, BankBranch, ClientApp, FunctionalityGroup, MenuItem, Permission,
                             ProviderSetting, Tenant, TenantAccess)

SECTION = "dfs"
SETTINGS = {"signingKey": "signing_key", "defaultClientId": "default_client_id",
            "tokenLifetimeSeconds": "token_lifetime_seconds", "longRunningDelaySeconds": "long_running_delay_seconds",
            "defaultPageSize": "default_page_size", "maxPageSize": "max_page_size"}


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
    changes = {}
    if "defaultTenant" in given:
        changes["default_tenant_id"] = int(context.ref("dfs.tenant", given["defaultTenant"],
                                                       (SECTION, "settings", "defaultTenant")))
    elif settings.default_tenant_id is None and loader.first_tenant is not None:
        changes["default_tenant_id"] = loader.first_tenant
    if "defaultIdentity" in given:
        changes["default_identity_id"] = context.ref("dfs.identity", given["defaultIdentity"],
                                                     (SECTION, "settings", "defaultIdentity"))
    context.settings[SECTION] = dataclasses.replace(settings, **changes)


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

    def _ref(self, kind: str, key: str, path) -> int | str:
        value = self.context.ref(f"dfs.{kind}", key, (SECTION, *path))
        return int(value) if kind not in ("identity",) else value

    def _bind(self, kind: str, key: str, value, path) -> None:
        self.context.bind(f"dfs.{kind}", key, str(value), (SECTION, *path))

    def _unique(self, collection, entity_id: int, path) -> None:
        if entity_id in collection:
            raise self.context.error((SECTION, *path, "id"), f"id {entity_id} is used twice")

    def catalog(self, section: dict) -> None:
        model, now = self.model, dotnet_time(self.context.clock.iso())
        for key, entry in (section.get("accessPolicies") or {}).items():
            self._unique(model.access_policies, entry["id"], ("accessPolicies", key))
            policy_key = entry.get("key", key)
            model.access_policies.put(entry["id"], AccessPolicy(entry["id"], policy_key, entry.get("name", policy_key),
                                                                entry.get("description"),
                                                                entry.get("isAppOriented", False)))
            self._bind("policy", key, entry["id"], ("accessPolicies", key))
        for key, entry in (section.get("permissions") or {}).items():
            path = ("permissions", key)
            self._unique(model.permissions, entry["id"], path)
            policies = tuple(self._ref("policy", p, (*path, "requiredAccessPolicies"))
                             for p in entry.get("requiredAccessPolicies", ()))
            uid = entry.get("uid") or self.context.stable_id("dfs.permission", key)
            model.permissions.put(entry["id"], Permission(entry["id"], uid.lower(), entry.get("name", key),
                                                          tuple(entry.get("hierarchyPath", ())), policies))
        for key, entry in (section.get("menuItems") or {}).items():
            path = ("menuItems", key)
            self._unique(model.menu_items, entry["id"], path)
            parent = self._ref("menu", entry["parent"], (*path, "parent")) if entry.get("parent") else None
            model.menu_items.put(entry["id"], MenuItem(entry["id"], entry.get("name", key), parent))
            self._bind("menu", key, entry["id"], path)
        for key, entry in (section.get("functionalityGroups") or {}).items():
            self._unique(model.functionality_groups, entry["id"], ("functionalityGroups", key))
            functionalities = tuple((f["id"], f.get("name", name)) for name, f in (entry.get("functionalities") or {}).items())
            model.functionality_groups.put(entry["id"], FunctionalityGroup(entry["id"], entry.get("name", key),
                                                                            functionalities))
        for key, entry in (section.get("providerSettings") or {}).items():
            self._unique(model.provider_settings, entry["id"], ("providerSettings", key))
            model.provider_settings.put(entry["id"], ProviderSetting(
                entry["id"], entry["providerId"], entry.get("providerTypeId", 1), entry.get("name", key),
                entry.get("displayName", entry.get("name", key)), entry.get("isEnabled", True),
                entry.get("isDefault", False), now, now))
        for key, entry in (section.get("bankBranches") or {}).items():
            self._unique(model.bank_branches, entry["id"], ("bankBranches", key))
            model.bank_branches.put(entry["id"], BankBranch(entry["id"], entry.get("name", key)))
            self._bind("branch", key, entry["id"], ("bankBranches", key))

    def _back_office(self, entry: dict | None, path) -> BackOffice | None:
        if entry is None:
            return None
        menus = [self._ref("menu", m, (*path, "menuItems")) for m in entry.get("menuItems", ())]
        default = self._ref("menu", entry["defaultMenuItem"], (*path, "defaultMenuItem")) \
            if entry.get("defaultMenuItem") else None
        return self._apply(path, lambda: self.model.checked_back_office(default, menus, entry.get("functionalities")))

    def tenant(self, key: str, entry: dict) -> None:
        model, path = self.model, ("tenants", key)
        self._unique(model.tenants, entry["id"], path)
        tenant = Tenant(entry["id"], entry.get("key", key),
                        (entry.get("uid") or self.context.stable_id("dfs.tenant", key)).lower(), entry.get("name", key))
        model.tenants.put(tenant.id, tenant)
        self._bind("tenant", key, tenant.id, path)
        if self.first_tenant is None:
            self.first_tenant = tenant.id
        self.roles(tenant, entry.get("roles") or {}, path)
        self.identities(tenant, entry.get("identities") or {}, path)
        for index, grant in enumerate(entry.get("access") or ()):
            where = (*path, "access", index)
            identity_id = self._ref("identity", grant["identity"], (*where, "identity"))
            role_id = self._ref("role", grant["role"], (*where, "role"))
            model.access.put((identity_id, tenant.id), TenantAccess(identity_id, tenant.id, role_id,
                                                                    grant.get("enabled", True)))
        for participant_key, item in (entry.get("participants") or {}).items():
            where = (*path, "participants", participant_key)
            identities = [self._ref("identity", i, (*where, "identities")) for i in item.get("identities", ())]
            participant = self._apply(where, lambda: model.create_participant(
                tenant, item.get("name", participant_key), identities, participant_id=item.get("id"),
                uid=item.get("uid"), is_active=item.get("isActive", True)))
            self._bind("participant", participant_key, participant.id, where)
        for app_id, item in (entry.get("clientApps") or {}).items():
            model.client_apps.put((tenant.id, app_id), ClientApp(
                tenant.id, app_id, tuple((r["resource"], r["scope"]) for r in item.get("resources", ())),
                tuple(item.get("accessPolicies", ()))))
        for index, batch in enumerate(entry.get("generate") or ()):
            self.generated(tenant, batch, (*path, "generate", index))

    def roles(self, tenant: Tenant, entries: dict, path) -> None:
        model = self.model
        for key, item in entries.items():
            where = (*path, "roles", key)
            if item.get("id") is not None:
                self._unique(model.roles, item["id"], where)
            policies = [self._ref("policy", p, (*where, "accessPolicies")) for p in item.get("accessPolicies", ())]
            role = self._apply(where, lambda: model.create_role(
                tenant, item.get("shortName", key), item.get("longName"), item.get("roleKey", key),
                item.get("isMemberAccessExcluded", False), role_id=item.get("id"),
                allow_all_policies=item.get("allowAllPolicies", False), access_policy_ids=policies))
            back_office = self._back_office(item.get("backOffice"), (*where, "backOffice"))
            if back_office is not None:
                model.roles.put(role.id, dataclasses.replace(role, back_office=back_office))
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
            body = {"username": item.get("userName", key), "identityRoleId": self._ref("role", item["role"], (*where, "role")),
                    "password": item.get("password")}
            for field in ("firstName", "lastName", "salutationId", "email", "description", "phone", "fax", "mobile",
                          "url", "externalId"):
                body[field] = item.get(field)
            if item.get("bankBranch"):
                body["bankBranchId"] = self._ref("branch", item["bankBranch"], (*where, "bankBranch"))
            identity = self._apply(where, lambda: model.create_identity(
                tenant, body, identity_id=item.get("id") or self.context.stable_id("dfs.identity", key),
                is_system_account=item.get("systemAccount", False),
                is_sign_in_enabled=item.get("signInEnabled", True),
                tenant_access_enabled=item.get("tenantAccessEnabled", True)))
            replace = {}
            if item.get("picture"):
                replace["picture"] = item["picture"]
            back_office = self._back_office(item.get("backOffice"), (*where, "backOffice"))
            if back_office is not None:
                replace["back_office"] = back_office
            if replace:
                model.identities.put(identity.id, dataclasses.replace(identity, **replace))
            self._bind("identity", key, identity.id, where)
            member = item.get("member", True)
            if member is not False:
                member = member if isinstance(member, dict) else {}
                row, _ = self._apply(where, lambda: model.upsert_member(tenant, identity, member_id=member.get("id")))
                if member.get("contacts"):
                    model.set_contacts(row, member["contacts"])
        for key, item in entries.items():  # exclusions may name identities listed later
            if item.get("excludes"):
                where = (*path, "identities", key)
                excluded = [self._ref("identity", i, (*where, "excludes")) for i in item["excludes"]]
                identity_id = self._ref("identity", key, where)
                self._apply(where, lambda: model.exclude_identities(tenant, identity_id, excluded))

    def generated(self, tenant: Tenant, batch: dict, path) -> None:
        model = self.model
        faker = Faker(batch.get("locale", "de_CH"))
        faker.seed_instance(self.context.seed + tenant.id)
        role_id = self._ref("role", batch["role"], (*path, "role"))
        domain = batch.get("emailDomain", "example.com")
        for number in range(batch["count"]):
            first, last = faker.first_name(), faker.last_name()
            username = f"{first}.{last}.{tenant.id}.{number}".lower().replace(" ", "")
            body = {"username": username, "identityRoleId": role_id, "firstName": first, "lastName": last,
                    "email": f"{username}@{domain}", "phone": f"41|{faker.msisdn()[:9]}", "salutationId": 1 + number % 2}
            identity = self._apply(path, lambda: model.create_identity(tenant, body,
                                                                       identity_id=self.context.generated_id()))
            if batch.get("withMember", True):
                model.upsert_member(tenant, identity)
