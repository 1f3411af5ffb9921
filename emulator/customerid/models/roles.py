"""Roles, role membership (memberOf) and role assignments."""

from __future__ import annotations

from ..errors import AlreadyExists, InvalidReference
from .base import ModelBase, new_id, sort_ids
from .records import Role, RoleAssignment


class RoleRules(ModelBase):
    def list_roles(self) -> list[str]:
        """GET108."""
        return sort_ids(self.roles.ids())

    def create_role(self, organization_id: str, name: str, *, member_of: tuple[str, ...] = (),
                    role_id: str | None = None) -> Role:
        """MOD007 (1.0) and scenarios."""
        organization = self.get_organization(organization_id)
        self.check_entity_name_part(name, "role name")
        entity_name = f"{organization.entity_name}/{name}"
        if self.roles.lookup("entity_name", entity_name.casefold()):
            raise AlreadyExists(f"role {entity_name} already exists")
        for parent_role_id in member_of:
            if parent_role_id not in self.roles:
                raise InvalidReference(f"memberOf names no role: {parent_role_id}")
        role = Role(id=role_id or new_id(), name=name, organization_id=organization.id,
                    entity_name=entity_name, member_of=tuple(member_of))
        self.roles.put(role.id, role)
        return role

    def assign_role(self, user_id: str, role_id: str) -> RoleAssignment:
        """MOD005 (1.0); also registration after a role invitation."""
        self.get_user(user_id)
        if role_id not in self.roles:
            raise InvalidReference(f"no role with id {role_id}")
        assignment = RoleAssignment(id=f"{user_id}:{role_id}", user_id=user_id, role_id=role_id)
        self.role_assignments.put(assignment.id, assignment)
        return assignment

    def role_members(self, role_id: str) -> list[str]:
        return sort_ids(a.user_id for a in self.role_assignments.find("role", role_id))
