"""Roles, their access-policy configuration and the role hierarchy (RoleManagement).

A tenant's roles form one ranked list: rank 1 (hierarchy level 1) is the most
senior; a role reaches the roles ranked below it, except those it excludes."""

from __future__ import annotations

import dataclasses

from ..errors import BadRequest, Unprocessable
from .base import ModelBase
from .records import Role, Tenant

UNCHANGED = object()


class RoleRules(ModelBase):
    def _check_key(self, tenant: Tenant, role_key: str | None, role_id: int | None = None) -> None:
        if not role_key:
            return
        for other in self.roles.lookup("key", (tenant.id, role_key.casefold())):
            if other != role_id:
                raise Unprocessable(f"A role with RoleKey {role_key!r} already exists")

    def create_role(
        self,
        tenant: Tenant,
        short_name,
        long_name,
        role_key,
        is_member_access_excluded=False,
        role_id: int | None = None,
        allow_all_policies=False,
        access_policy_ids=(),
    ) -> Role:
        if not short_name or not short_name.strip():
            raise Unprocessable("ShortName is required")
        self._check_key(tenant, role_key)
        if role_id is None:
            role_id = self.next_id("role")
        else:
            self.bump_sequence("role", role_id)
        role = Role(
            id=role_id,
            tenant_id=tenant.id,
            short_name=short_name,
            long_name=long_name or short_name,
            role_key=role_key,
            created=self.now(),
            rank=len(self.roles.lookup("tenant", tenant.id)) + 1,
            allow_all_policies=bool(allow_all_policies),
            access_policy_ids=tuple(access_policy_ids),
            is_member_access_excluded=bool(is_member_access_excluded),
        )
        self.roles.put(role.id, role)
        return role

    def update_role(self, tenant: Tenant, role_id: int, changes: dict) -> None:
        """PATCH: null or absent fields stay as they are; AllowAllPolicies=true
        removes the role's access-policy list."""
        role = self.get_role(tenant, role_id)
        replace: dict = {}
        for field, attribute in (("shortName", "short_name"), ("longName", "long_name"), ("roleKey", "role_key")):
            value = changes.get(field)
            if value is not None:
                if not value.strip():
                    raise Unprocessable(f"{field[0].upper() + field[1:]} may not be empty")
                replace[attribute] = value
        if "role_key" in replace:
            self._check_key(tenant, replace["role_key"], role.id)
        allow_all = changes.get("allowAllPolicies")
        policy_ids = changes.get("accessPolicyIds")
        resulting_allow_all = role.allow_all_policies if allow_all is None else allow_all
        if policy_ids and resulting_allow_all:
            raise Unprocessable("Specify AccessPolicyIds only if AllowAllPolicies is false")
        if policy_ids is not None:
            unknown = [i for i in policy_ids if i not in self.access_policies]
            if unknown:
                raise Unprocessable(f"Unknown access policy id(s): {', '.join(map(str, unknown))}")
            replace["access_policy_ids"] = tuple(dict.fromkeys(policy_ids))
        if allow_all is not None:
            replace["allow_all_policies"] = allow_all
            if allow_all:
                replace["access_policy_ids"] = ()
        if replace:
            self.roles.put(role.id, dataclasses.replace(role, **replace))

    def delete_role(self, tenant: Tenant, role_id: int) -> None:
        role = self.get_role(tenant, role_id)
        holders = self.access.lookup("role", role.id)
        if holders:
            raise Unprocessable(f"Role {role.id} cannot be deleted: {len(holders)} identity(ies) still hold it")
        self.roles.delete(role.id)
        for other in self.tenant_roles(tenant.id):
            replace: dict = {}
            if other.rank > role.rank:
                replace["rank"] = other.rank - 1
            if role.id in other.excluded_role_ids:
                replace["excluded_role_ids"] = tuple(i for i in other.excluded_role_ids if i != role.id)
            if replace:
                self.roles.put(other.id, dataclasses.replace(other, **replace))

    def move_role(self, tenant: Tenant, role_id: int, operation: str) -> None:
        """Up: one level more senior (swap with the role above); Down: the reverse."""
        step = {"up": -1, "down": 1}.get(operation.casefold())
        if step is None:
            raise BadRequest(f"The value '{operation}' is not valid for RoleHierarchyRankOperation (Up, Down)")
        role = self.get_role(tenant, role_id)
        target = role.rank + step
        neighbour = next((r for r in self.roles.find("tenant", tenant.id) if r.rank == target), None)
        if neighbour is None:
            where = "top" if step < 0 else "bottom"
            raise Unprocessable(f"Role {role.id} is already at the {where} of the hierarchy")
        self.roles.put(role.id, dataclasses.replace(role, rank=target))
        self.roles.put(neighbour.id, dataclasses.replace(neighbour, rank=role.rank))

    def exclude_roles(self, tenant: Tenant, role_id: int, excluded) -> None:
        role = self.get_role(tenant, role_id)
        excluded = tuple(dict.fromkeys(excluded))
        for other_id in excluded:
            if other_id == role.id:
                raise Unprocessable("A role cannot exclude itself from its hierarchy")
            self.role_for_body(tenant, other_id, "Role id")
        self.roles.put(role.id, dataclasses.replace(role, excluded_role_ids=excluded))

    def role_hierarchy(self, tenant: Tenant, role_id: int) -> tuple[Role, list[Role]]:
        base = self.get_role(tenant, role_id)
        below = [r for r in self.tenant_roles(tenant.id) if r.rank > base.rank and r.id not in base.excluded_role_ids]
        return base, below
