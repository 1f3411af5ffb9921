"""How CustomerID records appear in the 1.2 document family (1.0 and 1.2 APIs).

1.0 addresses organizations, roles and users by entity name under
/eidm2/services/ (``org/ORG/SUB``, ``role/ORG/ROLE``, ``user/ORG/NAME``); the 1.2
API addresses its own objects under /customerid-rest/services/ (``mandate/NAME``,
``mandatetemplate/NAME``, ``roleinvitation/ID``, ``pendinguser/ID``, ``user/ID``)
and organizations and roles by their 1.0 URLs. Every URL starts with the
request's own scheme and host.
"""

from __future__ import annotations

from urllib.parse import quote

from .models import CustomerIdModel
from .models.records import Mandate, MandateTemplate, Organization, Role, RoleInvitation, User
from .render12 import Entity12
from .statuses import BY_CODE

EIDM = "/eidm2/services"
CUSTOMERID = "/customerid-rest/services"


def _path(entity_name: str) -> str:
    return quote(entity_name, safe="/,")


def _name(name: str) -> str:
    return quote(name, safe="")


class Links:
    """Absolute 1.x URLs for records, on the request's scheme and host."""

    def __init__(self, model: CustomerIdModel, origin: str) -> None:
        self.model = model
        self.origin = origin

    def organization(self, organization: Organization) -> str:
        return f"{self.origin}{EIDM}/org/{_path(organization.entity_name)}"

    def role(self, role: Role) -> str:
        return f"{self.origin}{EIDM}/role/{_path(role.entity_name)}"

    def user(self, user: User) -> str:
        """1.0: ``user/ORG/NAME``."""
        return f"{self.origin}{EIDM}/user/{_path(self.model.user_entity_name(user))}"

    def user_in(self, user: User, organization: Organization) -> str:
        """A user whose organization record is given (it may be gone already: MOD002)."""
        return f"{self.origin}{EIDM}/user/{_path(organization.entity_name + '/' + user.cn)}"

    def user12(self, user: User) -> str:
        """1.2: ``user/USERID``."""
        return f"{self.origin}{CUSTOMERID}/user/{user.id}"

    def pending_user(self, user: User) -> str:
        return f"{self.origin}{CUSTOMERID}/pendinguser/{user.id}"

    def registration(self, user: User) -> str:
        return f"{self.origin}{CUSTOMERID}/registration/{user.id}"

    def mandate(self, mandate: Mandate) -> str:
        return f"{self.origin}{CUSTOMERID}/mandate/{_name(mandate.name)}"

    def mandate_template(self, template: MandateTemplate) -> str:
        return f"{self.origin}{CUSTOMERID}/mandatetemplate/{_name(template.name)}"

    def role_invitation(self, invitation: RoleInvitation) -> str:
        return f"{self.origin}{CUSTOMERID}/roleinvitation/{invitation.id}"

    def by_id(self, kind: str, entity_id: str, *, users_12: bool = True) -> str:
        """A reference by kind and id (mandate parties, invitation targets)."""
        model = self.model
        if kind == "organization":
            organization = model.organizations.get(entity_id)
            return self.organization(organization) if organization else entity_id
        if kind == "role":
            role = model.roles.get(entity_id)
            return self.role(role) if role else entity_id
        user = model.users.get(entity_id)
        if user is None:
            return entity_id
        return self.user12(user) if users_12 else self.user(user)


def _optional(fields: list, name: str, value: str | None) -> None:
    if value:
        fields.append((name, value))


def organization12(links: Links, organization: Organization) -> Entity12:
    fields = [
        ("entityName", organization.entity_name),
        ("friendlyName", organization.friendly_name),
        ("organizationClass", organization.organization_type),
        ("virtual", "true" if organization.virtual else "false"),
    ]
    if organization.parent_id:
        fields.append(("parent", links.by_id("organization", organization.parent_id)))
    return Entity12("organization", links.organization(organization), fields, sorted(organization.attributes.items()))


# 1.0 names the user fields as MOD004b's parameters do (uid, hetu).
_USER_FIELDS = (
    ("uid", "login"),
    ("email", "email"),
    ("firstname", "firstname"),
    ("surname", "surname"),
    ("mobile", "mobile"),
    ("locale", "locale"),
    ("hetu", "ssn"),
)


def _user_fields(links: Links, user: User) -> list[tuple[str, str]]:
    fields = [
        ("uniqueId", user.id),
        ("entityName", links.model.user_entity_name(user)),
        ("organization", links.by_id("organization", user.organization_id)),
        ("status", BY_CODE[user.status].name),
    ]
    for element, attribute in _USER_FIELDS:
        _optional(fields, element, getattr(user, attribute))
    return fields


def user12(links: Links, user: User) -> Entity12:
    """1.0 Query User / List Users (entities=true)."""
    return Entity12("user", links.user(user), _user_fields(links, user), sorted(user.attributes.items()))


def pending_user12(links: Links, user: User) -> Entity12:
    """1.2 Query Registration / List Registrations (entities=true)."""
    fields = _user_fields(links, user)
    for invitation in links.model.role_invitations.find("user", user.id):
        fields.append(("roleinvitation", links.role_invitation(invitation)))
    return Entity12("pendingUser", links.pending_user(user), fields, sorted(user.attributes.items()))


def role12(links: Links, role: Role) -> Entity12:
    fields = [
        ("name", role.name),
        ("entityName", role.entity_name),
        ("organization", links.by_id("organization", role.organization_id)),
    ]
    fields.extend(("memberOf", links.by_id("role", parent)) for parent in role.member_of)
    return Entity12("role", links.role(role), fields)


def mandate12(links: Links, mandate: Mandate) -> Entity12:
    fields = [
        ("uniqueId", mandate.id),
        ("name", mandate.name),
        ("type", mandate.type),
        ("mandater", links.by_id(mandate.mandater_kind, mandate.mandater_id)),
        ("mandatee", links.by_id(mandate.mandatee_kind, mandate.mandatee_id)),
        ("role", links.by_id("role", mandate.role_id)),
    ]
    _optional(fields, "assigneeEmail", mandate.assignee_email)
    return Entity12("mandate", links.mandate(mandate), fields)


def mandate_template12(links: Links, template: MandateTemplate) -> Entity12:
    fields = [
        ("uniqueId", template.id),
        ("name", template.name),
        ("type", template.type),
        ("role", links.by_id("role", template.role_id)),
    ]
    _optional(fields, "description", template.description)
    return Entity12("mandatetemplate", links.mandate_template(template), fields)


def role_invitation12(links: Links, invitation: RoleInvitation) -> Entity12:
    fields = [
        ("uniqueId", invitation.id),
        ("role", links.by_id("role", invitation.role_id)),
        ("user", links.by_id("user", invitation.user_id)),
        ("organization", links.by_id("organization", invitation.organization_id)),
    ]
    _optional(fields, "email", invitation.email)
    return Entity12("roleinvitation", links.role_invitation(invitation), fields)
