"""Organizations: hierarchy, virtual vs normal, types, custom attributes."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from ..errors import (
    AlreadyExists,
    EntityNotFound,
    InvalidArguments,
    ParentNotFound,
    ParentNotNonVirtual,
    ParentNotVirtual,
)
from .base import ModelBase, new_id, sort_ids
from .collections import ORGANIZATION_TEXT_FIELDS, ROOT
from .records import Organization, Role
from .search import AttributeFilter, search

# GET106 accepts 2.0's parameter name too: the GET107 attribute is still organizationClass.
ORGANIZATION_FILTER_ALIASES = {"organizationClass": "organizationType"}


class OrganizationRules(ModelBase):
    def create_organization(
        self,
        *,
        technical_name: str | None = None,
        friendly_name: str | None = None,
        parent_id: str | None = None,
        virtual: bool = False,
        organization_type: str | None = None,
        attributes: Mapping[str, tuple[str, ...]] | None = None,
        organization_id: str | None = None,
    ) -> Organization:
        """POST100 (2.1), MOD001 (2.0), MOD001b (1.0)."""
        parent = None
        if parent_id:
            parent = self.organizations.get(parent_id)
            if parent is None:
                raise ParentNotFound(f"no organization with id {parent_id}")
            # Our rule where the docs name the codes but not the cases: kinds nest
            # within their own kind (VIRTUALORG/SUBVORG), see docs/fidelity.md.
            if virtual and not parent.virtual:
                raise ParentNotVirtual(f"a virtual organization cannot be created under {parent.entity_name}")
            if not virtual and parent.virtual:
                raise ParentNotNonVirtual(f"an organization cannot be created under virtual {parent.entity_name}")
        new_organization_id = organization_id or new_id()
        technical_name = self.check_entity_name_part(technical_name or new_organization_id, "technicalName")
        entity_name = f"{parent.entity_name}/{technical_name}" if parent else technical_name
        if self.organizations.lookup("entity_name", entity_name.casefold()):
            raise AlreadyExists(f"organization {entity_name} already exists")
        if new_organization_id in self.organizations:
            raise AlreadyExists(f"organization id {new_organization_id} already exists")
        if organization_type is None:
            organization_type = (
                self.settings.default_virtual_organization_type if virtual else self.settings.default_organization_type
            )
        self._check_organization_type(organization_type)
        custom = self._checked_custom_attributes(attributes or {})
        organization = Organization(
            id=new_organization_id,
            technical_name=technical_name,
            friendly_name=friendly_name or technical_name,
            entity_name=entity_name,
            parent_id=parent.id if parent else None,
            virtual=virtual,
            organization_type=organization_type,
            attributes=custom,
            created=self.now(),
        )
        with self.store.transaction():
            self.organizations.put(organization.id, organization)
            self._create_type_roles(organization)
        return organization

    def update_organization(
        self,
        organization_id: str,
        *,
        friendly_name: str | None = None,
        organization_type: str | None = None,
        attributes: Mapping[str, tuple[str, ...]] | None = None,
    ) -> Organization:
        """PUT101 (2.1), MOD003 (2.0), MOD003b (1.0): given values replace, empty
        removes, missing keeps."""
        organization = self.get_organization(organization_id)
        changes: dict = {}
        if friendly_name is not None:
            # The friendly name is mandatory data: emptying it falls back to the technical name.
            changes["friendly_name"] = friendly_name or organization.technical_name
        type_changed = False
        if organization_type:
            self._check_organization_type(organization_type)
            type_changed = organization_type != organization.organization_type
            changes["organization_type"] = organization_type
        if attributes:
            merged = dict(organization.attributes)
            for name, values in self._checked_custom_attributes(attributes, allow_empty=True).items():
                if values:
                    merged[name] = values
                else:
                    merged.pop(name, None)
            changes["attributes"] = merged
        updated = dataclasses.replace(organization, **changes)
        with self.store.transaction():
            self.organizations.put(updated.id, updated)
            if type_changed:
                # "Role to role mappings shall be refreshed ... only if the organization
                # type is modified": the new type's roles are added, none removed.
                self._create_type_roles(updated)
        return updated

    def list_organizations(self, filters: list[AttributeFilter], exact: bool) -> list[str]:
        """GET106: ids of organizations matching every filter."""
        if not filters:
            return sort_ids(self.organizations.ids())
        ids = search(self.organizations, filters, exact)
        return sort_ids(ids)

    def organization_filter_names(self) -> set[str]:
        return (
            set(ORGANIZATION_TEXT_FIELDS)
            | set(ORGANIZATION_FILTER_ALIASES)
            | set(self.settings.organization_attributes)
        )

    def child_organizations(self, organization_id: str | None) -> list[Organization]:
        return self.organizations.find("parent", organization_id or ROOT)

    def subtree(self, organization_id: str) -> list[Organization]:
        """The organization and all organizations below it, parents first."""
        result = [self.get_organization(organization_id)]
        position = 0
        while position < len(result):
            result.extend(self.child_organizations(result[position].id))
            position += 1
        return result

    def organization_by_entity_name(self, entity_name: str, *, case_sensitive: bool = False) -> Organization:
        """1.x paths name organizations by entity name (``ORG/SUB``): case-sensitive
        in entity URLs (org/…), not in collection URLs (orgs/…, users/…)."""
        ids = self.organizations.lookup("entity_name", entity_name.strip("/").casefold())
        for organization_id in sort_ids(ids):
            organization = self.get_organization(organization_id)
            if not case_sensitive or organization.entity_name == entity_name.strip("/"):
                return organization
        raise EntityNotFound(f"no organization {entity_name}")

    def sub_organizations(self, organization_id: str | None, *, recursive: bool = False) -> list[Organization]:
        """1.0 List Organizations: the children of an organization (or the top-level
        ones), and with ``recursive`` everything below them."""
        result = list(self.child_organizations(organization_id))
        if recursive:
            position = 0
            while position < len(result):
                result.extend(self.child_organizations(result[position].id))
                position += 1
        return sorted(result, key=lambda organization: organization.entity_name)

    def delete_organization(self, organization_id: str, *, recursive: bool = False) -> list:
        """MOD002 (1.0): the organization with its roles and users; sub-organizations
        only with ``recursive`` (otherwise nothing is removed). Returns every removed
        record, organizations first, then roles, then users."""
        organization = self.get_organization(organization_id)
        children = self.child_organizations(organization.id)
        if children and not recursive:
            raise InvalidArguments(f"organization {organization.entity_name} has sub-organizations; use recursive=true")
        organizations = self.subtree(organization.id)
        roles: list = []
        users: list = []
        for member in organizations:
            roles.extend(sorted(self.roles.find("organization", member.id), key=lambda role: role.entity_name))
            users.extend(sorted(self.users.find("organization", member.id), key=lambda user: user.cn))
        with self.store.transaction():
            for user in users:
                self._delete_user_records(user)  # type: ignore[attr-defined]
            for role in roles:
                self._delete_role_records(role)  # type: ignore[attr-defined]
            for member in reversed(organizations):
                for mandate in self.mandates.find("mandater", member.id) + self.mandates.find("mandatee", member.id):
                    if mandate.id in self.mandates:
                        self._delete_mandate_records(mandate)  # type: ignore[attr-defined]
                for invitation in self.role_invitations.find("organization", member.id):
                    self.role_invitations.delete(invitation.id)
                self.organizations.delete(member.id)
        return [*organizations, *roles, *users]

    # -- helpers -------------------------------------------------------------------
    def _check_organization_type(self, organization_type: str) -> None:
        if organization_type not in self.settings.organization_types:
            known = ", ".join(sorted(self.settings.organization_types))
            raise InvalidArguments(f"unknown organization type {organization_type!r} (configured: {known})")

    def _checked_custom_attributes(self, attributes, *, allow_empty: bool = False) -> dict:
        configured = self.settings.organization_attributes
        checked = {}
        for name, values in attributes.items():
            if name not in configured:
                raise InvalidArguments(f"organization attribute {name!r} is not configured (data.organization.fields)")
            values = tuple(value for value in values if value != "")
            if not values and not allow_empty:
                continue
            checked[name] = values
        return checked

    def _create_type_roles(self, organization: Organization) -> None:
        for role_name in self.settings.organization_types.get(organization.organization_type, ()):
            entity_name = f"{organization.entity_name}/{role_name}"
            if self.roles.lookup("entity_name", entity_name.casefold()):
                continue
            role = Role(id=new_id(), name=role_name, organization_id=organization.id, entity_name=entity_name)
            self.roles.put(role.id, role)
