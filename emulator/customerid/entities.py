"""How CustomerID records appear as 2.x entities (GET105, GET107, GET109, GET111,
GET116): attribute names and order follow the documentation's examples."""

from __future__ import annotations

from .models import CustomerIdModel
from .models.records import Delegation, Mandate, Organization, Role, User
from .render import Attribute, Entity, KeptPerObject, RenderedEntity, rendered
from .statuses import BY_CODE

# Each record's rendered <Attribute> body (for a user, with the organization it shows).
_USERS = KeptPerObject()
_ORGANIZATIONS = KeptPerObject()
_ROLES = KeptPerObject()
_MANDATES = KeptPerObject()
_DELEGATIONS = KeptPerObject()

_USER_FIELDS_BEFORE_ORGANIZATION = ("firstname", "surname", "mobile", "cn", "login", "email", "ssn", "locale")


def user_entity(model: CustomerIdModel, user: User) -> RenderedEntity:
    """GET105: every attribute the user has, custom ones after the built-in ones."""
    organization = model.organizations.get(user.organization_id)
    return _USERS.get(user, organization, lambda: rendered(_user_entity(user, organization)))


def _user_entity(user: User, organization: Organization | None) -> Entity:
    attributes = [Attribute("id", (user.id,))]
    for name in _USER_FIELDS_BEFORE_ORGANIZATION:
        value = getattr(user, name)
        if value:
            attributes.append(Attribute(name, (value,)))
    if organization is not None:
        attributes.append(Attribute("organization", (organization.friendly_name,)))
        attributes.append(Attribute("organizationEntityName", (organization.entity_name,)))
    attributes.append(Attribute("organizationId", (user.organization_id,)))
    attributes.append(Attribute("status", (BY_CODE[user.status].name,)))
    attributes.extend(Attribute(name, values) for name, values in sorted(user.attributes.items()))
    return Entity("User", attributes)


def organization_entity(organization: Organization) -> RenderedEntity:
    """GET107: entityName, friendlyName, organizationClass (still the 2.1 name),
    memberships when there are any, then custom attributes."""
    return _ORGANIZATIONS.get(organization, None, lambda: rendered(_organization_entity(organization)))


def _organization_entity(organization: Organization) -> Entity:
    attributes = [
        Attribute("entityName", (organization.entity_name,)),
        Attribute("friendlyName", (organization.friendly_name,)),
        Attribute("organizationClass", (organization.organization_type,)),
    ]
    if organization.memberships:
        attributes.append(Attribute("memberships", organization.memberships))
    attributes.extend(Attribute(name, values) for name, values in sorted(organization.attributes.items()))
    return Entity("Organization", attributes)


def role_entity(role: Role) -> RenderedEntity:
    """GET109."""
    return _ROLES.get(role, None, lambda: rendered(_role_entity(role)))


def _role_entity(role: Role) -> Entity:
    return Entity("Role", [Attribute("name", (role.name,)), Attribute("entityName", (role.entity_name,))])


def mandate_entity(model: CustomerIdModel, mandate: Mandate, expand: bool = False) -> Entity | RenderedEntity:
    """GET111; ``expand`` (entities=true) puts the referenced organization, user and
    role in place of their ids (those are rendered fresh: they show other records)."""
    if not expand:
        return _MANDATES.get(mandate, None, lambda: rendered(_mandate_entity(model, mandate, expand=False)))
    return _mandate_entity(model, mandate, expand=True)


def _mandate_entity(model: CustomerIdModel, mandate: Mandate, expand: bool) -> Entity:
    attributes = [
        Attribute("id", (mandate.id,)),
        Attribute("type", (mandate.type,)),
        Attribute("entityName", (model.mandate_entity_name(mandate),)),
        Attribute("name", (mandate.name,)),
    ]
    if mandate.assignee_email:
        attributes.append(Attribute("assigneeEmail", (mandate.assignee_email,)))
    references = (
        ("mandater", mandate.mandater_kind, mandate.mandater_id),
        ("mandatee", mandate.mandatee_kind, mandate.mandatee_id),
        ("role", "role", mandate.role_id),
    )
    for name, kind, entity_id in references:
        nested = _referenced_entity(model, kind, entity_id) if expand else None
        if nested is not None:
            attributes.append(Attribute(name, type=kind, entities=(nested,)))
        else:
            attributes.append(Attribute(name, (entity_id,), type=kind))
    return Entity("Mandate", attributes)


def _referenced_entity(model: CustomerIdModel, kind: str, entity_id: str) -> RenderedEntity | None:
    if kind == "organization":
        organization = model.organizations.get(entity_id)
        return organization_entity(organization) if organization else None
    if kind == "user":
        user = model.users.get(entity_id)
        return user_entity(model, user) if user else None
    role = model.roles.get(entity_id)
    return role_entity(role) if role else None


def delegation_entity(delegation: Delegation) -> RenderedEntity:
    """GET116."""
    return _DELEGATIONS.get(delegation, None, lambda: rendered(_delegation_entity(delegation)))


def _delegation_entity(delegation: Delegation) -> Entity:
    return Entity(
        "Delegation",
        [
            Attribute("role", (delegation.role_id or "",)),
            Attribute("mandatee", (delegation.delegate_user_id,)),
            Attribute("mandate", (delegation.mandate_id,)),
            Attribute("mandateruser", (delegation.mandater_user_id,)),
            Attribute("mandaterorganization", (delegation.mandater_organization_id,)),
        ],
    )
