"""The CustomerID collections and the indexes their queries use."""

from __future__ import annotations

import operator

from ...store.core import Collection, IndexSpec
from .records import Organization, User

ROOT = ""  # parent key of top-level organizations ("Root organization")

# Built-in user attributes a search may filter on, with the record field behind each.
USER_TEXT_FIELDS = ("id", "cn", "login", "email", "firstname", "surname", "mobile", "ssn", "locale")
ORGANIZATION_TEXT_FIELDS = {
    "entityName": "entity_name",
    "technicalName": "technical_name",
    "friendlyName": "friendly_name",
    "organizationType": "organization_type",
}


def fold(value: str) -> str:
    """Searches are case-insensitive, as LDAP equality and substring rules are.
    A value that is already folded comes back as the same object, so an index
    key shares the record's string instead of holding a copy."""
    folded = value.casefold()
    return value if folded == value else folded


_read_user_text = operator.attrgetter(*USER_TEXT_FIELDS)
_read_organization_text = operator.attrgetter(*ORGANIZATION_TEXT_FIELDS.values())


def _user_attribute_keys(user: User) -> list[tuple[str, str]]:
    keys = [(name, fold(value)) for name, value in zip(USER_TEXT_FIELDS, _read_user_text(user)) if value]
    for name, values in user.attributes.items():
        keys.extend((name, fold(value)) for value in values)
    return keys


def _organization_attribute_keys(organization: Organization) -> list[tuple[str, str]]:
    # The id too: the users' organizationId filter matches it like any other text.
    keys = [("id", fold(organization.id))]
    keys += [
        (name, fold(value))
        for name, value in zip(ORGANIZATION_TEXT_FIELDS, _read_organization_text(organization))
        if value
    ]
    for name, values in organization.attributes.items():
        keys.extend((name, fold(value)) for value in values)
    return keys


def customerid_collections() -> list[Collection]:
    return [
        Collection(
            "customerid.organizations",
            [
                IndexSpec("parent", lambda o: (o.parent_id or ROOT,), fields=("parent_id",)),
                IndexSpec("entity_name", lambda o: (fold(o.entity_name),), fields=("entity_name",)),
                IndexSpec(
                    "attribute",
                    _organization_attribute_keys,
                    ordered=True,
                    fields=(*ORGANIZATION_TEXT_FIELDS.values(), "attributes"),
                ),
            ],
        ),
        Collection(
            "customerid.users",
            [
                IndexSpec("organization", lambda u: (u.organization_id,), fields=("organization_id",)),
                IndexSpec("status", lambda u: (u.status,), fields=("status",)),
                IndexSpec("attribute", _user_attribute_keys, ordered=True, fields=(*USER_TEXT_FIELDS, "attributes")),
                # Only users whose id is not all lower case (none, usually): while there are
                # none, the attribute index's folded "id" keys are in sort_ids order.
                IndexSpec("unfolded_id", lambda u: (True,) if fold(u.id) is not u.id else (), fields=("id",)),
            ],
        ),
        Collection(
            "customerid.roles",
            [
                IndexSpec("organization", lambda r: (r.organization_id,)),
                IndexSpec("entity_name", lambda r: (fold(r.entity_name),)),
                IndexSpec("member_of", lambda r: r.member_of),
            ],
        ),
        Collection(
            "customerid.role_assignments",
            [
                IndexSpec("user", lambda a: (a.user_id,)),
                IndexSpec("role", lambda a: (a.role_id,)),
            ],
        ),
        Collection(
            "customerid.mandates",
            [
                IndexSpec("name", lambda m: (m.name,)),
                IndexSpec("mandater", lambda m: (m.mandater_id,)),
                IndexSpec("mandatee", lambda m: (m.mandatee_id,)),
                IndexSpec("role", lambda m: (m.role_id,)),
            ],
        ),
        Collection(
            "customerid.delegations",
            [
                IndexSpec("delegate", lambda d: (d.delegate_user_id,)),
                IndexSpec("mandate", lambda d: (d.mandate_id,)),
                IndexSpec("role", lambda d: (d.role_id,) if d.role_id else ()),
                IndexSpec("mandater_user", lambda d: (d.mandater_user_id,)),
                IndexSpec("mandater_organization", lambda d: (d.mandater_organization_id,)),
            ],
        ),
        Collection(
            "customerid.mandate_templates",
            [
                IndexSpec("name", lambda t: (t.name,)),
                IndexSpec("role", lambda t: (t.role_id,)),
            ],
        ),
        Collection("customerid.locks"),
        Collection(
            "customerid.role_invitations",
            [
                IndexSpec("user", lambda i: (i.user_id,)),
                IndexSpec("role", lambda i: (i.role_id,)),
                IndexSpec("organization", lambda i: (i.organization_id,)),
            ],
        ),
    ]
