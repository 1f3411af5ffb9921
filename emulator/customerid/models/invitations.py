"""Role invitations: a person invited to a role waits for registration until they
complete it (simulated through the control API)."""

from __future__ import annotations

from ..errors import InvalidReference
from .base import ModelBase, new_id, sort_ids
from .records import RoleInvitation


class InvitationRules(ModelBase):
    def list_role_invitations(self) -> list[str]:
        """GET112."""
        return sort_ids(self.role_invitations.ids())

    def user_role_invitations(self, user_id: str) -> list[str]:
        """GET114."""
        self.get_user(user_id)
        return sort_ids(self.role_invitations.lookup("user", user_id))

    def create_role_invitation(self, *, role_id: str, user_id: str, organization_id: str | None = None,
                               email: str | None = None, invitation_id: str | None = None) -> RoleInvitation:
        """Create Role Invitation (1.2) and scenarios."""
        role = self.roles.get(role_id)
        if role is None:
            raise InvalidReference(f"role {role_id} does not exist")
        user = self.users.get(user_id)
        if user is None:
            raise InvalidReference(f"user {user_id} does not exist")
        invitation = RoleInvitation(id=invitation_id or new_id(), role_id=role.id, user_id=user.id,
                                    organization_id=organization_id or role.organization_id,
                                    email=email or user.email, created=self.now())
        self.role_invitations.put(invitation.id, invitation)
        return invitation
