"""Loading the ``customerid:`` section of a scenario into the model.

Entities go through the same model rules as API calls (a virtual parent is refused
here as it is over HTTP), so a scenario cannot build a state the real system
could not reach. Model errors become ScenarioErrors that name the entity's path.
The way back, the state as a section, is scenario_dump.py.
"""

from __future__ import annotations

import dataclasses

from ..world.scenarios import ScenarioContext
from .errors import CustomerIdError
from .models import CustomerIdModel, CustomerIdSettings
from .models.base import epoch
from .sso.scenario import merged_sso
from .statuses import LOCKED, parse_status

SECTION = "customerid"


def _values(value) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _attributes(mapping: dict | None) -> dict[str, tuple[str, ...]]:
    return {name: _values(value) for name, value in (mapping or {}).items()}


def merged_settings(current: CustomerIdSettings, section: dict) -> CustomerIdSettings:
    given = section.get("settings") or {}
    changes: dict = {}
    if "credentials" in given:
        changes["credentials"] = tuple((c["username"], c["password"]) for c in given["credentials"])
    # Attributes that scenario entities carry are configured too: a scenario that
    # uses an attribute surely means the system to know it.
    user_attributes = (
        set(given.get("userAttributes", ()))
        | {name for user in (section.get("users") or {}).values() for name in (user.get("attributes") or {})}
        | {name for batch in section.get("generate") or () for name in batch.get("attributes") or {}}
    )
    organization_attributes = set(given.get("organizationAttributes", ())) | {
        name
        for organization in (section.get("organizations") or {}).values()
        for name in (organization.get("attributes") or {})
    }
    changes["user_attributes"] = current.user_attributes | user_attributes
    changes["organization_attributes"] = current.organization_attributes | organization_attributes
    if "organizationTypes" in given:
        changes["organization_types"] = {
            **current.organization_types,
            **{name: tuple(roles) for name, roles in given["organizationTypes"].items()},
        }
    for key, field_name in (
        ("defaultOrganizationType", "default_organization_type"),
        ("defaultVirtualOrganizationType", "default_virtual_organization_type"),
        ("rolesRecursion", "roles_recursion"),
        ("passwordAuthentication", "password_authentication"),
        ("lockDurationSeconds", "lock_duration_seconds"),
        ("maxFailedLogins", "max_failed_logins"),
    ):
        if key in given:
            changes[field_name] = given[key]
    if "sso" in section:
        changes["sso"] = merged_sso(current.sso, section["sso"])
    return dataclasses.replace(current, **changes)


def load_section(section: dict, context: ScenarioContext) -> None:
    try:
        settings = merged_settings(context.settings[SECTION], section)
    except ValueError as error:  # an SSO signing key that is not an RSA private key, a client's secret
        raise context.error((SECTION, "sso", *getattr(error, "path", ("signingKey",))), str(error)) from None
    context.settings[SECTION] = settings
    model = CustomerIdModel(context.store, settings, context.clock.iso)
    loader = _SectionLoader(model, context)
    loader.organizations(section.get("organizations") or {})
    loader.roles(section.get("roles") or {})
    loader.users(section.get("users") or {})
    loader.generated_users(section.get("generate") or [])
    loader.mandates(section.get("mandates") or {})
    loader.delegations(section.get("delegations") or {})
    loader.role_invitations(section.get("roleInvitations") or {})


