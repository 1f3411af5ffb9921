"""DFS documents: one writer per response shape (schemas/responses.yaml).
PascalCase except where the document shows camelCase (access policies,
permissions, the check result, participants but not participant create)."""

from __future__ import annotations

from ..formats import jsoncodec
from .models import DfsModel
from .models.records import (
    AccessPolicy,
    AuditContext,
    BackOffice,
    Identity,
    Member,
    Participant,
    Permission,
    ProviderSetting,
    Role,
    TenantAccess,
)


def error(code: str, sub_code: str, message: str, correlation_id: str) -> dict:
    return {"Code": code, "SubCode": sub_code, "Message": message, "CorrelationId": correlation_id}


def policy_ref(policy: AccessPolicy) -> dict:
    return {"Id": policy.id, "Key": policy.key, "Name": policy.name}


def policy_ref_camel(policy: AccessPolicy) -> dict:
    return {"id": policy.id, "key": policy.key, "name": policy.name}


def access_policy(model: DfsModel, policy: AccessPolicy) -> dict:
    return {
        "id": policy.id,
        "key": policy.key,
        "name": policy.name,
        "description": policy.description,
        "isAppOriented": policy.is_app_oriented,
        "requiredByPermissions": [
            {"id": p.id, "uid": p.uid, "name": p.name} for p in model.permissions_requiring(policy.id)
        ],
    }


def permission(model: DfsModel, item: Permission) -> dict:
    return {
        "id": item.id,
        "uid": item.uid,
        "name": item.name,
        "hierarchyPath": list(item.hierarchy_path),
        "requiredAccessPolicies": [policy_ref_camel(p) for p in model.policies(item.required_access_policy_ids)],
    }


def identity_role_with_policies(model: DfsModel, role: Role) -> dict:
    return {
        "Id": role.id,
        "Key": role.role_key,
        "TenantId": role.tenant_id,
        "ShortName": role.short_name,
        "LongName": role.long_name,
        "AllowAllPolicies": role.allow_all_policies,
        "AccessPolicies": [policy_ref(p) for p in model.effective_policies(role)],
    }


def audit_context(model: DfsModel, context: AuditContext) -> dict:
    tenant = model.tenants[context.tenant_id]  # tenants are never deleted
    return {
        "AuditContextId": context.id,
        "TenantId": tenant.id,
        "TenantKey": tenant.key,
        "TenantUid": tenant.uid,
        "MemberIds": list(context.member_ids),
    }


def provider_setting(setting: ProviderSetting) -> dict:
    return {
        "Id": setting.id,
        "ProviderId": setting.provider_id,
        "ProviderTypeId": setting.provider_type_id,
        "Name": setting.name,
        "DisplayName": setting.display_name,
        "IsEnabled": setting.is_enabled,
        "IsDefault": setting.is_default,
        "CreatedDate": setting.created,
        "LastUpdatedDate": setting.last_updated,
    }


def back_office(permissions: BackOffice) -> dict:
    return {
        "DefaultMenuItemId": permissions.default_menu_item_id,
        "MenuItemIds": list(permissions.menu_item_ids),
        "FunctionalityIds": list(permissions.functionality_ids),
    }


def back_office_catalog(menu_items, groups) -> dict:
    return {
        "MenuItems": [{"Id": m.id, "Name": m.name, "ParentId": m.parent_id} for m in menu_items],
        "FunctionalityGroups": [
            {"Id": g.id, "Name": g.name, "Functionalities": [{"Id": i, "Name": n} for i, n in g.functionalities]}
            for g in groups
        ],
    }


def bank_branch(model: DfsModel, branch_id: int | None) -> dict | None:
    branch = model.bank_branches.get(branch_id) if branch_id is not None else None
    return {"Id": branch.id, "Name": branch.name} if branch else None


def identity_role(role: Role | None) -> dict | None:
    if role is None:
        return None
    return {
        "Id": role.id,
        "RoleKey": role.role_key,
        "ShortName": role.short_name,
        "LongName": role.long_name,
        "HierarchyLevel": role.rank,
    }


def identity(model: DfsModel, item: Identity, access: TenantAccess | None) -> dict:
    member = model.member_of(access.tenant_id, item.id) if access else None
    setting = model.provider_settings.get(item.provider_setting_id) if item.provider_setting_id else None
    return {
        "MemberId": member.id if member else None,
        "IdentityId": item.id,
        "UserName": item.username,
        "FirstName": item.first_name,
        "LastName": item.last_name,
        "SalutationId": item.salutation_id,
        "Email": item.email,
        "Description": item.description,
        "Phone": item.phone,
        "Fax": item.fax,
        "Mobile": item.mobile,
        "IdentityProviderSettingId": item.provider_setting_id,
        "ExternalId": item.external_id,
        "IdentityRole": identity_role(model.roles.get(access.role_id) if access else None),
        "IdentityProvider": {
            "Id": setting.id,
            "ProviderId": setting.provider_id,
            "Name": setting.name,
            "DisplayName": setting.display_name,
        }
        if setting
        else None,
        "BankBranch": bank_branch(model, item.bank_branch_id),
        "IsSignInEnabled": item.is_sign_in_enabled,
        "IsTenantAccessEnabled": bool(access and access.enabled),
        "AssignedContactsCount": len(member.contact_ids) if member else 0,
        "ParticipantIds": model.participant_ids_of(access.tenant_id, item.id) if access else [],
    }


