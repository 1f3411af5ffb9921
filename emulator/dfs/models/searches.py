"""Which records a search matches (identities, members, participants).

Every filter starts from an index: ids and role/participant filters from their
keys, text from the ordered "text" index (case-insensitive *prefix* of the whole
value or of any word in it), and the tenant scope from the "tenant" index only
when nothing narrower is given. The work is the size of the candidate sets."""

from __future__ import annotations

from .base import ModelBase
from .collections import fold
from .records import Identity, Member, Participant, Tenant, TenantAccess

IDENTITY_TEXT_SCOPES = {
    "FirstName": ("FirstName",),
    "LastName": ("LastName",),
    "UserName": ("UserName",),
    "Email": ("Email",),
    "FullName": ("FullName",),
}


def _narrowest(sets: list[set]) -> set:
    sets = sorted(sets, key=len)
    result = set(sets[0])
    for other in sets[1:]:
        result &= other
    return result


class SearchRules(ModelBase):
    def _term_identities(self, tenant: Tenant, term: str, by: str, all_tenants: bool) -> set[str]:
        term = fold(term.strip())
        found: set[str] = set()
        scopes = IDENTITY_TEXT_SCOPES.get(
            by, ("FirstName", "LastName", "UserName", "Email", "FullName") if by == "All" else ()
        )
        for scope in scopes:
            found |= self.identities.lookup_prefix("text", scope, term)
        if by in ("IdentityProviderName", "All"):
            for setting in self.provider_settings:  # the provider catalog (a handful of rows)
                if fold(setting.name).startswith(term) or fold(setting.display_name).startswith(term):
                    found |= self.identities.lookup("provider", setting.id)
        if by in ("RoleName", "All"):
            tenants = [t.id for t in self.tenants] if all_tenants else [tenant.id]
            for tenant_id in tenants:
                for role in self.roles.find("tenant", tenant_id):
                    names = (role.short_name, role.long_name, role.role_key)
                    if any(name and fold(name).startswith(term) for name in names):
                        found |= {a.identity_id for a in self.access.find("role", role.id)}
        return found

    def search_identities(self, tenant: Tenant, criteria: dict) -> list[tuple[Identity, TenantAccess | None]]:
        all_tenants = bool(criteria.get("searchByAllTenants"))
        sets: list[set] = []
        if criteria.get("identityIds"):
            sets.append({i.lower() for i in criteria["identityIds"]})
        if criteria.get("roleIds"):
            sets.append(
                {
                    a.identity_id
                    for role_id in criteria["roleIds"]
                    for a in self.access.find("role", role_id)
                    if all_tenants or a.tenant_id == tenant.id
                }
            )
        if criteria.get("participantIds"):
            ids: set[str] = set()
            for participant_id in criteria["participantIds"]:
                participant = self.participants.get(participant_id)
                if participant is not None and (all_tenants or participant.tenant_id == tenant.id):
                    ids.update(participant.identity_ids)
            sets.append(ids)
        for field, scope in (("firstName", "FirstName"), ("lastName", "LastName")):
            if criteria.get(field):
                sets.append(self.identities.lookup_prefix("text", scope, fold(criteria[field].strip())))
        if criteria.get("searchTerm"):
            sets.append(
                self._term_identities(
                    tenant, criteria["searchTerm"], criteria.get("searchIdentityBy", "All"), all_tenants
                )
            )
        if sets:
            candidates = _narrowest(sets)
        elif all_tenants:
            candidates = set(self.identities.ids())
        else:
            candidates = {a.identity_id for a in self.access.find("tenant", tenant.id)}
        inactive = bool(criteria.get("searchByInactive"))
        system = bool(criteria.get("searchBySystemAccounts"))
        matches = []
        for identity_id in candidates:
            identity = self.identities.get(identity_id)
            if identity is None:
                continue
            access = self.access.get((identity_id, tenant.id))
            if access is None:
                if not all_tenants:
                    continue
                others = self.access.find("identity", identity_id)
                access = min(others, key=lambda a: a.tenant_id) if others else None
            if identity.is_system_account and not system:
                continue
            if not inactive and (not identity.is_sign_in_enabled or (access is not None and not access.enabled)):
                continue
            matches.append((identity, access))
        return matches

    def search_members(self, tenant: Tenant, criteria: dict) -> list[Member]:
        sets: list[set] = []
        if criteria.get("memberIds"):
            sets.append(set(criteria["memberIds"]))
        if criteria.get("searchTerm"):
            term = fold(criteria["searchTerm"].strip())
            found: set = set()
            for scope in ("FirstName", "LastName", "Email", "FullName"):
                found |= self.members.lookup_prefix("text", (tenant.id, scope), term)
            sets.append(found)
        candidates = _narrowest(sets) if sets else self.members.lookup("tenant", tenant.id)
        members = (self.members.get(member_id) for member_id in candidates)
        return [member for member in members if member is not None and member.tenant_id == tenant.id]

    def search_participants(self, tenant: Tenant, criteria: dict) -> list[Participant]:
        sets: list[set] = []
        if criteria.get("participantIds"):
            sets.append(set(criteria["participantIds"]))
        if criteria.get("name"):
            sets.append(self.participants.lookup_prefix("name", tenant.id, fold(criteria["name"].strip())))
        candidates = _narrowest(sets) if sets else self.participants.lookup("tenant", tenant.id)
        active = criteria.get("isActive")
        found = (self.participants.get(participant_id) for participant_id in candidates)
        return [
            p for p in found if p is not None and p.tenant_id == tenant.id and (active is None or p.is_active == active)
        ]
