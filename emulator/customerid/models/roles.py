"""Roles, role membership (memberOf) and role assignments."""

from __future__ import annotations

import dataclasses

from ..errors import AlreadyExists, EntityNotFound, InvalidReference
from .base import ModelBase, new_id, sort_ids
from .records import Role, RoleAssignment, User


class RoleRules(ModelBase):
    def list_roles(self) -> list[str]:
        """GET108."""
        return sort_ids(self.roles.ids())

    def create_role(
        self, organization_id: str, name: str, *, member_of: tuple[str, ...] = (), role_id: str | None = None
    ) -> Role:
        """MOD007 (1.0) and scenarios."""
        organization = self.get_organization(organization_id)
        self.check_entity_name_part(name, "role name")
        entity_name = f"{organization.entity_name}/{name}"
        if self.roles.lookup("entity_name", entity_name.casefold()):
            raise AlreadyExists(f"role {entity_name} already exists")
        for parent_role_id in member_of:
            if parent_role_id not in self.roles:
                raise InvalidReference(f"memberOf names no role: {parent_role_id}")
        role = Role(
            id=role_id or new_id(),
            name=name,
            organization_id=organization.id,
            entity_name=entity_name,
            member_of=tuple(member_of),
        )
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

    def unassign_role(self, user_id: str, role_id: str) -> None:
        """MOD006 (1.0): a role the user does not have is Entity not found."""
        self.get_user(user_id)
        self.get_role(role_id)
        assignment_id = f"{user_id}:{role_id}"
        if assignment_id not in self.role_assignments:
            raise EntityNotFound(f"user {user_id} is not assigned role {role_id}")
        self.role_assignments.delete(assignment_id)

    def remove_user_roles(self, user: User) -> None:
        """MOD004b ``roles.remove=true``: every role assignment of the user."""
        for assignment in self.role_assignments.find("user", user.id):
            self.role_assignments.delete(assignment.id)

    def role_by_entity_name(self, entity_name: str) -> Role:
        """1.x ``role/ORG/ROLE`` (case-sensitive, as entity URLs are)."""
        entity_name = entity_name.strip("/")
        for role_id in sort_ids(self.roles.lookup("entity_name", entity_name.casefold())):
            role = self.get_role(role_id)
            if role.entity_name == entity_name:
                return role
        raise EntityNotFound(f"no role {entity_name}")

    def role_reference(self, entity_name: str) -> Role:
        """A role named in a request parameter (memberOf, 1.2 role=…): a missing one
        is Invalid reference, not Entity not found."""
        try:
            return self.role_by_entity_name(entity_name)
        except EntityNotFound:
            raise InvalidReference(f"no role {entity_name}") from None

    def delete_role(self, role_id: str) -> Role:
        """MOD008 (1.0): the role and everything resting on it, in every version:
        assignments, invitations, mandates granting it (with their delegations),
        role delegations, mandate templates, and memberOf links of other roles."""
        role = self.get_role(role_id)
        with self.store.transaction():
            self._delete_role_records(role)
        return role

    def _delete_role_records(self, role: Role) -> None:
        for assignment in self.role_assignments.find("role", role.id):
            self.role_assignments.delete(assignment.id)
        for invitation in self.role_invitations.find("role", role.id):
            self.role_invitations.delete(invitation.id)
        for mandate in self.mandates.find("role", role.id):
            self._delete_mandate_records(mandate)  # type: ignore[attr-defined]
        for delegation in self.delegations.find("role", role.id):
            self.delegations.delete(delegation.id)
        for template in self.mandate_templates.find("role", role.id):
            self.mandate_templates.delete(template.id)
        for member in self.roles.find("member_of", role.id):
            updated = dataclasses.replace(member, member_of=tuple(r for r in member.member_of if r != role.id))
            self.roles.put(updated.id, updated)
        self.roles.delete(role.id)

    def role_members(self, role_id: str) -> list[str]:
        return sort_ids(a.user_id for a in self.role_assignments.find("role", role_id))
