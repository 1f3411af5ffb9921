"""CustomerID entities as immutable records (the store replaces, never mutates).

One set of records serves every API version: 1.0 and 1.2 address them by entity
name, 2.0 and 2.1 by UUID, but it is the same organization, user or mandate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ...store.untracked import acyclic

Attributes = Mapping[str, tuple[str, ...]]  # custom attribute name -> values


@acyclic
@dataclass(frozen=True, slots=True)
class Organization:
    id: str
    technical_name: str
    friendly_name: str
    entity_name: str  # parent's entity name + "/" + technical name
    parent_id: str | None  # None: directly under the root organization
    virtual: bool
    organization_type: str
    attributes: Attributes = field(default_factory=dict)
    memberships: tuple[str, ...] = ()
    created: str = ""


@acyclic
@dataclass(frozen=True, slots=True)
class User:
    id: str
    cn: str  # repository object name; PATCH124 shows it as repoId
    organization_id: str
    status: int
    login: str | None = None
    email: str | None = None
    firstname: str | None = None
    surname: str | None = None
    mobile: str | None = None
    ssn: str | None = None
    locale: str | None = None
    password: str | None = None
    password_enabled: bool = True
    must_change_password: bool = False
    repository: str = "ubilogin"  # "ad": PUT125 answers 404, as the docs say
    invited_by: str | None = None  # "user", "role" or "mandate": how the invitation was made
    attributes: Attributes = field(default_factory=dict)
    created: str = ""

    @property
    def display_name(self) -> str:
        return " ".join(part for part in (self.firstname, self.surname) if part) or (self.login or self.id)


@acyclic
@dataclass(frozen=True, slots=True)
class Role:
    id: str
    name: str
    organization_id: str
    entity_name: str  # organization entity name + "/" + role name
    member_of: tuple[str, ...] = ()  # ids of roles this role is a member of


@acyclic
@dataclass(frozen=True, slots=True)
class RoleAssignment:
    id: str  # f"{user_id}:{role_id}"
    user_id: str
    role_id: str


@acyclic
@dataclass(frozen=True, slots=True)
class Mandate:
    id: str
    type: str  # OrgToPer, OrgToOrg, PerToPer, PerToOrg
    name: str
    mandater_kind: str  # "organization" | "user"
    mandater_id: str
    mandatee_kind: str
    mandatee_id: str
    role_id: str
    assignee_email: str | None = None
    created: str = ""


@acyclic
@dataclass(frozen=True, slots=True)
class Delegation:
    """A mandatee passing a mandate on. ``role_id`` None: the whole mandate
    (GET122); a role: a mandate role delegation (GET115, GET116)."""

    id: str
    mandate_id: str
    role_id: str | None
    delegate_user_id: str  # who receives it: rendered as "mandatee"
    mandater_user_id: str  # who delegated it: "mandateruser"
    mandater_organization_id: str  # on behalf of which organization: "mandaterorganization"
    created: str = ""


@acyclic
@dataclass(frozen=True, slots=True)
class RoleInvitation:
    id: str
    role_id: str
    user_id: str  # the invited user, in status Waiting for registration until registered
    organization_id: str  # the organization the role is granted in
    email: str | None = None
    created: str = ""


@acyclic
@dataclass(frozen=True, slots=True)
class MandateTemplate:
    """A 1.2 mandate template: a named mandate type and role that Assign Mandate
    Template turns into a mandate between a given mandater and mandatee."""

    id: str
    name: str
    type: str  # OrgToPer, OrgToOrg, PerToPer, PerToOrg
    role_id: str
    description: str | None = None
    created: str = ""