def identity_body(model: DfsModel, item: Identity, access: TenantAccess) -> bytes:
    """``identity`` as JSON, kept per world while the identity, its tenant access
    and every collection ``identity`` looks records up in are unchanged."""
    return model.rendered.get(
        ("identity", item.id, access.tenant_id),
        (item, access),
        (model.members, model.provider_settings, model.roles, model.bank_branches, model.participants),
        lambda: jsoncodec.dumps(identity(model, item, access)),
    )


def identity_role_level(model: DfsModel, item: Identity, access: TenantAccess, role: Role) -> dict:
    member = model.member_of(access.tenant_id, item.id)
    return {
        "IdentityId": item.id,
        "MemberId": member.id if member else None,
        "UserName": item.username,
        "FirstName": item.first_name,
        "LastName": item.last_name,
        "RoleId": role.id,
        "RoleKey": role.role_key,
        "RoleName": role.short_name,
        "HierarchyLevel": role.rank,
    }


# Search sorting reads these properties from the records, without rendering rows;
# each must equal what the row renderer puts under the same name.
IDENTITY_SORT_KEYS = {
    "IdentityId": lambda m: m[0].id,
    "UserName": lambda m: m[0].username,
    "FirstName": lambda m: m[0].first_name,
    "LastName": lambda m: m[0].last_name,
    "SalutationId": lambda m: m[0].salutation_id,
    "Email": lambda m: m[0].email,
    "Description": lambda m: m[0].description,
    "Phone": lambda m: m[0].phone,
    "Fax": lambda m: m[0].fax,
    "Mobile": lambda m: m[0].mobile,
    "IdentityProviderSettingId": lambda m: m[0].provider_setting_id,
    "ExternalId": lambda m: m[0].external_id,
    "IsSignInEnabled": lambda m: m[0].is_sign_in_enabled,
    "IsTenantAccessEnabled": lambda m: bool(m[1] and m[1].enabled),
}
MEMBER_SORT_KEYS = {
    "MemberId": lambda m: m.id,
    "IdentityId": lambda m: m.identity_id,
    "FirstName": lambda m: m.first_name,
    "LastName": lambda m: m.last_name,
    "SalutationId": lambda m: m.salutation_id,
    "Email": lambda m: m.email,
    "Description": lambda m: m.description,
    "Phone": lambda m: m.phone,
    "Fax": lambda m: m.fax,
    "Mobile": lambda m: m.mobile,
    "ExternalId": lambda m: m.external_id,
    "AssignedContactsCount": lambda m: len(m.contact_ids),
}
PARTICIPANT_SORT_KEYS = {
    "id": lambda p: p.id,
    "uid": lambda p: p.uid,
    "name": lambda p: p.name,
    "isActive": lambda p: p.is_active,
}


def member(model: DfsModel, item: Member) -> dict:
    owner = model.identities.get(item.identity_id) if item.identity_id else None
    return {
        "MemberId": item.id,
        "IdentityId": item.identity_id,
        "FirstName": item.first_name,
        "LastName": item.last_name,
        "SalutationId": item.salutation_id,
        "Email": item.email,
        "Description": item.description,
        "Phone": item.phone,
        "Fax": item.fax,
        "Mobile": item.mobile,
        "ExternalId": item.external_id,
        "BankBranch": bank_branch(model, item.bank_branch_id),
        "AssignedContactsCount": len(item.contact_ids),
        "HasProfilePicture": bool(owner and owner.picture is not None),
    }


def role(model: DfsModel, item: Role) -> dict:
    return {
        "ShortName": item.short_name,
        "LongName": item.long_name,
        "RoleKey": item.role_key,
        "CreatedDate": item.created,
        "AllowAllPolicies": item.allow_all_policies,
        "AccessPolicies": [policy_ref(p) for p in model.policies(item.access_policy_ids)],
    }


def role_created(item: Role) -> dict:
    return {
        "Id": item.id,
        "TenantId": item.tenant_id,
        "ShortName": item.short_name,
        "LongName": item.long_name,
        "RoleKey": item.role_key,
        "CreatedDate": item.created,
    }


def role_list_item(item: Role) -> dict:
    return {
        **role_created(item),
        "AllowAllPolicies": item.allow_all_policies,
        "IsMemberAccessExcluded": item.is_member_access_excluded,
        "HierarchyLevel": item.rank,
    }


def participant(item: Participant) -> dict:
    return {"name": item.name, "uid": item.uid, "isActive": item.is_active}


def participant_search_item(item: Participant) -> dict:
    return {"id": item.id, "uid": item.uid, "name": item.name, "isActive": item.is_active}


def page(items: list, page_number: int, page_size: int, page_count: int, total: int, camel: bool = False) -> dict:
    if camel:
        return {
            "results": items,
            "page": page_number,
            "pageSize": page_size,
            "pageCount": page_count,
            "totalCount": total,
        }
    return {"Results": items, "Page": page_number, "PageSize": page_size, "PageCount": page_count, "TotalCount": total}
