"""Members (the tenant database's persons), member sync, long-running sync/import
and audit contexts (MemberManagement, IdentityMemberSync, IdentityMemberImport,
AuditContext)."""

from __future__ import annotations

import dataclasses

from ..errors import NotFound, Unprocessable
from .base import ModelBase, new_uuid
from .records import AuditContext, Identity, LongRunningRequest, Member, Tenant

MEMBER_FIELDS = {  # SyncMemberRequestItem property -> Member attribute (same names on Identity)
    "firstName": "first_name",
    "lastName": "last_name",
    "salutationId": "salutation_id",
    "email": "email",
    "description": "description",
    "phone": "phone",
    "fax": "fax",
    "mobile": "mobile",
    "externalId": "external_id",
    "bankBranchId": "bank_branch_id",
}


class MemberRules(ModelBase):
    # -- audit contexts --------------------------------------------------------------
    def generate_audit_context(
        self, tenant: Tenant, created_by: str | None, authorized_app_id: str | None, person_ids=None, internal_ids=None
    ) -> AuditContext:
        """post /v3.0/audit-context/generate: one counter per tenant, from 1001."""
        member_ids: list[int] = []
        for person_id in person_ids or ():
            member = self.members.get(person_id)
            if member is None or member.tenant_id != tenant.id:
                raise Unprocessable(f"Person {person_id} does not exist in tenant {tenant.key}")
            member_ids.append(member.id)
        for internal_id in internal_ids or ():
            member = self.member_of(tenant.id, internal_id.lower())
            if member is None:
                raise Unprocessable(f"Identity {internal_id} has no member in tenant {tenant.key}")
            member_ids.append(member.id)
        context = AuditContext(
            tenant_id=tenant.id,
            id=self.next_id(f"audit-context:{tenant.id}", start=1001),
            created_by=created_by or tenant.name,
            authorized_app_id=authorized_app_id,
            member_ids=tuple(dict.fromkeys(member_ids)),
            created=self.now(),
        )
        self.audit_contexts.put((tenant.id, context.id), context)
        return context

    # -- members --------------------------------------------------------------------------
    def _member_values(self, identity: Identity) -> dict:
        return {attribute: getattr(identity, attribute) for attribute in MEMBER_FIELDS.values()}

    def upsert_member(
        self, tenant: Tenant, identity: Identity, overrides: dict | None = None, member_id: int | None = None
    ) -> tuple[Member, bool]:
        """The identity's member row in the tenant, created or refreshed. -> (member, created)"""
        values = self._member_values(identity)
        values.update(
            {MEMBER_FIELDS[k]: v for k, v in (overrides or {}).items() if k in MEMBER_FIELDS and v is not None}
        )
        branch = values.get("bank_branch_id")
        if branch is not None and branch not in self.bank_branches:
            raise Unprocessable(f"BankBranchId {branch} does not exist")
        existing = self.member_of(tenant.id, identity.id)
        if existing is not None:
            member = dataclasses.replace(existing, **values)
            self.members.put(member.id, member)
            return member, False
        if member_id is None:
            member_id = self.next_id("member")
        else:
            self.bump_sequence("member", member_id)
        if member_id in self.members:
            raise Unprocessable(f"Member {member_id} already exists")
        member = Member(id=member_id, tenant_id=tenant.id, identity_id=identity.id, **values)
        self.members.put(member.id, member)
        return member, True

    def sync_member(self, tenant: Tenant, identity_id: str, member: dict | None, context: dict | None):
        """post /v3.1/identities/{identityId}/sync-member -> (identity, member, audit context id)."""
        identity, _ = self.get_tenant_identity(tenant, identity_id)
        context = context or {}
        audit_id = context.get("auditContextId")
        if audit_id is not None:
            if self.audit_contexts.get((tenant.id, audit_id)) is None:
                raise Unprocessable(f"AuditContextId {audit_id} does not exist in tenant {tenant.key}")
        row, _ = self.upsert_member(tenant, identity, member)
        if audit_id is None:
            audit_id = self.generate_audit_context(
                tenant, context.get("createdby"), context.get("authorizedAppId"), [row.id]
            ).id
        return identity, row, audit_id

    def set_contacts(self, member: Member, contact_ids) -> None:
        self.members.put(member.id, dataclasses.replace(member, contact_ids=tuple(contact_ids)))

    # -- long-running requests ---------------------------------------------------------------
    def start_long_running(self, tenant: Tenant, kind: str) -> LongRunningRequest:
        request = LongRunningRequest(
            id=new_uuid(), tenant_id=tenant.id, kind=kind, status="Running", created=self.now()
        )
        self.long_running.put(request.id, request)
        return request

    def get_long_running(self, request_id: str) -> LongRunningRequest:
        request = self.long_running.get(request_id)
        if request is None:
            raise NotFound(f"Long-running request {request_id} was not found")
        return request

    def complete_long_running(self, request_id: str) -> LongRunningRequest:
        """sync-members: every identity of the tenant gets its member created or
        refreshed; import-members: only identities without a member get one."""
        request = self.get_long_running(request_id)
        if request.status != "Running":
            return request
        tenant = self.tenants[request.tenant_id]  # tenants are never deleted
        created = updated = 0
        for access in sorted(self.access.find("tenant", tenant.id), key=lambda a: a.identity_id):
            identity = self.identities[access.identity_id]
            if request.kind == "import-members" and self.member_of(tenant.id, identity.id) is not None:
                continue
            _, was_created = self.upsert_member(tenant, identity)
            created += was_created
            updated += not was_created
        request = dataclasses.replace(
            request, status="Completed", completed=self.now(), members_created=created, members_updated=updated
        )
        self.long_running.put(request.id, request)
        return request
