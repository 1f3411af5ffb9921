"""How the record browser (``/__emulator/records``, the dashboard) shows DFS: the
kinds under the API's names, per-tenant breakdowns, and searches through the
text indexes the API's own searches use (word prefix, case-insensitive)."""

from __future__ import annotations

from ..api import RecordKind
from .models.collections import IDENTITY_TEXT, MEMBER_TEXT, fold


def _tenant(tenant_id) -> str:
    return f"tenant {tenant_id}"


def _identity_search(collection, text: str) -> set:
    found: set = set()
    for scope in IDENTITY_TEXT:
        found |= collection.lookup_prefix("text", scope, fold(text))
    return found | set(collection.lookup("username", fold(text)))


def _member_search(collection, text: str) -> set:
    found: set = set()
    for tenant in collection.index_keys("tenant"):
        for scope in MEMBER_TEXT:
            found |= collection.lookup_prefix("text", (tenant, scope), fold(text))
    return found


def _participant_search(collection, text: str) -> set:
    found: set = set()
    for tenant in collection.index_keys("tenant"):
        found |= collection.lookup_prefix("name", tenant, fold(text))
    return found


def _role_search(collection, text: str) -> set:
    found: set = set()
    for tenant in collection.index_keys("tenant"):
        found |= collection.lookup("key", (tenant, fold(text)))
    return found


def _tenant_search(collection, text: str) -> set:
    return set(collection.lookup("key", fold(text))) | set(collection.lookup("uid", text.lower()))


BY_TENANT = (("tenant", "tenant", _tenant),)


def record_kinds() -> list[RecordKind]:
    return [
        RecordKind("tenants", "dfs.tenants", ("id", "key", "uid", "name"), search=_tenant_search),
        RecordKind(
            "identities",
            "dfs.identities",
            ("id", "username", "first_name", "last_name", "email"),
            search=_identity_search,
        ),
        RecordKind(
            "tenantAccess", "dfs.access", ("identity_id", "tenant_id", "role_id", "enabled"), breakdowns=BY_TENANT
        ),
        RecordKind(
            "members",
            "dfs.members",
            ("id", "tenant_id", "first_name", "last_name", "email"),
            search=_member_search,
            breakdowns=BY_TENANT,
        ),
        RecordKind(
            "roles",
            "dfs.roles",
            ("id", "tenant_id", "short_name", "role_key", "rank"),
            search=_role_search,
            breakdowns=BY_TENANT,
        ),
        RecordKind(
            "participants",
            "dfs.participants",
            ("id", "tenant_id", "uid", "name", "is_active"),
            search=_participant_search,
            breakdowns=BY_TENANT,
        ),
        RecordKind("accessPolicies", "dfs.access_policies", ("id", "key", "name")),
        RecordKind("permissions", "dfs.permissions", ("id", "uid", "name")),
        RecordKind("clientApps", "dfs.client_apps", ("tenant_id", "app_id", "access_policy_keys")),
        # the emulator's bookkeeping, which no DFS operation answers as such
        RecordKind("auditContexts", "dfs.audit_contexts", internal=True),
        RecordKind("sequences", "dfs.sequences", internal=True),
        RecordKind("revokedTokens", "dfs.revoked_tokens", internal=True),
        RecordKind("longRunning", "dfs.long_running", internal=True),
    ]
