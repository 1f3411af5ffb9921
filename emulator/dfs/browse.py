"""How the record browser (``/__emulator/records``, the dashboard) shows DFS: the
kinds under the API's names, per-tenant breakdowns, and searches through the
text indexes the API's own searches use (word prefix, case-insensitive), and each
record the API serves as its own GET answers it (``get /v1.0/identities/{identityId}``
and the member, role, participant and access-policy GETs), written by render.py.
An answer that depends on the caller's tenant is given once per tenant."""

from __future__ import annotations

from ..api import ApiAnswer, RecordKind
from . import render
from .models import DfsModel
from .models.collections import IDENTITY_TEXT, MEMBER_TEXT, fold
from .models.records import AccessPolicy, Identity, Member, Participant, Role

JSON = "application/json"


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


def _answer(operation: str, path: str, body: object, tenant_key: str | None = None) -> ApiAnswer:
    method, template = operation.split(" ", 1)
    version = template.split("/", 2)[1]
    answer: ApiAnswer = {"operation": operation, "request": f"{method.upper()} /{version}{path}"}
    if tenant_key is not None:
        answer["tenant"] = tenant_key
    answer.update({"contentType": JSON, "body": body})
    return answer


def _tenant_key(model: DfsModel, tenant_id: int) -> str:
    tenant = model.tenants.get(tenant_id)
    return tenant.key if tenant is not None else str(tenant_id)


def _identity_answers(model: DfsModel, identity: Identity) -> list[ApiAnswer]:
    """One answer per tenant the identity has access to (a token names one tenant)."""
    accesses = sorted(model.access.find("identity", identity.id), key=lambda access: access.tenant_id)
    return [
        _answer(
            "get /v1.0/identities/{identityId}",
            f"/identities/{identity.id}",
            render.identity(model, identity, access),
            _tenant_key(model, access.tenant_id),
        )
        for access in accesses
    ]


def _member_answers(model: DfsModel, member: Member) -> list[ApiAnswer]:
    return [
        _answer(
            "get /v1.0/members/{memberId}",
            f"/members/{member.id}",
            render.member(model, member),
            _tenant_key(model, member.tenant_id),
        )
    ]


def _role_answers(model: DfsModel, role: Role) -> list[ApiAnswer]:
    return [
        _answer(
            "get /v2.0/roles/{roleId}",
            f"/roles/{role.id}",
            render.role(model, role),
            _tenant_key(model, role.tenant_id),
        )
    ]


def _participant_answers(model: DfsModel, participant: Participant) -> list[ApiAnswer]:
    return [
        _answer(
            "get /v1.0/participants/{participantId}",
            f"/participants/{participant.id}",
            render.participant(participant),
            _tenant_key(model, participant.tenant_id),
        )
    ]


def _access_policy_answers(model: DfsModel, policy: AccessPolicy) -> list[ApiAnswer]:
    return [
        _answer(
            "get /v1.0/access-policies/{accessPolicyId}",
            f"/access-policies/{policy.id}",
            render.access_policy(model, policy),
        )
    ]


def record_kinds() -> list[RecordKind]:
    return [
        RecordKind("tenants", "dfs.tenants", ("id", "key", "uid", "name"), search=_tenant_search),
        RecordKind(
            "identities",
            "dfs.identities",
            ("id", "username", "first_name", "last_name", "email"),
            search=_identity_search,
            document=_identity_answers,
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
            document=_member_answers,
        ),
        RecordKind(
            "roles",
            "dfs.roles",
            ("id", "tenant_id", "short_name", "role_key", "rank"),
            search=_role_search,
            breakdowns=BY_TENANT,
            document=_role_answers,
        ),
        RecordKind(
            "participants",
            "dfs.participants",
            ("id", "tenant_id", "uid", "name", "is_active"),
            search=_participant_search,
            breakdowns=BY_TENANT,
            document=_participant_answers,
        ),
        RecordKind("accessPolicies", "dfs.access_policies", ("id", "key", "name"), document=_access_policy_answers),
        RecordKind("permissions", "dfs.permissions", ("id", "uid", "name")),
        RecordKind("clientApps", "dfs.client_apps", ("tenant_id", "app_id", "access_policy_keys")),
        # the emulator's bookkeeping, which no DFS operation answers as such
        RecordKind("auditContexts", "dfs.audit_contexts", internal=True),
        RecordKind("sequences", "dfs.sequences", internal=True),
        RecordKind("revokedTokens", "dfs.revoked_tokens", internal=True),
        RecordKind("longRunning", "dfs.long_running", internal=True),
    ]