class _SectionLoader:
    def __init__(self, model: CustomerIdModel, context: ScenarioContext) -> None:
        self.model = model
        self.context = context
        self._shared_attributes: dict[tuple, dict] = {}

    def _path(self, *parts):
        return (SECTION, *parts)

    def _apply(self, path, action):
        try:
            return action()
        except CustomerIdError as error:
            raise self.context.error(path, error.message) from None

    def _id(self, kind: str, key: str, given: str | None) -> str:
        return given or self.context.stable_id(f"customerid.{kind}", key)

    def organizations(self, entries: dict) -> None:
        pending = dict(entries)
        # Parents first, whatever order the file lists them in.
        while pending:
            ready = [
                key
                for key, entry in pending.items()
                if not entry.get("parent") or ("organization", entry["parent"]) in self.context.keys
            ]
            if not ready:
                key = next(iter(pending))
                raise self.context.error(
                    self._path("organizations", key, "parent"),
                    f"no organization with key {pending[key]['parent']!r} (or a cycle)",
                )
            for key in ready:
                entry = pending.pop(key)
                path = self._path("organizations", key)
                parent_id = self.context.keys.get(("organization", entry["parent"])) if entry.get("parent") else None
                organization = self._apply(
                    path,
                    lambda: self.model.create_organization(
                        organization_id=self._id("organization", key, entry.get("id")),
                        technical_name=entry.get("technicalName", key),
                        friendly_name=entry.get("friendlyName"),
                        parent_id=parent_id,
                        virtual=entry.get("virtual", False),
                        organization_type=entry.get("type"),
                        attributes=_attributes(entry.get("attributes")),
                    ),
                )
                if entry.get("memberships") or entry.get("created"):
                    organization = dataclasses.replace(
                        organization,
                        memberships=tuple(entry.get("memberships") or ()),
                        created=entry.get("created") or organization.created,
                    )
                    self.model.organizations.put(organization.id, organization)
                self.context.bind("organization", key, organization.id, path)

    def roles(self, entries: dict) -> None:
        for key, entry in entries.items():
            path = self._path("roles", key)
            organization_id = self.context.ref("organization", entry["organization"], (*path, "organization"))
            name = entry.get("name", key)
            organization = self.model.get_organization(organization_id)
            existing = self.model.roles.lookup("entity_name", f"{organization.entity_name}/{name}".casefold())
            if existing and not entry.get("memberOf"):
                # The organization type already created it (e.g. OrganizationMainUser).
                role_id = next(iter(existing))
                if entry.get("id") and entry["id"] != role_id:
                    role_id = self._give_type_role_id(role_id, entry["id"], path)
                self.context.bind("role", key, role_id, path)
                continue
            member_of = tuple(
                self.context.ref("role", parent, (*path, "memberOf", index))
                for index, parent in enumerate(entry.get("memberOf") or ())
            )
            role = self._apply(
                path,
                lambda: self.model.create_role(
                    organization_id, name, member_of=member_of, role_id=self._id("role", key, entry.get("id"))
                ),
            )
            self.context.bind("role", key, role.id, path)

    def _give_type_role_id(self, role_id: str, wanted: str, path) -> str:
        """A dumped state names the id its organization-type role had; a role the
        type just created (nothing refers to it yet) takes that id."""
        model = self.model
        if (
            wanted in model.roles
            or model.role_assignments.lookup("role", role_id)
            or model.roles.lookup("member_of", role_id)
            or model.mandates.lookup("role", role_id)
            or model.role_invitations.lookup("role", role_id)
        ):
            raise self.context.error(
                path, f"role {model.get_role(role_id).entity_name} already exists with id {role_id}"
            )
        role = model.get_role(role_id)
        model.roles.delete(role_id)
        model.roles.put(wanted, dataclasses.replace(role, id=wanted))
        return wanted

    def users(self, entries: dict) -> None:
        for key, entry in entries.items():
            self._user(
                key,
                entry,
                self._path("users", key),
                self._id("user", key, entry.get("id")),
                entry.get("cn") or self.context.stable_id("customerid.user.cn", key),
            )

    def _user(self, key: str, entry: dict, path, user_id: str, cn: str) -> None:
        organization_id = self.context.ref("organization", entry["organization"], (*path, "organization"))
        try:
            status = parse_status(str(entry.get("status", "Enabled")))
        except CustomerIdError as error:
            raise self.context.error((*path, "status"), error.message) from None
        user = self.model.new_user(
            organization_id,
            status.code,
            id=user_id,
            cn=cn,
            login=entry.get("login"),
            email=entry.get("email"),
            firstname=entry.get("firstname"),
            surname=entry.get("surname"),
            mobile=entry.get("mobile"),
            ssn=entry.get("ssn"),
            locale=entry.get("locale"),
            password=entry.get("password"),
            password_enabled=entry.get("passwordEnabled", True),
            repository=entry.get("repository", "ubilogin"),
            invited_by=entry.get("invitedBy"),
            attributes=self._attributes(entry.get("attributes")),
            must_change_password=entry.get("mustChangePassword", False),
            created=entry.get("created") or self.context.clock.iso(),
        )
        if user.id in self.model.users:
            raise self.context.error(path, f"user id {user.id} is used twice")
        self._apply(path, lambda: self.model.add_user(user))
        self.context.bind("user", key, user.id, path)
        if entry.get("lockedAt"):
            if status != LOCKED:
                raise self.context.error((*path, "lockedAt"), "only a Locked user has a lock time")
            try:
                epoch(entry["lockedAt"])
            except ValueError:
                raise self.context.error((*path, "lockedAt"), "not an ISO 8601 time") from None
            self.model.start_lock_timer(user.id, entry["lockedAt"])
        for index, role_key in enumerate(entry.get("roles") or ()):
            role_id = self.context.ref("role", role_key, (*path, "roles", index))
            self._apply(path, lambda: self.model.assign_role(user.id, role_id))

    def _attributes(self, mapping: dict | None) -> dict[str, tuple[str, ...]]:
        """Records never change their attribute mappings (they are replaced), so
        users with the same attributes share one mapping: generated users draw
        them from a few values, and a dict per user would cost 200-300 bytes each."""
        attributes = _attributes(mapping)
        try:
            key = tuple(attributes.items())
            return self._shared_attributes.setdefault(key, attributes)
        except TypeError:  # unhashable values: nothing to share
            return attributes

    def generated_users(self, batches: list) -> None:
        for batch_index, batch in enumerate(batches):
            path = self._path("generate", batch_index)
            locales = batch.get("locales") or ["fi_FI", "en_US"]
            faker = self.context.faker(locales, (*path, "locales"), self.context.seed * 1000 + batch_index)
            rng = self.context.random
            statuses = self._status_plan(batch, path)
            attribute_pools = batch.get("attributes") or {}
            prefix = batch.get("keyPrefix") or f"{batch['organization']}-user-"
            # Faker costs ~70 us a name: draw pools once, combine them reproducibly.
            pool_size = min(batch["users"], 500)
            created = self.context.clock.iso()  # one load, one moment: one string shared by the batch
            firstnames = [faker.first_name() for _ in range(pool_size)]
            surnames = [faker.last_name() for _ in range(pool_size)]
            for number in range(1, batch["users"] + 1):
                firstname, surname = rng.choice(firstnames), rng.choice(surnames)
                login = f"{firstname}.{surname}.{number}".lower().replace(" ", "")
                entry = {
                    "organization": batch["organization"],
                    "status": statuses[number - 1],
                    "firstname": firstname,
                    "surname": surname,
                    "login": login,
                    "email": f"{login}@example.org",
                    "mobile": f"+35840{rng.randrange(10**7):07d}",
                    "locale": rng.choice(["fi", "sv", "en"]),
                    "attributes": {name: [rng.choice(pool)] for name, pool in attribute_pools.items()},
                    "roles": batch.get("roles") or [],
                    "created": created,
                }
                self._user(
                    f"{prefix}{number}",
                    entry,
                    (*path, f"user {number}"),
                    self.context.generated_id(),
                    self.context.generated_id(),
                )

    def _status_plan(self, batch: dict, path) -> list[str]:
        """Exactly the requested shares (rounded), shuffled reproducibly."""
        shares = batch.get("statuses") or {"Enabled": 100}
        for name in shares:
            try:
                parse_status(str(name))
            except CustomerIdError as error:
                raise self.context.error((*path, "statuses", name), error.message) from None
        total = sum(shares.values()) or 1
        count = batch["users"]
        plan: list[str] = []
        for name, share in shares.items():
            plan.extend([str(name)] * round(count * share / total))
        first = next(iter(shares))
        plan = (plan + [str(first)] * count)[:count]
        self.context.random.shuffle(plan)
        return plan

    def mandates(self, entries: dict) -> None:
        for key, entry in entries.items():
            path = self._path("mandates", key)
            mandater_kind, mandatee_kind = (
                "organization" if entry["type"].startswith("Org") else "user",
                "organization" if entry["type"].endswith("Org") else "user",
            )
            mandate = self._apply(
                path,
                lambda: self.model.create_mandate(
                    mandate_type=entry["type"],
                    mandater_id=self.context.ref(mandater_kind, entry["mandater"], (*path, "mandater")),
                    mandatee_id=self.context.ref(mandatee_kind, entry["mandatee"], (*path, "mandatee")),
                    role_id=self.context.ref("role", entry["role"], (*path, "role")),
                    name=entry.get("name"),
                    assignee_email=entry.get("assigneeEmail"),
                    mandate_id=self._id("mandate", key, entry.get("id")),
                ),
            )
            self._keep_created(self.model.mandates, mandate, entry)
            self.context.bind("mandate", key, mandate.id, path)

    def delegations(self, entries: dict) -> None:
        for key, entry in entries.items():
            path = self._path("delegations", key)
            role_id = self.context.ref("role", entry["role"], (*path, "role")) if entry.get("role") else None
            delegation = self._apply(
                path,
                lambda: self.model.delegate(
                    mandate_id=self.context.ref("mandate", entry["mandate"], (*path, "mandate")),
                    delegate_user_id=self.context.ref("user", entry["to"], (*path, "to")),
                    mandater_user_id=self.context.ref("user", entry["by"], (*path, "by")),
                    role_id=role_id,
                    delegation_id=self._id("delegation", key, entry.get("id")),
                ),
            )
            self._keep_created(self.model.delegations, delegation, entry)
            self.context.bind("delegation", key, delegation.id, path)

    def role_invitations(self, entries: dict) -> None:
        for key, entry in entries.items():
            path = self._path("roleInvitations", key)
            organization_id = (
                self.context.ref("organization", entry["organization"], (*path, "organization"))
                if entry.get("organization")
                else None
            )
            invitation = self._apply(
                path,
                lambda: self.model.create_role_invitation(
                    role_id=self.context.ref("role", entry["role"], (*path, "role")),
                    user_id=self.context.ref("user", entry["user"], (*path, "user")),
                    organization_id=organization_id,
                    email=entry.get("email"),
                    invitation_id=self._id("roleinvitation", key, entry.get("id")),
                ),
            )
            self._keep_created(self.model.role_invitations, invitation, entry)
            self.context.bind("roleInvitation", key, invitation.id, path)

    @staticmethod
    def _keep_created(collection, record, entry: dict) -> None:
        if entry.get("created"):
            collection.put(record.id, dataclasses.replace(record, created=entry["created"]))


def summary_counts(model_store) -> dict[str, int]:
    users = model_store["customerid.users"]
    return {
        "organizations": len(model_store["customerid.organizations"]),
        "users": len(users),
        "roles": len(model_store["customerid.roles"]),
        "roleAssignments": len(model_store["customerid.role_assignments"]),
        "mandates": len(model_store["customerid.mandates"]),
        "delegations": len(model_store["customerid.delegations"]),
        "roleInvitations": len(model_store["customerid.role_invitations"]),
    }
