"""Access policies, permissions, client apps and the role/policy check (AccessPolicyManagement)."""

from __future__ import annotations

from ..errors import NotFound, Unprocessable
from .base import ModelBase
from .records import AccessPolicy, Permission, Role, Tenant


class PolicyRules(ModelBase):
    def list_access_policies(self) -> list[AccessPolicy]:
        return sorted(self.access_policies, key=lambda p: p.id)

    def get_access_policy(self, policy_id: int) -> AccessPolicy:
        policy = self.access_policies.get(policy_id)
        if policy is None:
            raise NotFound(f"Access policy {policy_id} was not found")
        return policy

    def permissions_requiring(self, policy_id: int) -> list[Permission]:
        return sorted(self.permissions.find("policy", policy_id), key=lambda p: p.id)

    def list_permissions(self) -> list[Permission]:
        return sorted(self.permissions, key=lambda p: p.id)

    def get_permission(self, permission_id: int) -> Permission:
        permission = self.permissions.get(permission_id)
        if permission is None:
            raise NotFound(f"Permission {permission_id} was not found")
        return permission

    def policies(self, ids) -> list[AccessPolicy]:
        return [policy for policy in (self.access_policies.get(i) for i in sorted(set(ids))) if policy is not None]

    def effective_policies(self, role: Role) -> list[AccessPolicy]:
        """What a role may use: every policy when AllowAllPolicies, else its list."""
        return self.list_access_policies() if role.allow_all_policies else self.policies(role.access_policy_ids)

    def check_role_policies(self, tenant: Tenant, role_id: int, permission_uids) -> tuple[bool, list[AccessPolicy]]:
        role = self.get_role(tenant, role_id)
        required: set[int] = set()
        for uid in permission_uids or ():
            ids = self.permissions.lookup("uid", uid.lower())
            if not ids:
                raise Unprocessable(f"Permission {uid} does not exist")
            required.update(self.permissions[next(iter(ids))].required_access_policy_ids)
        if role.allow_all_policies:
            return True, []
        missing = self.policies(required - set(role.access_policy_ids))
        return not missing, missing

    def client_access_policies(self, tenant: Tenant, resource: str, scope: str) -> dict[str, list[str]]:
        apps = self.client_apps.find("resource_scope", (tenant.id, resource.casefold(), scope.casefold()))
        return {app.app_id: list(app.access_policy_keys) for app in sorted(apps, key=lambda a: a.app_id)}
