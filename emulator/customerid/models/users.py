"""Users: statuses and their rules, updates, searches, deletion with cascade."""

from __future__ import annotations

import dataclasses
import heapq
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import cast

from ..errors import AlreadyExists, EntityNotFound, InvalidArguments
from ..statuses import BY_CODE, DISABLED, ENABLED, LOCKED, SETTABLE, WAITING_FOR_REGISTRATION, UserStatus, parse_status
from .base import ModelBase, new_id, sort_ids
from .collections import USER_TEXT_FIELDS
from .records import User
from .search import AttributeFilter, intersect, text_matches

# Attributes of the GET105 document a search may name besides the indexed text fields.
USER_DERIVED_FILTERS = ("status", "organization", "organizationEntityName", "organizationId")
USER_UPDATABLE_FIELDS = ("login", "email", "firstname", "surname", "mobile", "ssn", "locale")


@dataclass
class UserChanges:
    """One Update User request (PUT103, PATCH124, MOD004b), already parsed.

    ``fields``: built-in field -> new value ("" removes it); ``attributes``: custom
    attribute -> values (empty tuple removes it); absent keys stay unchanged.
    """

    fields: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    status: str | None = None
    password: str | None = None
    password_enabled: bool | None = None
    remove_roles: bool = False  # MOD004b roles.remove
    remove_mandates: bool = False  # MOD004b mandates.remove


