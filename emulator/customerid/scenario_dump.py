"""The CustomerID state as a ``customerid:`` scenario section (GET /__emulator/state),
the inverse of scenario_load.py: loading the section rebuilds exactly this state."""

from __future__ import annotations

from datetime import UTC, datetime

from .models import CustomerIdModel, CustomerIdSettings
from .sso.scenario import dump_sso
from .statuses import BY_CODE


def dump_section(store, settings: CustomerIdSettings, keys: dict[tuple[str, str], str]) -> dict:
    """The whole CustomerID state as a ``customerid:`` scenario section that
    loads back into exactly this state (GET /__emulator/state). Entities keep
    their scenario keys where they have one, their id otherwise."""
    model = CustomerIdModel(store, settings, lambda: "")
    names = {(kind, entity_id): key for (kind, key), entity_id in keys.items()}

    def key(kind: str, entity_id: str) -> str:
        return names.get((kind, entity_id), entity_id)

    def attributes(values) -> dict:
        return {name: list(value) for name, value in sorted(values.items())}

    def cleaned(entry: dict) -> dict:
        return {name: value for name, value in entry.items() if value is not None and value != {} and value != []}

    section: dict = {
        "settings": {
            "credentials": [{"username": user, "password": password} for user, password in settings.credentials],
            "userAttributes": sorted(settings.user_attributes),
            "organizationAttributes": sorted(settings.organization_attributes),
            "organizationTypes": {name: list(roles) for name, roles in settings.organization_types.items()},
            "defaultOrganizationType": settings.default_organization_type,
            "defaultVirtualOrganizationType": settings.default_virtual_organization_type,
            "rolesRecursion": settings.roles_recursion,
            "passwordAuthentication": settings.password_authentication,
            "lockDurationSeconds": settings.lock_duration_seconds,
            "maxFailedLogins": settings.max_failed_logins,
        },
        "sso": dump_sso(settings.sso),
    }
    section["organizations"] = {
        key("organization", o.id): cleaned(
            {
                "id": o.id,
                "technicalName": o.technical_name,
                "friendlyName": o.friendly_name,
                "parent": key("organization", o.parent_id) if o.parent_id else None,
                "virtual": o.virtual,
                "type": o.organization_type,
                "attributes": attributes(o.attributes),
                "memberships": list(o.memberships),
                "created": o.created or None,
            }
        )
        for o in sorted(model.organizations, key=lambda o: o.entity_name.casefold())
    }

    def depth(role, seen=()) -> int:  # roles come after the roles they are members of
        parents = [model.roles.get(parent) for parent in role.member_of if parent not in seen]
        return 1 + max((depth(parent, (*seen, role.id)) for parent in parents if parent), default=0)

    section["roles"] = {
        key("role", r.id): cleaned(
            {
                "id": r.id,
                "organization": key("organization", r.organization_id),
                "name": r.name,
                "memberOf": [key("role", parent) for parent in r.member_of],
            }
        )
        for r in sorted(model.roles, key=lambda r: (depth(r), r.entity_name.casefold()))
    }

    def locked_at(user_id: str) -> str | None:
        lock = model.locks.get(user_id)
        if lock is None:
            return None
        started = datetime.fromtimestamp(lock.until - settings.lock_duration_seconds, UTC)
        return started.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    section["users"] = {
        key("user", u.id): cleaned(
            {
                "id": u.id,
                "cn": u.cn,
                "organization": key("organization", u.organization_id),
                "status": BY_CODE[u.status].name,
                "login": u.login,
                "email": u.email,
                "firstname": u.firstname,
                "surname": u.surname,
                "mobile": u.mobile,
                "ssn": u.ssn,
                "locale": u.locale,
                "password": u.password,
                "passwordEnabled": u.password_enabled,
                "mustChangePassword": u.must_change_password or None,
                "repository": u.repository,
                "invitedBy": u.invited_by,
                "attributes": attributes(u.attributes),
                "roles": sorted(key("role", a.role_id) for a in model.role_assignments.find("user", u.id)),
                "created": u.created or None,
                "lockedAt": locked_at(u.id),
            }
        )
        for u in sorted(model.users, key=lambda u: key("user", u.id))
    }
    section["mandates"] = {
        key("mandate", m.id): cleaned(
            {
                "id": m.id,
                "type": m.type,
                "mandater": key(m.mandater_kind, m.mandater_id),
                "mandatee": key(m.mandatee_kind, m.mandatee_id),
                "role": key("role", m.role_id),
                "name": m.name,
                "assigneeEmail": m.assignee_email,
                "created": m.created or None,
            }
        )
        for m in sorted(model.mandates, key=lambda m: key("mandate", m.id))
    }
    section["delegations"] = {
        key("delegation", d.id): cleaned(
            {
                "id": d.id,
                "mandate": key("mandate", d.mandate_id),
                "role": key("role", d.role_id) if d.role_id else None,
                "to": key("user", d.delegate_user_id),
                "by": key("user", d.mandater_user_id),
                "created": d.created or None,
            }
        )
        for d in sorted(model.delegations, key=lambda d: key("delegation", d.id))
    }
    section["roleInvitations"] = {
        key("roleInvitation", i.id): cleaned(
            {
                "id": i.id,
                "role": key("role", i.role_id),
                "user": key("user", i.user_id),
                "organization": key("organization", i.organization_id),
                "email": i.email,
                "created": i.created or None,
            }
        )
        for i in sorted(model.role_invitations, key=lambda i: key("roleInvitation", i.id))
    }
    return {name: value for name, value in section.items() if value}
