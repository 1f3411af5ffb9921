"""How the record browser (``/__emulator/records``, the dashboard) shows CustomerID:
the kinds under the names the API uses, users counted per status, searches that
go through the attribute and name indexes (prefix, case-insensitive), and each
entity as the 2.1 API answers it (GET105, GET107, GET109, GET111, GET116), written
by the API's own renderer. Those answers are XML: 2.1 answers JSON only for PUT123
and PATCH124 (docs/fidelity.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..api import ApiAnswer, RecordKind
from .call import SERVICES_PREFIX
from .entities import delegation_entity, mandate_entity, organization_entity, role_entity, user_entity
from .models.collections import ORGANIZATION_TEXT_FIELDS, USER_TEXT_FIELDS, fold
from .render import XML_CONTENT_TYPE, entity_document
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


BROWSED_VERSION = "2.1"


def _as_answered(operation: str, collection_path: str, entity: Callable[[Any, Any], Any]):
    """A ``document`` hook: what ``GET {collection_path}/{id}`` of 2.1 answers, byte
    for byte (the root's inResponseTo names that path, as the API's does)."""

    def document(model, record) -> list[ApiAnswer]:
        path = f"/{BROWSED_VERSION}{collection_path}/{record.id}"
        body = entity_document(entity(model, record), path, "GET")
        return [
            {
                "operation": operation,
                "request": f"GET {SERVICES_PREFIX}{path}",
                "contentType": XML_CONTENT_TYPE,
                "body": body.decode(),
            }
        ]

    return document


def record_kinds() -> list[RecordKind]:
    return [
        RecordKind(
            "organizations",
            "customerid.organizations",
            ("id", "entity_name", "friendly_name", "organization_type"),
            search=_prefix_search(("id", *ORGANIZATION_TEXT_FIELDS)),
            document=_as_answered(
                "GET107", "/organizations", lambda _, organization: organization_entity(organization)
            ),
        ),
        RecordKind(
            "users",
            "customerid.users",
            ("id", "login", "email", "firstname", "surname", "statusName"),
            search=_prefix_search(USER_TEXT_FIELDS),
            breakdowns=(("status", "status", _status_name),),
            row=lambda user: {"statusName": _status_name(user.status)},
            document=_as_answered("GET105", "/users", user_entity),
        ),
        RecordKind(
            "roles",
            "customerid.roles",
            ("id", "entity_name", "member_of"),
            search=_entity_name_search,
            document=_as_answered("GET109", "/roles", lambda _, role: role_entity(role)),
        ),
        RecordKind("roleAssignments", "customerid.role_assignments", ("id", "user_id", "role_id"), search=_by_user),
        RecordKind(
            "mandates",
            "customerid.mandates",
            ("id", "type", "name", "mandater_id", "mandatee_id"),
            document=_as_answered("GET111", "/mandates", mandate_entity),
        ),
        RecordKind(
            "delegations",
            "customerid.delegations",
            ("id", "mandate_id", "delegate_user_id"),
            document=_as_answered("GET116", "/delegations", lambda _, delegation: delegation_entity(delegation)),
        ),
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