class UserRules(ModelBase):
    # -- reads ---------------------------------------------------------------------
    def user_filter_names(self) -> set[str]:
        return set(USER_TEXT_FIELDS) | set(USER_DERIVED_FILTERS) | set(self.settings.user_attributes)

    def list_users(
        self,
        filters: list[AttributeFilter],
        *,
        exact: bool = False,
        max_results: int = 0,
        organization_id: str | None = None,
        recursive: bool = False,
    ) -> list[str]:
        """GET104 (all users) and GET113 (an organization's users, ``recursive``)."""
        candidate_sets: list[set] = []
        if organization_id is not None:
            organizations = (
                self.subtree(organization_id)  # type: ignore[attr-defined]  # OrganizationRules, beside this mixin
                if recursive
                else [self.get_organization(organization_id)]
            )
            candidate_sets.append(self._users_of(organization.id for organization in organizations))
        for attribute_filter in filters:
            candidate_sets.append(self._user_matches(attribute_filter, exact))
        if max_results > 0 and self._walk_pays(candidate_sets, max_results):
            return self._first_ids(candidate_sets, max_results)
        ids: Collection[str]
        if len(candidate_sets) > 1:
            ids = intersect(candidate_sets)
        else:  # one index answer (or every user): read, never copied (the store's ids are sized)
            ids = candidate_sets[0] if candidate_sets else cast("Collection[str]", self.users.ids())
        if 0 < max_results < len(ids):
            return heapq.nsmallest(max_results, ids)  # the first N in sort_ids order, without sorting them all
        return sort_ids(ids)

    def _walk_pays(self, candidate_sets: list[set], max_results: int) -> bool:
        """Walking every user in id order until ``max_results`` match takes about
        N * users / matches steps; selecting from the matches takes one step each.
        The walk needs ids in sort_ids order, which the folded id keys are while
        every id is lower case."""
        if self.users.lookup("unfolded_id", True):
            return False
        smallest = min((len(ids) for ids in candidate_sets), default=len(self.users))
        return max_results * len(self.users) < smallest * smallest // 4

    def _first_ids(self, candidate_sets: list[set], max_results: int) -> list[str]:
        found: list[str] = []
        for ids in self.users.ordered_buckets("attribute", "id"):
            for user_id in sorted(ids):
                if all(user_id in candidates for candidates in candidate_sets):
                    found.append(user_id)
            if len(found) >= max_results:
                return found[:max_results]
        return found

    def _users_of(self, organization_ids) -> set:
        result: set = set()
        for organization_id in organization_ids:
            result |= self.users.lookup("organization", organization_id)
        return result

    def _user_matches(self, attribute_filter: AttributeFilter, exact: bool) -> set:
        name, value = attribute_filter.name, attribute_filter.value
        if name == "status":
            return self.users.lookup("status", parse_status(value).code)
        if name == "organizationId":
            # Case ignored, a prefix unless exactMatch=true, as every other filter (docs/fidelity.md).
            return self._users_of(text_matches(self.organizations, "id", value, exact))
        if name in ("organization", "organizationEntityName"):
            index_name = "friendlyName" if name == "organization" else "entityName"
            organization_ids = text_matches(self.organizations, index_name, value, exact)
            return self._users_of(organization_ids)
        return text_matches(self.users, name, value, exact)

    def user_roles(self, user_id: str) -> list[str]:
        """GET117: the roles the user is a member of; with rest.roles.recursion
        (default true) also the roles those roles are members of."""
        self.get_user(user_id)
        direct = {assignment.role_id for assignment in self.role_assignments.find("user", user_id)}
        if not self.settings.roles_recursion:
            return sort_ids(direct)
        seen = set(direct)
        pending = list(direct)
        while pending:
            role = self.roles.get(pending.pop())
            for parent_role_id in role.member_of if role else ():
                if parent_role_id not in seen:
                    seen.add(parent_role_id)
                    pending.append(parent_role_id)
        return sort_ids(seen)

    # -- writes --------------------------------------------------------------------
    def update_user(self, user_id: str, changes: UserChanges) -> User:
        """PUT103 / PATCH124 (2.1), Update User (2.0), MOD004b (1.0).
        Every change is validated before anything is written."""
        user = self.get_user(user_id)
        updates: dict = {}
        for name, value in changes.fields.items():
            if name not in USER_UPDATABLE_FIELDS:
                raise InvalidArguments(f"unknown user attribute {name!r}")
            updates[name] = value or None
        if updates.get("login"):
            self._check_login_free(user, updates["login"])
        if changes.attributes:
            merged = dict(user.attributes)
            for name, values in changes.attributes.items():
                if name not in self.settings.user_attributes:
                    raise InvalidArguments(f"user attribute {name!r} is not configured (data.user.fields)")
                values = tuple(v for v in values if v != "")
                if values:
                    merged[name] = values
                else:
                    merged.pop(name, None)
            updates["attributes"] = merged
        if changes.status is not None:
            updates["status"] = self._checked_status_change(user, parse_status(changes.status)).code
        if changes.password is not None:
            if changes.password:
                updates["password"] = changes.password
            else:
                # MOD004b: "an empty password disables the password method"
                updates["password"] = None
                updates["password_enabled"] = False
        if changes.password_enabled is not None:
            updates["password_enabled"] = changes.password_enabled
        updated = dataclasses.replace(user, **updates)
        with self.store.transaction():
            self.users.put(updated.id, updated)
            if changes.remove_roles:
                self.remove_user_roles(updated)  # type: ignore[attr-defined]
            if changes.remove_mandates:
                self._delete_user_mandates(updated)
        return updated

    def create_user(self, organization_id: str, changes: UserChanges, *, cn: str | None = None) -> User:
        """MOD009 Create User (a random unique name) and MOD004b with create=true (the
        name from the URL), 1.0. As the 1.0 page warns, the organization is *not*
        checked to be non-virtual: a user can be put in a virtual organization."""
        organization = self.get_organization(organization_id)
        cn = self.check_entity_name_part(cn, "user name") if cn is not None else new_id()
        if any(other.cn == cn for other in self.users.find("organization", organization.id)):
            raise AlreadyExists(f"user {organization.entity_name}/{cn} already exists")
        user = self.new_user(organization.id, ENABLED.code, cn=cn, created=self.now())
        with self.store.transaction():
            self.users.put(user.id, user)
            return self.update_user(user.id, changes)

    def user_entity_name(self, user: User) -> str:
        """1.x: a user is ORG[/SUB…]/NAME, NAME being the repository name (cn)."""
        organization = self.organizations.get(user.organization_id)
        return f"{organization.entity_name}/{user.cn}" if organization else user.cn

    def user_by_entity_name(self, entity_name: str) -> User:
        """1.0 ``user/ORG/NAME`` (case-sensitive, as entity URLs are)."""
        organization_name, _, cn = entity_name.strip("/").rpartition("/")
        if not organization_name:
            raise EntityNotFound(f"no user {entity_name}")
        organization = self.organization_by_entity_name(  # type: ignore[attr-defined]
            organization_name, case_sensitive=True
        )
        for user_id in sort_ids(text_matches(self.users, "cn", cn, exact=True)):
            user = self.get_user(user_id)
            if user.cn == cn and user.organization_id == organization.id:
                return user
        raise EntityNotFound(f"no user {entity_name}")

    def find_user(self, attribute: str, value: str) -> User:
        """1.0 Query User by ``uniqueId`` (the id), ``ssn``, ``login`` or ``email``:
        exactly one user must match."""
        if attribute == "id":
            return self.get_user(value)
        matches = sort_ids(text_matches(self.users, attribute, value, exact=True))
        if not matches:
            raise EntityNotFound(f"no user with {attribute} {value!r}")
        if len(matches) > 1:
            raise InvalidArguments(f"{len(matches)} users have {attribute} {value!r}")
        return self.get_user(matches[0])

    def update_organization_users(self, organization_id: str, action: str) -> list[User]:
        """1.0 Update Users: ``enable``, ``disable`` or ``delete`` every user of one
        organization (not its sub-organizations). Users Waiting for registration are
        left as they are by enable (they must register). Returns the users changed."""
        organization = self.get_organization(organization_id)
        users = sorted(self.users.find("organization", organization.id), key=lambda user: user.cn)
        changed = []
        with self.store.transaction():
            for user in users:
                if action == "delete":
                    self._delete_user_records(user)
                    changed.append(user)
                    continue
                target = ENABLED if action == "enable" else DISABLED
                if user.status == target.code or (target is ENABLED and user.status == WAITING_FOR_REGISTRATION.code):
                    continue
                updated = dataclasses.replace(user, status=target.code)
                self.users.put(updated.id, updated)
                changed.append(updated)
        return changed

    def _check_login_free(self, user: User, login: str) -> None:
        """A login name identifies one user at authentication: another user's login
        (ignoring case, as the directory does) is refused (docs/fidelity.md)."""
        holders = text_matches(self.users, "login", login, exact=True)
        if any(holder != user.id for holder in holders):
            raise AlreadyExists(f"login {login!r} is already used by another user")

    def _checked_status_change(self, user: User, target: UserStatus) -> UserStatus:
        if target not in SETTABLE:
            raise InvalidArguments(f"status may be set to Enabled or Disabled only, not {target.name}")
        if target is ENABLED and user.status == WAITING_FOR_REGISTRATION.code:
            # Our rule: an invited user becomes Enabled by completing registration
            # (POST /__emulator/customerid/users/{id}/register), not by an admin call.
            raise InvalidArguments("user has not completed registration (status Waiting for registration)")
        return target

    def delete_user(self, user_id: str) -> User:
        """DEL102 (2.1), Delete User (2.0), MOD010b (1.0): the user and everything
        pointing at it go: role assignments, invitations, mandates given or
        received, and delegations made, received or resting on those mandates."""
        user = self.get_user(user_id)
        with self.store.transaction():
            self._delete_user_records(user)
        return user

    def _delete_user_records(self, user: User) -> None:
        for assignment in self.role_assignments.find("user", user.id):
            self.role_assignments.delete(assignment.id)
        for invitation in self.role_invitations.find("user", user.id):
            self.role_invitations.delete(invitation.id)
        self._delete_user_mandates(user)
        for index in ("delegate", "mandater_user"):
            for delegation in self.delegations.find(index, user.id):
                self.delegations.delete(delegation.id)
        self.locks.delete(user.id)
        self.users.delete(user.id)

    def _delete_user_mandates(self, user: User) -> None:
        """Mandates the user gave or received, with the delegations resting on them."""
        for mandate in self.mandates.find("mandater", user.id) + self.mandates.find("mandatee", user.id):
            if mandate.id in self.mandates:
                self._delete_mandate_records(mandate)  # type: ignore[attr-defined]

    def reinvite_user(self, user_id: str) -> User:
        """PUT123: only for Waiting for registration, and not for mandate invitations."""
        user = self.get_user(user_id)
        if user.status != WAITING_FOR_REGISTRATION.code:
            raise InvalidArguments(
                f"user status is {BY_CODE[user.status].name}; only users Waiting for registration can be reinvited"
            )
        if user.invited_by == "mandate":
            raise InvalidArguments("reinvite does not support invitations related to mandates")
        if not user.email:
            raise InvalidArguments("user has no email address to send the invitation to")
        return user

    def force_password_change(self, user_id: str) -> User:
        """PUT125: works only for the Ubilogin Directory; Active Directory users get 404."""
        user = self.get_user(user_id)
        if user.repository != "ubilogin":
            raise EntityNotFound(f"user {user_id} is not in the Ubilogin Directory")
        updated = dataclasses.replace(user, must_change_password=True)
        self.users.put(updated.id, updated)
        return updated

    def register_user(self, user_id: str) -> User:
        """The invited person completes registration (control API): Waiting for
        registration becomes Enabled, and every role they were invited to is granted."""
        user = self.get_user(user_id)
        if user.status != WAITING_FOR_REGISTRATION.code:
            raise InvalidArguments(f"user status is {BY_CODE[user.status].name}, not Waiting for registration")
        with self.store.transaction():
            for invitation in self.role_invitations.find("user", user.id):
                self.assign_role(user.id, invitation.role_id)  # type: ignore[attr-defined]
                self.role_invitations.delete(invitation.id)
            updated = dataclasses.replace(user, status=ENABLED.code, invited_by=None)
            self.users.put(updated.id, updated)
        return updated

    def lock_user(self, user_id: str) -> User:
        """The system locks an account (too many failed logins; control API); the lock
        lifts by itself after the scenario's lock duration (models/locks.py)."""
        user = self._system_transition(user_id, ENABLED, LOCKED)
        self.start_lock_timer(user.id)  # type: ignore[attr-defined]
        return user

    def unlock_user(self, user_id: str) -> User:
        """The lock expires or is lifted (control API): Locked becomes Enabled."""
        user = self._system_transition(user_id, LOCKED, ENABLED)
        self.stop_lock_timer(user.id)  # type: ignore[attr-defined]
        return user

    def _system_transition(self, user_id: str, source: UserStatus, target: UserStatus) -> User:
        user = self.get_user(user_id)
        if user.status != source.code:
            raise InvalidArguments(
                f"user status is {BY_CODE[user.status].name}; only {source.name} users "
                f"can become {target.name} this way"
            )
        updated = dataclasses.replace(user, status=target.code)
        self.users.put(updated.id, updated)
        return updated

    def add_user(self, user: User) -> User:
        self.get_organization(user.organization_id)
        self.users.put(user.id, user)
        return user

    @staticmethod
    def new_user(organization_id: str, status: int = ENABLED.code, **values) -> User:
        return User(
            id=values.pop("id", None) or new_id(),
            cn=values.pop("cn", None) or new_id(),
            organization_id=organization_id,
            status=status,
            **values,
        )
