"""What every CustomerID rule module shares: the collections and lookups by id."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from ...store.core import Collection, Store
from ...store.ids import random_uuid
from ..errors import EntityNotFound, InvalidArguments
from .records import Mandate, MandateTemplate, Organization, Role, User
from .settings import CustomerIdSettings

# Data model page: letters a-z A-Z, Scandinavian letters, digits, space and ,._-
ENTITY_NAME_PART = re.compile(r"^[a-zA-ZäöåÄÖÅ0-9 ,._\-]+$")
UUID_TEXT = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def epoch(iso_time: str) -> int:
    return int(datetime.fromisoformat(iso_time.replace("Z", "+00:00")).timestamp())


def new_id() -> str:
    return random_uuid()


class ModelBase:
    """Holds one world's store; the rule mixins below work on it, never on HTTP."""

    def __init__(
        self,
        store: Store,
        settings: CustomerIdSettings,
        now: Callable[[], str],
        timestamp: Callable[[], float] | None = None,
    ) -> None:
        """``now``: the world's clock as ISO text (what records store); ``timestamp``:
        the same clock in seconds since the epoch (default: ``now`` parsed)."""
        self.store = store
        self.settings = settings
        self.now = now
        self.timestamp = timestamp or (lambda: epoch(now()))
        self.organizations: Collection[Organization] = store["customerid.organizations"]
        self.users: Collection[User] = store["customerid.users"]
        self.roles: Collection[Role] = store["customerid.roles"]
        self.role_assignments = store["customerid.role_assignments"]
        self.mandates: Collection[Mandate] = store["customerid.mandates"]
        self.delegations = store["customerid.delegations"]
        self.role_invitations = store["customerid.role_invitations"]
        self.mandate_templates: Collection[MandateTemplate] = store["customerid.mandate_templates"]
        self.locks = store["customerid.locks"]  # user id -> TimedLock (models/locks.py)

    def _get(self, collection: Collection, kind: str, entity_id: str):
        record = collection.get(entity_id)
        if record is None:
            raise EntityNotFound(f"no {kind} with id {entity_id}")
        return record

    def get_organization(self, organization_id: str) -> Organization:
        return self._get(self.organizations, "organization", organization_id)

    def get_user(self, user_id: str) -> User:
        return self._get(self.users, "user", user_id)

    def get_role(self, role_id: str) -> Role:
        return self._get(self.roles, "role", role_id)

    def get_mandate(self, mandate_id: str) -> Mandate:
        return self._get(self.mandates, "mandate", mandate_id)

    @staticmethod
    def check_entity_name_part(value: str, what: str) -> str:
        if not value or not ENTITY_NAME_PART.match(value):
            raise InvalidArguments(
                f"{what} {value!r} may contain only letters a-z, A-Z, äöåÄÖÅ, digits, space and ,._-"
            )
        return value


def sort_ids(ids) -> list[str]:
    """Collections come back in a stable order (the docs leave it open): by id."""
    return sorted(ids)
