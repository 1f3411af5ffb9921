"""Mandates (an organization or person authorising another with a role) and their
delegations onwards."""

from __future__ import annotations

from urllib.parse import quote

from ..errors import EntityNotFound, InvalidArguments, InvalidReference
from .base import ModelBase, new_id, sort_ids
from .records import Delegation, Mandate

MANDATE_KINDS = {"Org": "organization", "Per": "user"}


def mandate_kinds(mandate_type: str) -> tuple[str, str]:
    """"OrgToPer" -> ("organization", "user")."""
    mandater, separator, mandatee = mandate_type.partition("To")
    if not separator or mandater not in MANDATE_KINDS or mandatee not in MANDATE_KINDS:
        raise InvalidArguments(f"unknown mandate type {mandate_type!r} (OrgToPer, OrgToOrg, PerToPer, PerToOrg)")
    return MANDATE_KINDS[mandater], MANDATE_KINDS[mandatee]


class MandateRules(ModelBase):
    def list_mandates(self) -> list[str]:
        """GET110."""
        return sort_ids(self.mandates.ids())

    def given_mandates(self, principal_id: str, kind: str) -> list[str]:
        """GET118 (organization) and GET120 (user)."""
        self._principal(kind, principal_id)
        return sort_ids(self.mandates.lookup("mandater", principal_id))

    def received_mandates(self, principal_id: str, kind: str) -> list[str]:
        """GET119 (organization) and GET121 (user)."""
        self._principal(kind, principal_id)
        return sort_ids(self.mandates.lookup("mandatee", principal_id))

    def received_mandate_delegations(self, user_id: str) -> list[str]:
        """GET122: mandates delegated (as a whole) to the user."""
        self.get_user(user_id)
        return sort_ids({d.mandate_id for d in self.delegations.find("delegate", user_id) if d.role_id is None})

    def get_role_delegation(self, delegation_id: str) -> Delegation:
        """GET116: only mandate *role* delegations have a 2.1 entity; a whole-mandate
        delegation surfaces as a mandate in GET122, so its id is not found here."""
        delegation = self.delegations.get(delegation_id)
        if delegation is None or delegation.role_id is None:
            raise EntityNotFound(f"no mandate role delegation with id {delegation_id}")
        return delegation

    def received_role_delegations(self, user_id: str) -> list[str]:
        """GET115: mandate role delegations received by the user."""
        self.get_user(user_id)
        return sort_ids(d.id for d in self.delegations.find("delegate", user_id) if d.role_id is not None)

    def create_mandate(self, *, mandate_type: str, mandater_id: str, mandatee_id: str, role_id: str,
                       name: str | None = None, assignee_email: str | None = None,
                       mandate_id: str | None = None) -> Mandate:
        """Create Mandate (1.2) and scenarios."""
        mandater_kind, mandatee_kind = mandate_kinds(mandate_type)
        mandater = self._reference(mandater_kind, mandater_id, "mandater")
        mandatee = self._reference(mandatee_kind, mandatee_id, "mandatee")
        if role_id not in self.roles:
            raise InvalidReference(f"role {role_id} does not exist")
        if name is None:
            name = getattr(mandatee, "display_name", None) or getattr(mandatee, "friendly_name", mandatee_id)
        if assignee_email is None and mandatee_kind == "user":
            assignee_email = mandatee.email
        mandate = Mandate(id=mandate_id or new_id(), type=mandate_type, name=name,
                          mandater_kind=mandater_kind, mandater_id=mandater.id,
                          mandatee_kind=mandatee_kind, mandatee_id=mandatee.id, role_id=role_id,
                          assignee_email=assignee_email, created=self.now())
        self.mandates.put(mandate.id, mandate)
        return mandate

    def delegate(self, *, mandate_id: str, delegate_user_id: str, mandater_user_id: str,
                 role_id: str | None = None, delegation_id: str | None = None) -> Delegation:
        """Delegate Mandate / Delegate Mandate Role (1.2) and scenarios: the
        mandatee (a user, or a user of the mandatee organization) passes it on."""
        mandate = self.mandates.get(mandate_id)
        if mandate is None:
            raise InvalidReference(f"mandate {mandate_id} does not exist")
        delegate = self._reference("user", delegate_user_id, "delegate")
        mandater_user = self._reference("user", mandater_user_id, "delegating user")
        if role_id is not None and role_id != mandate.role_id:
            raise InvalidReference(f"role {role_id} is not the role of mandate {mandate_id}")
        delegation = Delegation(id=delegation_id or new_id(), mandate_id=mandate.id, role_id=role_id,
                                delegate_user_id=delegate.id, mandater_user_id=mandater_user.id,
                                mandater_organization_id=mandater_user.organization_id, created=self.now())
        self.delegations.put(delegation.id, delegation)
        return delegation

    @staticmethod
    def mandate_entity_name(mandate: Mandate) -> str:
        # GET111 shows entityName as the URL-encoded name ("Test%20User...").
        return quote(mandate.name, safe="")

    def _principal(self, kind: str, principal_id: str):
        return self.get_organization(principal_id) if kind == "organization" else self.get_user(principal_id)

    def _reference(self, kind: str, principal_id: str, what: str):
        collection = self.organizations if kind == "organization" else self.users
        record = collection.get(principal_id)
        if record is None:
            raise InvalidReference(f"{what} {kind} {principal_id} does not exist")
        return record

    def _delete_mandate_records(self, mandate: Mandate) -> None:
        for delegation in self.delegations.find("mandate", mandate.id):
            self.delegations.delete(delegation.id)
        self.mandates.delete(mandate.id)
