"""Identities, their tenant access, pictures, hierarchy and search (IdentityManagement)."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import re
from collections.abc import Callable
from typing import Any

from ..errors import BadRequest, Unprocessable
from .base import ModelBase, new_uuid
from .collections import fold
from .records import Identity, ProviderSetting, Role, Tenant, TenantAccess

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")

# Body property (schema name) -> Identity attribute, for create and PATCH /v1.3.
PROFILE_FIELDS = {
    "firstName": "first_name",
    "lastName": "last_name",
    "salutationId": "salutation_id",
    "email": "email",
    "description": "description",
    "phone": "phone",
    "fax": "fax",
    "mobile": "mobile",
    "url": "url",
    "bankBranchId": "bank_branch_id",
    "externalId": "external_id",
}
UPDATE_PROPERTIES = {
    name.casefold(): name
    for name in (
        *PROFILE_FIELDS,
        "userName",
        "identityRoleId",
        "isSignInEnabled",
        "isTenantAccessEnabled",
        "participantIds",
        "resetPassword",
        "changePassword",
    )
}
VALUE_TYPES = {"identityRoleId", "isSignInEnabled", "isTenantAccessEnabled"}  # non-nullable in the document


def _check_base64(text: str | None) -> str:
    if not text:
        raise Unprocessable("ImageContentBase64 is required")
    try:
        base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise Unprocessable("ImageContentBase64 is not valid base64") from None
    return text


class IdentityRules(ModelBase):
    default_provider_setting: Callable[[], ProviderSetting | None]  # BackOfficeRules' (DfsModel has both)

    # -- checks shared by create and update ----------------------------------------
    def _check_username(self, username: str | None, identity_id: str | None = None) -> str:
        if not username or not username.strip():
            raise Unprocessable("UserName is required")
        for other in self.identities.lookup("username", fold(username)):
            if other != identity_id:
                raise Unprocessable(f"UserName {username!r} is already taken")
        return username

    def _check_profile(self, values: dict) -> None:
        email = values.get("email")
        if email is not None and not EMAIL.match(email):
            raise Unprocessable(f"Email {email!r} is not a valid e-mail address")
        branch = values.get("bank_branch_id")
        if branch is not None and branch not in self.bank_branches:
            raise Unprocessable(f"BankBranchId {branch} does not exist")

    def _check_participants(self, tenant: Tenant, participant_ids) -> tuple[int, ...]:
        ids = tuple(dict.fromkeys(participant_ids or ()))
        for participant_id in ids:
            participant = self.participants.get(participant_id)
            if participant is None or participant.tenant_id != tenant.id:
                raise Unprocessable(f"Participant {participant_id} does not exist")
        return ids

    def link_participants(self, tenant: Tenant, identity_id: str, participant_ids) -> None:
        """Make exactly these participants of the tenant list the identity."""
        wanted = set(participant_ids)
        for participant in self.participants.find("identity", identity_id):
            if participant.tenant_id == tenant.id and participant.id not in wanted:
                self.participants.put(
                    participant.id,
                    dataclasses.replace(
                        participant, identity_ids=tuple(i for i in participant.identity_ids if i != identity_id)
                    ),
                )
        for participant_id in wanted:
            participant = self.participants[participant_id]  # checked by _check_participants
            if identity_id not in participant.identity_ids:
                self.participants.put(
                    participant.id,
                    dataclasses.replace(participant, identity_ids=(*participant.identity_ids, identity_id)),
                )

    # -- create / update ---------------------------------------------------------------
    def create_identity(
        self,
        tenant: Tenant,
        body: dict,
        *,
        identity_id: str | None = None,
        is_system_account: bool = False,
        is_sign_in_enabled: bool = True,
        tenant_access_enabled: bool = True,
    ) -> Identity:
        """post /v1.2/identities: the identity, with access to the caller's tenant in
        its role; its member row appears when it is synced."""
        username = self._check_username(body.get("username"))
        role = self.role_for_body(tenant, body.get("identityRoleId", 0))
        values: dict[str, Any] = {attribute: body.get(field) for field, attribute in PROFILE_FIELDS.items()}
        self._check_profile(values)
        participants = self._check_participants(tenant, body.get("participantIds"))
        provider = self.default_provider_setting()
        identity = Identity(
            id=(identity_id or new_uuid()).lower(),
            username=username,
            password=body.get("password"),
            provider_setting_id=provider.id if provider else None,
            is_system_account=is_system_account,
            is_sign_in_enabled=is_sign_in_enabled,
            created=self.now(),
            **values,
        )
        if identity.id in self.identities:
            raise Unprocessable(f"Identity {identity.id} already exists")
        self.identities.put(identity.id, identity)
        self.access.put((identity.id, tenant.id), TenantAccess(identity.id, tenant.id, role.id, tenant_access_enabled))
        self.link_participants(tenant, identity.id, participants)
        return identity

    def update_identity(self, tenant: Tenant, identity_id: str, body: dict) -> None:
        """patch /v1.3/identities/{identityId}: with UpdateProperties, exactly the
        properties it names (null clears); without, every non-null property sent."""
        identity, access = self.get_tenant_identity(tenant, identity_id)
        names = body.get("updateProperties")
        if names:
            listed = []
            for name in names:
                field = UPDATE_PROPERTIES.get(str(name).casefold())
                if field is None:
                    raise BadRequest(f"UpdateProperties names an unknown property {name!r}")
                if field in VALUE_TYPES and body.get(field) is None:
                    raise Unprocessable(f"{name} is listed in UpdateProperties but has no value")
                listed.append(field)
        else:
            listed = [field for field in UPDATE_PROPERTIES.values() if body.get(field) is not None]
        fields = set(listed)
        identity_changes: dict[str, Any] = {PROFILE_FIELDS[f]: body.get(f) for f in fields if f in PROFILE_FIELDS}
        self._check_profile(identity_changes)
        if "userName" in fields:
            identity_changes["username"] = self._check_username(body.get("userName"), identity.id)
        if "isSignInEnabled" in fields:
            identity_changes["is_sign_in_enabled"] = body["isSignInEnabled"]
        if "changePassword" in fields and body.get("changePassword"):
            change = body["changePassword"]
            if change.get("oldPassword") != identity.password:
                raise Unprocessable("ChangePassword: the current password does not match")
            if not change.get("newPassword"):
                raise Unprocessable("ChangePassword: NewPassword is required")
            identity_changes["password"] = change["newPassword"]
        if "resetPassword" in fields and body.get("resetPassword"):
            reset = body["resetPassword"]
            if not reset.get("newPassword"):
                raise Unprocessable("ResetPassword: NewPassword is required")
            identity_changes["password"] = reset["newPassword"]
        access_changes: dict[str, Any] = {}
        if "identityRoleId" in fields:
            access_changes["role_id"] = self.role_for_body(tenant, body["identityRoleId"]).id
        if "isTenantAccessEnabled" in fields:
            access_changes["enabled"] = body["isTenantAccessEnabled"]
        if "participantIds" in fields:
            self.link_participants(tenant, identity.id, self._check_participants(tenant, body.get("participantIds")))
        if identity_changes:
            self.identities.put(identity.id, dataclasses.replace(identity, **identity_changes))
        if access_changes:
            self.access.put(access.key, dataclasses.replace(access, **access_changes))

    def set_tenant_access(self, tenant: Tenant, identity_id: str, body: dict) -> None:
        """patch /v1.0/tenants/{tenantId}/identities/{identityId}/access (tenant = the path's,
        already checked against the token)."""
        identity = self.get_identity(identity_id)
        if "tenantId" in body and body["tenantId"] != tenant.id:
            raise Unprocessable(f"TenantId {body['tenantId']} in the body differs from {tenant.id} in the path")
        access = self.access.get((identity.id, tenant.id))
        role_id = body.get("identityRoleId")
        if role_id is not None:
            role_id = self.role_for_body(tenant, role_id).id
        elif access is None:
            raise Unprocessable("IdentityRoleId is required to grant access to a new tenant")
        else:
            role_id = access.role_id
        enabled = body.get("isEnabled", access.enabled if access else True)
        self.access.put((identity.id, tenant.id), TenantAccess(identity.id, tenant.id, role_id, enabled))

    # -- profile picture ------------------------------------------------------------------
    def set_picture(self, tenant: Tenant, identity_id: str, image: str | None) -> None:
        identity, _ = self.get_tenant_identity(tenant, identity_id)
        self.identities.put(identity.id, dataclasses.replace(identity, picture=_check_base64(image)))

    def delete_picture(self, tenant: Tenant, identity_id: str) -> None:
        identity, _ = self.get_tenant_identity(tenant, identity_id)
        if identity.picture is not None:
            self.identities.put(identity.id, dataclasses.replace(identity, picture=None))

    # -- hierarchy ---------------------------------------------------------------------------
    def exclude_identities(self, tenant: Tenant, identity_id: str, excluded) -> None:
        identity, _ = self.get_tenant_identity(tenant, identity_id)
        excluded = tuple(dict.fromkeys(i.lower() for i in excluded))
        for other in excluded:
            if other == identity.id:
                raise Unprocessable("An identity cannot exclude itself from its hierarchy")
            if self.access.get((other, tenant.id)) is None:
                raise Unprocessable(f"Identity {other} does not exist in tenant {tenant.key}")
        self.identities.put(identity.id, dataclasses.replace(identity, excluded_identity_ids=excluded))

    def reaches(self, identity: Identity, role: Role, other_id: str, other_role: Role) -> bool:
        """May ``identity`` (in ``role``) reach the identity ``other_id`` (in ``other_role``)?"""
        return (
            other_id != identity.id
            and not role.is_member_access_excluded
            and other_role.rank > role.rank
            and other_role.id not in role.excluded_role_ids
            and other_id not in identity.excluded_identity_ids
        )

    def tenant_identities(self, tenant: Tenant) -> list[tuple[Identity, TenantAccess, Role]]:
        rows = []
        for access in self.access.find("tenant", tenant.id):
            rows.append((self.identities[access.identity_id], access, self.roles[access.role_id]))
        rows.sort(key=lambda row: (row[2].rank, fold(row[0].username)))
        return rows

    def identity_hierarchy(self, tenant: Tenant, identity_id: str):
        identity, access = self.get_tenant_identity(tenant, identity_id)
        role = self.roles[access.role_id]  # a role is not deleted while held (delete_role)
        superiors, below = [], []
        for other, other_access, other_role in self.tenant_identities(tenant):
            if other.id == identity.id:
                continue
            if self.reaches(other, other_role, identity.id, role):
                superiors.append((other, other_access, other_role))
            elif self.reaches(identity, role, other.id, other_role):
                below.append((other, other_access, other_role))
        return superiors, (identity, access, role), below

    def person_accessible(self, tenant: Tenant, identity_id: str, person_id: int) -> bool:
        """A person (member or contact) is accessible when it is the identity's own
        member, a member of an identity it reaches, or a contact of one of those."""
        identity, access = self.get_tenant_identity(tenant, identity_id)
        role = self.roles[access.role_id]  # a role is not deleted while held (delete_role)
        holders = []
        member = self.members.get(person_id)
        if member is not None and member.tenant_id == tenant.id:
            holders.append(member)
        holders.extend(self.members.find("contact", (tenant.id, person_id)))
        for holder in holders:
            if holder.identity_id == identity.id:
                return True
            holder_access = self.access.get((holder.identity_id, tenant.id)) if holder.identity_id else None
            if holder_access is not None and self.reaches(
                identity, role, holder.identity_id, self.roles[holder_access.role_id]
            ):
                return True
        return False
