"""Mandates (an organization or person authorising another with a role) and their
delegations onwards."""

from __future__ import annotations

import dataclasses
from urllib.parse import quote

from ..errors import AlreadyExists, EntityNotFound, InvalidArguments, InvalidReference
from .base import ModelBase, new_id, sort_ids
from .records import Delegation, Mandate, MandateTemplate

MANDATE_KINDS = {"Org": "organization", "Per": "user"}


def mandate_kinds(mandate_type: str) -> tuple[str, str]:
    """ "OrgToPer" -> ("organization", "user")."""
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

    def create_mandate(
        self,
        *,
        mandate_type: str,
        mandater_id: str,
        mandatee_id: str,
        role_id: str,
        name: str | None = None,
        assignee_email: str | None = None,
        mandate_id: str | None = None,
    ) -> Mandate:
        """Create Mandate (1.2) and scenarios."""
        mandater_kind, mandatee_kind = mandate_kinds(mandate_type)
        mandater = self._reference(mandater_kind, mandater_id, "mandater")
        mandatee = self._reference(mandatee_kind, mandatee_id, "mandatee")
        if role_id not in self.roles:
            raise InvalidReference(f"role {role_id} does not exist")
        if name is not None:
            self._check_mandate_name_free(name)
        else:
            # mandate.naming=false: generated names; 1.2 addresses mandates by
            # name, so a generated name is made unique ("Sari Mäkinen 2").
            base = getattr(mandatee, "display_name", None) or getattr(mandatee, "friendly_name", mandatee_id)
            name, number = base, 1
            while self.mandates.lookup("name", name):
                number += 1
                name = f"{base} {number}"
        assert name is not None  # given, or generated above
        if assignee_email is None and mandatee_kind == "user":
            assignee_email = mandatee.email
        mandate = Mandate(
            id=mandate_id or new_id(),
            type=mandate_type,
            name=name,
            mandater_kind=mandater_kind,
            mandater_id=mandater.id,
            mandatee_kind=mandatee_kind,
            mandatee_id=mandatee.id,
            role_id=role_id,
            assignee_email=assignee_email,
            created=self.now(),
        )
        self.mandates.put(mandate.id, mandate)
        return mandate

    def delegate(
        self,
        *,
        mandate_id: str,
        delegate_user_id: str,
        mandater_user_id: str,
        role_id: str | None = None,
        delegation_id: str | None = None,
    ) -> Delegation:
        """Delegate Mandate / Delegate Mandate Role (1.2) and scenarios: the
        mandatee (a user, or a user of the mandatee organization) passes it on."""
        mandate = self.mandates.get(mandate_id)
        if mandate is None:
            raise InvalidReference(f"mandate {mandate_id} does not exist")
        delegate = self._reference("user", delegate_user_id, "delegate")
        mandater_user = self._reference("user", mandater_user_id, "delegating user")
        if role_id is not None and role_id != mandate.role_id:
            raise InvalidReference(f"role {role_id} is not the role of mandate {mandate_id}")
        delegation = Delegation(
            id=delegation_id or new_id(),
            mandate_id=mandate.id,
            role_id=role_id,
            delegate_user_id=delegate.id,
            mandater_user_id=mandater_user.id,
            mandater_organization_id=mandater_user.organization_id,
            created=self.now(),
        )
        self.delegations.put(delegation.id, delegation)
        return delegation

    def _check_mandate_name_free(self, name: str, mandate_id: str | None = None) -> None:
        if not name.strip():
            raise InvalidArguments("a mandate name may not be empty")
        if any(other != mandate_id for other in self.mandates.lookup("name", name)):
            raise AlreadyExists(f"mandate {name!r} already exists")

    def mandate_by_name(self, name: str) -> Mandate:
        """1.2 ``mandate/MANDATENAME``: the name identifies a mandate."""
        for mandate_id in sort_ids(self.mandates.lookup("name", name)):
            return self.get_mandate(mandate_id)
        raise EntityNotFound(f"no mandate {name!r}")

    def update_mandate(
        self, mandate_id: str, *, name: str | None = None, assignee_email: str | None = None, role_id: str | None = None
    ) -> Mandate:
        """Update Mandate (1.2): given replaces, empty removes (assigneeEmail), missing keeps.
        A new role must exist (Invalid reference); role delegations of the old role go."""
        mandate = self.get_mandate(mandate_id)
        changes: dict = {}
        if name is not None:
            self._check_mandate_name_free(name, mandate.id)
            changes["name"] = name
        if assignee_email is not None:
            changes["assignee_email"] = assignee_email or None
        if role_id is not None and role_id != mandate.role_id:
            if role_id not in self.roles:
                raise InvalidReference(f"role {role_id} does not exist")
            changes["role_id"] = role_id
        updated = dataclasses.replace(mandate, **changes)
        with self.store.transaction():
            self.mandates.put(updated.id, updated)
            if "role_id" in changes:
                for delegation in self.delegations.find("mandate", mandate.id):
                    if delegation.role_id is not None:
                        self.delegations.delete(delegation.id)
        return updated

    def delete_mandate(self, mandate_id: str) -> Mandate:
        """Remove Mandate (1.2): with every delegation resting on it."""
        mandate = self.get_mandate(mandate_id)
        with self.store.transaction():
            self._delete_mandate_records(mandate)
        return mandate

    def remove_delegations(self, *, mandate_id: str, delegate_user_id: str, role_id: str | None) -> list[Delegation]:
        """Remove Mandate Delegation (``role_id`` None) / Remove Mandate Role
        Delegation (1.2): what the mandate's delegations to that user match."""
        self.get_mandate(mandate_id)
        removed = [
            d
            for d in self.delegations.find("mandate", mandate_id)
            if d.delegate_user_id == delegate_user_id and d.role_id == role_id
        ]
        if not removed:
            what = "role delegation" if role_id else "delegation"
            raise EntityNotFound(f"mandate {mandate_id} has no {what} to user {delegate_user_id}")
        for delegation in removed:
            self.delegations.delete(delegation.id)
        return removed

    # -- mandate templates (1.2) ---------------------------------------------------
    def list_mandate_templates(self) -> list[MandateTemplate]:
        """List Mandate Templates (1.2), by name."""
        return sorted(self.mandate_templates, key=lambda template: template.name)

    def mandate_template_by_name(self, name: str) -> MandateTemplate:
        for template_id in sort_ids(self.mandate_templates.lookup("name", name)):
            return self._get(self.mandate_templates, "mandate template", template_id)
        raise EntityNotFound(f"no mandate template {name!r}")

    def create_mandate_template(
        self, *, name: str, mandate_type: str, role_id: str, description: str | None = None
    ) -> MandateTemplate:
        """Create Mandate Template (1.2)."""
        if not name or not name.strip():
            raise InvalidArguments("a mandate template needs a name")
        if self.mandate_templates.lookup("name", name):
            raise AlreadyExists(f"mandate template {name!r} already exists")
        mandate_kinds(mandate_type)
        if role_id not in self.roles:
            raise InvalidReference(f"role {role_id} does not exist")
        template = MandateTemplate(
            id=new_id(),
            name=name,
            type=mandate_type,
            role_id=role_id,
            description=description or None,
            created=self.now(),
        )
        self.mandate_templates.put(template.id, template)
        return template

    def update_mandate_template(
        self,
        template_id: str,
        *,
        name: str | None = None,
        mandate_type: str | None = None,
        role_id: str | None = None,
        description: str | None = None,
    ) -> MandateTemplate:
        """Update Mandate Template (1.2); mandates made from it are not changed."""
        template = self.mandate_templates.get(template_id)
        if template is None:
            raise EntityNotFound(f"no mandate template {template_id}")
        changes: dict = {}
        if name is not None:
            if not name.strip():
                raise InvalidArguments("a mandate template name may not be empty")
            if any(other != template.id for other in self.mandate_templates.lookup("name", name)):
                raise AlreadyExists(f"mandate template {name!r} already exists")
            changes["name"] = name
        if mandate_type is not None:
            mandate_kinds(mandate_type)
            changes["type"] = mandate_type
        if role_id is not None:
            if role_id not in self.roles:
                raise InvalidReference(f"role {role_id} does not exist")
            changes["role_id"] = role_id
        if description is not None:
            changes["description"] = description or None
        updated = dataclasses.replace(template, **changes)
        self.mandate_templates.put(updated.id, updated)
        return updated

    def delete_mandate_template(self, template_id: str) -> MandateTemplate:
        """Remove Mandate Template (1.2); mandates made from it stay."""
        template = self.mandate_templates.get(template_id)
        if template is None:
            raise EntityNotFound(f"no mandate template {template_id}")
        self.mandate_templates.delete(template.id)
        return template

    def assign_mandate_template(
        self,
        template_id: str,
        *,
        mandater_id: str,
        mandatee_id: str,
        name: str | None = None,
        assignee_email: str | None = None,
    ) -> Mandate:
        """Assign Mandate Template (1.2): a mandate of the template's type and role."""
        template = self.mandate_templates.get(template_id)
        if template is None:
            raise EntityNotFound(f"no mandate template {template_id}")
        return self.create_mandate(
            mandate_type=template.type,
            mandater_id=mandater_id,
            mandatee_id=mandatee_id,
            role_id=template.role_id,
            name=name,
            assignee_email=assignee_email,
        )

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
