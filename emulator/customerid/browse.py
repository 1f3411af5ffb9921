"""How the record browser (``/__emulator/records``, the dashboard) shows CustomerID:
the kinds under the names the API uses, users counted per status, and searches
that go through the attribute and name indexes (prefix, case-insensitive)."""

from __future__ import annotations

from ..api import RecordKind
from .models.collections import ORGANIZATION_TEXT_FIELDS, USER_TEXT_FIELDS, fold
from .statuses import BY_CODE


def _status_name(code: int) -> str:
    status = BY_CODE.get(code)
    return status.name if status is not None else str(code)


def _prefix_search(scopes: tuple[str, ...]):
    def search(collection, text: str) -> set:
        found: set = set()
        for scope in scopes:
            found |= collection.lookup_prefix("attribute", scope, fold(text))
        return found

    return search


def _entity_name_search(collection, text: str) -> set:
    return set(collection.lookup("entity_name", fold(text)))


def _by_user(collection, text: str) -> set:
    return set(collection.lookup("user", text))


def record_kinds() -> list[RecordKind]:
    return [
        RecordKind(
            "organizations",
            "customerid.organizations",
            ("id", "entity_name", "friendly_name", "organization_type"),
            search=_prefix_search(("id", *ORGANIZATION_TEXT_FIELDS)),
        ),
        RecordKind(
            "users",
            "customerid.users",
            ("id", "login", "email", "firstname", "surname", "statusName"),
            search=_prefix_search(USER_TEXT_FIELDS),
            breakdowns=(("status", "status", _status_name),),
            document=lambda u: {"statusName": _status_name(u.status)},
        ),
        RecordKind("roles", "customerid.roles", ("id", "entity_name", "member_of"), search=_entity_name_search),
        RecordKind("roleAssignments", "customerid.role_assignments", ("id", "user_id", "role_id"), search=_by_user),
        RecordKind("mandates", "customerid.mandates", ("id", "type", "name", "mandater_id", "mandatee_id")),
        RecordKind("delegations", "customerid.delegations", ("id", "mandate_id", "delegate_user_id")),
        RecordKind("mandateTemplates", "customerid.mandate_templates", ("id", "name", "type", "role_id")),
        RecordKind(
            "roleInvitations", "customerid.role_invitations", ("id", "user_id", "role_id", "email"), search=_by_user
        ),
        # the emulator's bookkeeping, which no CustomerID operation answers as such
        RecordKind("locks", "customerid.locks", internal=True),
        RecordKind("ssoTokens", "customerid.sso_tokens", internal=True),
        RecordKind("ssoFailedLogins", "customerid.sso_failed_logins", internal=True),
        RecordKind("sso.authorizationCodes", "customerid.sso.authorization_codes", internal=True),
        RecordKind("sso.sessions", "customerid.sso.sessions", internal=True),
    ]
