"""Role invitations: a person invited to a role waits for registration until they
complete it (simulated through the control API)."""

from __future__ import annotations

from ..errors import EntityNotFound, InvalidArguments, InvalidReference, ParentNotNonVirtual
from ..statuses import PENDING, WAITING_FOR_REGISTRATION
from .base import ModelBase, new_id, sort_ids
from .records import RoleInvitation, User


class InvitationRules(ModelBase):
    def list_role_invitations(self) -> list[str]:
        """GET112."""
        return sort_ids(self.role_invitations.ids())

    def user_role_invitations(self, user_id: str) -> list[str]:
        """GET114."""
        self.get_user(user_id)
        return sort_ids(self.role_invitations.lookup("user", user_id))

    def get_role_invitation(self, invitation_id: str) -> RoleInvitation:
        """Query Role Invitation (1.2)."""
        return self._get(self.role_invitations, "role invitation", invitation_id)

    def organization_role_invitations(self, organization_id: str) -> list[str]:
        """List Role Invitations for an organization (1.2): invitations to the
        organization's roles."""
        self.get_organization(organization_id)
        return sort_ids(self.role_invitations.lookup("organization", organization_id))

    def registrations(self, organization_id: str | None = None) -> list[User]:
        """List Registrations / List Registration (1.2): users who have not completed
        registration or wait for approval (Waiting for registration, Pending), all or
        in one organization."""
        if organization_id is not None:
            self.get_organization(organization_id)
            candidates = self.users.find("organization", organization_id)
            users = [u for u in candidates if u.status in (WAITING_FOR_REGISTRATION.code, PENDING.code)]
        else:
            users = self.users.find("status", WAITING_FOR_REGISTRATION.code) + self.users.find("status", PENDING.code)
        return sorted(users, key=lambda user: user.id)

    def get_registration(self, user_id: str) -> User:
        """Query Registration (1.2): a user who has not completed registration."""
        user = self.get_user(user_id)
        if user.status not in (WAITING_FOR_REGISTRATION.code, PENDING.code):
            raise EntityNotFound(f"user {user_id} has no open registration")
        return user

    def create_pending_user(
        self, organization_id: str, *, email: str, role_id: str | None = None, fields: dict[str, str] | None = None
    ) -> User:
        """Create Pending User (1.2): a user Waiting for registration, invited by
        email; with a role, also the role invitation registration will grant."""
        organization = self.get_organization(organization_id)
        if organization.virtual:
            raise ParentNotNonVirtual(f"users cannot be created in virtual organization {organization.entity_name}")
        if not email:
            raise InvalidArguments("a pending user needs an email address to be invited at")
        if role_id is not None and role_id not in self.roles:
            raise InvalidReference(f"role {role_id} does not exist")
        user = self.new_user(  # type: ignore[attr-defined]  # UserRules, beside this mixin in CustomerIdModel
            organization.id,
            WAITING_FOR_REGISTRATION.code,
            email=email,
            invited_by="role" if role_id else "user",
            created=self.now(),
            **(fields or {}),
        )
        self.users.put(user.id, user)
        if role_id is not None:
            self.create_role_invitation(role_id=role_id, user_id=user.id, email=email)
        return user

    def create_role_invitation(
        self,
        *,
        role_id: str,
        user_id: str,
        organization_id: str | None = None,
        email: str | None = None,
        invitation_id: str | None = None,
    ) -> RoleInvitation:
        """Create Role Invitation (1.2) and scenarios."""
        role = self.roles.get(role_id)
        if role is None:
            raise InvalidReference(f"role {role_id} does not exist")
        user = self.users.get(user_id)
        if user is None:
            raise InvalidReference(f"user {user_id} does not exist")
        invitation = RoleInvitation(
            id=invitation_id or new_id(),
            role_id=role.id,
            user_id=user.id,
            organization_id=organization_id or role.organization_id,
            email=email or user.email,
            created=self.now(),
        )
        self.role_invitations.put(invitation.id, invitation)
        return invitation
