"""DFS operations, one method each, named in endpoints.yaml; each docstring starts
with the operation's code (the document's "method /path"), so one grep finds it.

A handler reads path values and the bound body, calls one model method and
renders. Handlers never await: an operation is atomic as other clients see it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web
from multidict import CIMultiDict

from ..formats import jsoncodec
from . import render
from .auth import Caller
from .errors import Forbidden, NotFound
from .models import DfsModel
from .models.search import page_bounds, page_of, sort_matches

# Shown by GET profilepicture while an identity has no picture (IsDefaultImage: true).
DEFAULT_IMAGE = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="


def json_response(document: Any, status: int = 200) -> web.Response:
    return json_body(jsoncodec.dumps(document), status)


# What every JSON answer carries; aiohttp copies it per response, cheaper than building it.
JSON_HEADERS = CIMultiDict({"Content-Type": "application/json; charset=utf-8"})


def json_body(body: bytes, status: int = 200) -> web.Response:
    return web.Response(body=body, status=status, headers=JSON_HEADERS)


def reads_only(operation: Callable) -> Callable:
    """Marks a handler of a POST that only reads (a search, a check): it runs
    without a store transaction around it, as GETs do."""
    operation.reads_only = True  # type: ignore[attr-defined]
    return operation


def no_content() -> web.Response:
    return web.Response(status=204)


class Call:
    """One request as an operation sees it."""

    __slots__ = ("request", "model", "caller", "path", "body", "schedule")

    def __init__(
        self,
        request: web.Request,
        model: DfsModel,
        caller: Caller,
        path: dict,
        body: Any,
        schedule: Callable[[str], None],
    ) -> None:
        self.request = request
        self.model = model
        self.caller = caller
        self.path = path
        self.body = body
        self.schedule = schedule  # completes a long-running request later

    @property
    def tenant(self):
        return self.caller.tenant

    def path_tenant_by_uid(self):
        """A tenant named in the path must be the token's: unknown 404, another 403."""
        tenant = self.model.tenant_by_uid(self.path["tenantUid"])
        if tenant is None:
            raise NotFound(f"Tenant {self.path['tenantUid']} was not found")
        if tenant.id != self.tenant.id:
            raise Forbidden(f"The token is not valid for tenant {tenant.uid}")
        return tenant

    def search_page(
        self,
        kind: str,
        find_matches: Callable[[], list],
        render_row,
        cheap_keys,
        default_sort: str,
        camel: bool = False,
    ) -> web.Response:
        """One page of a search. The sorted matches are cached per world until its
        next write (QueryCache), so paging costs the page, not the whole result."""
        body = self.body
        settings = self.model.settings
        number, size = page_bounds(
            body.get("page"), body.get("pageSize"), settings.default_page_size, settings.max_page_size
        )
        question = {name: value for name, value in body.items() if name not in ("page", "pageSize")}
        key = (kind, self.tenant.id, jsoncodec.dumps(question, sort_keys=True))
        cache = self.model.query_cache

        def render_page() -> bytes:
            ordered = cache.get(
                key,
                lambda: sort_matches(
                    find_matches(), render_row, cheap_keys, body.get("sortBy"), body.get("sortOrder"), default_sort
                ),
            )
            rows, count, total = page_of(ordered, render_row, number, size)
            return jsoncodec.dumps(render.page(rows, number, size, count, total, camel))

        return json_body(cache.get((*key, number, size), render_page, weight=lambda _: 1))


class DfsHandlers:
    # -- AccessPolicyManagement ---------------------------------------------------------------
    def client_access_policies(self, call: Call) -> web.Response:
        """get /v1.0/tenants/{tenantUid}/resources/{apiResource}/scopes/{apiScope}/access-policies"""
        tenant = call.path_tenant_by_uid()
        policies = call.model.client_access_policies(tenant, call.path["apiResource"], call.path["apiScope"])
        return json_response({"Result": "success", "AccessPolicies": policies})

    def tenant_identity_roles(self, call: Call) -> web.Response:
        """get /v1.0/tenants/{tenantUid}/identity-roles"""
        tenant = call.path_tenant_by_uid()
        roles = call.model.tenant_roles(tenant.id)
        return json_response(
            {"Result": "success", "IdentityRoles": [render.identity_role_with_policies(call.model, r) for r in roles]}
        )

    def list_access_policies(self, call: Call) -> web.Response:
        """get /v1.0/access-policies"""
        model = call.model
        return json_response({"accessPolicies": [render.access_policy(model, p) for p in model.list_access_policies()]})

    def get_access_policy(self, call: Call) -> web.Response:
        """get /v1.0/access-policies/{accessPolicyId}"""
        return json_response(
            render.access_policy(call.model, call.model.get_access_policy(call.path["accessPolicyId"]))
        )

    def list_permissions(self, call: Call) -> web.Response:
        """get /v1.0/permissions"""
        model = call.model
        return json_response({"results": [render.permission(model, p) for p in model.list_permissions()]})

    def get_permission(self, call: Call) -> web.Response:
        """get /v1.0/permissions/{permissionId}"""
        return json_response(render.permission(call.model, call.model.get_permission(call.path["permissionId"])))

    @reads_only
    def check_required_access_policies(self, call: Call) -> web.Response:
        """post /v1.0/roles/{roleId}/required-access-policies/check"""
        sufficient, missing = call.model.check_role_policies(
            call.tenant, call.path["roleId"], call.body.get("permissionsUids")
        )
        return json_response(
            {"isSufficient": sufficient, "missingAccessPolicies": [render.policy_ref_camel(p) for p in missing]}
        )

    # -- AuditContext -------------------------------------------------------------------------------
    def generate_audit_context(self, call: Call) -> web.Response:
        """post /v3.0/audit-context/generate"""
        body = call.body
        context = call.model.generate_audit_context(
            call.tenant,
            body.get("createdby"),
            body.get("authorizedAppId"),
            body.get("personIds"),
            body.get("internalIds"),
        )
        return json_response(render.audit_context(call.model, context))

    # -- BackOfficeManagement -----------------------------------------------------------------------
    def get_provider_setting(self, call: Call) -> web.Response:
        """get /v1.0/identities/provider-setting/{providerId}"""
        return json_response(render.provider_setting(call.model.provider_setting(call.path["providerId"])))

    def get_role_back_office_permissions(self, call: Call) -> web.Response:
        """get /v1.0/roles/{roleId}/back-office-permissions"""
        return json_response(render.back_office(call.model.role_back_office(call.tenant, call.path["roleId"])))

    def set_role_back_office_permissions(self, call: Call) -> web.Response:
        """patch /v1.0/roles/{roleId}/back-office-permissions"""
        model = call.model
        model.get_role(call.tenant, call.path["roleId"])  # an unknown role is 404 before the body's 422
        permissions = model.checked_back_office(
            call.body.get("defaultMenuItemId"), call.body.get("menuItemIds"), call.body.get("functionalityIds")
        )
        model.set_role_back_office(call.tenant, call.path["roleId"], permissions)
        return no_content()

    def get_back_office_catalog(self, call: Call) -> web.Response:
        """get /v1.0/back-office-permissions"""
        return json_response(render.back_office_catalog(*call.model.catalog()))

    def get_identity_back_office_permissions(self, call: Call) -> web.Response:
        """get /v1.0/identities/{identityId}/back-office-permissions"""
        return json_response(render.back_office(call.model.identity_back_office(call.tenant, call.path["identityId"])))

    def set_identity_back_office_permissions(self, call: Call) -> web.Response:
        """patch /v1.0/identities/{identityId}/back-office-permissions"""
        model = call.model
        model.get_tenant_identity(call.tenant, call.path["identityId"])
        permissions = model.checked_back_office(
            call.body.get("defaultMenuItemId"), call.body.get("menuItemIds"), call.body.get("functionalityIds")
        )
        model.set_identity_back_office(call.tenant, call.path["identityId"], permissions)
        return no_content()

    # -- IdentityManagement ---------------------------------------------------------------------------
    def delete_profile_picture(self, call: Call) -> web.Response:
        """delete /v1.0/identities/{identityId}/profilepicture"""
        call.model.delete_picture(call.tenant, call.path["identityId"])
        return no_content()

    def get_profile_picture(self, call: Call) -> web.Response:
        """get /v1.0/identities/{identityId}/profilepicture"""
        identity, _ = call.model.get_tenant_identity(call.tenant, call.path["identityId"])
        if identity.picture is None:
            return json_response({"ImageContentBase64": DEFAULT_IMAGE, "IsDefaultImage": True})
        return json_response({"ImageContentBase64": identity.picture, "IsDefaultImage": False})

    def put_profile_picture(self, call: Call) -> web.Response:
        """put /v1.0/identities/{identityId}/profilepicture"""
        call.model.set_picture(call.tenant, call.path["identityId"], call.body.get("imageContentBase64"))
        return no_content()

    def get_identity(self, call: Call) -> web.Response:
        """get /v1.0/identities/{identityId}"""
        identity, access = call.model.get_tenant_identity(call.tenant, call.path["identityId"])
        return json_body(render.identity_body(call.model, identity, access))

    def identities_roles_hierarchy_level(self, call: Call) -> web.Response:
        """get /v1.0/identities/roles/hierarchy-level"""
        model = call.model
        return json_response([render.identity_role_level(model, *row) for row in model.tenant_identities(call.tenant)])

    def get_identity_hierarchy(self, call: Call) -> web.Response:
        """get /v1.0/identities/{identityId}/hierarchy"""
        model = call.model
        superiors, base, below = model.identity_hierarchy(call.tenant, call.path["identityId"])
        return json_response(
            {
                "Superiors": [render.identity_role_level(model, *row) for row in superiors],
                "Base": render.identity_role_level(model, *base),
                "HierarchyItems": [render.identity_role_level(model, *row) for row in below],
            }
        )

    def identity_hierarchy_person_exists(self, call: Call) -> web.Response:
        """get /v1.0/identities/{identityId}/hierarchy/{personId}/exists"""
        return json_response(call.model.person_accessible(call.tenant, call.path["identityId"], call.path["personId"]))

    def update_identity(self, call: Call) -> web.Response:
        """patch /v1.3/identities/{identityId}"""
        call.model.update_identity(call.tenant, call.path["identityId"], call.body)
        return no_content()

    def set_tenant_access(self, call: Call) -> web.Response:
        """patch /v1.0/tenants/{tenantId}/identities/{identityId}/access"""
        tenant = call.model.tenants.get(call.path["tenantId"])
        if tenant is None:
            raise NotFound(f"Tenant {call.path['tenantId']} was not found")
        if tenant.id != call.tenant.id:
            raise Forbidden(f"The token is not valid for tenant {tenant.id}")
        call.model.set_tenant_access(tenant, call.path["identityId"], call.body)
        return no_content()

    @reads_only
    def search_identities(self, call: Call) -> web.Response:
        """post /v1.0/identities/search"""
        model = call.model
        return call.search_page(
            "identities",
            lambda: model.search_identities(call.tenant, call.body),
            lambda match: render.identity(model, *match),
            render.IDENTITY_SORT_KEYS,
            "UserName",
        )

    def create_identity(self, call: Call) -> web.Response:
        """post /v1.2/identities"""
        identity = call.model.create_identity(call.tenant, call.body)
        return json_response({"IdentityId": identity.id})

    def exclude_identities_from_hierarchy(self, call: Call) -> web.Response:
        """put /v1.0/identities/{identityId}/hierarchy/exclude"""
        call.model.exclude_identities(call.tenant, call.path["identityId"], call.body)
        return no_content()

    # -- IdentityMemberSync / IdentityMemberImport ----------------------------------------------------
    def sync_member(self, call: Call) -> web.Response:
        """post /v3.1/identities/{identityId}/sync-member"""
        identity, member, audit_id = call.model.sync_member(
            call.tenant, call.path["identityId"], call.body.get("member"), call.body.get("context")
        )
        return json_response({"IdentityId": identity.id, "MemberId": member.id, "AuditContextId": audit_id})

    def sync_members(self, call: Call) -> web.Response:
        """post /v3.0/identities/sync-members"""
        request = call.model.start_long_running(call.tenant, "sync-members")
        call.schedule(request.id)
        return json_response({"longRunningRequestId": request.id})

    def import_members(self, call: Call) -> web.Response:
        """post /v1.0/identities/import-members"""
        request = call.model.start_long_running(call.tenant, "import-members")
        call.schedule(request.id)
        return json_response({"longRunningRequestId": request.id})

    # -- MemberManagement -------------------------------------------------------------------------------
    def get_member(self, call: Call) -> web.Response:
        """get /v1.0/members/{memberId}"""
        return json_response(render.member(call.model, call.model.get_member(call.tenant, call.path["memberId"])))

    @reads_only
    def search_members(self, call: Call) -> web.Response:
        """post /v1.0/members/search"""
        model = call.model
        return call.search_page(
            "members",
            lambda: model.search_members(call.tenant, call.body),
            lambda member: render.member(model, member),
            render.MEMBER_SORT_KEYS,
            "MemberId",
        )

    # -- RoleManagement -----------------------------------------------------------------------------------
    def delete_role(self, call: Call) -> web.Response:
        """delete /v2.0/roles/{roleId}"""
        call.model.delete_role(call.tenant, call.path["roleId"])
        return no_content()

    def get_role(self, call: Call) -> web.Response:
        """get /v2.0/roles/{roleId}"""
        return json_response(render.role(call.model, call.model.get_role(call.tenant, call.path["roleId"])))

    def update_role(self, call: Call) -> web.Response:
        """patch /v2.0/roles/{roleId}"""
        call.model.update_role(call.tenant, call.path["roleId"], call.body)
        return no_content()

    def list_roles(self, call: Call) -> web.Response:
        """get /v2.0/roles"""
        return json_response([render.role_list_item(r) for r in call.model.tenant_roles(call.tenant.id)])

    def create_role(self, call: Call) -> web.Response:
        """post /v2.0/roles"""
        body = call.body
        role = call.model.create_role(
            call.tenant,
            body.get("shortName"),
            body.get("longName"),
            body.get("roleKey"),
            body.get("isMemberAccessExcluded") or False,
        )
        return json_response(render.role_created(role))

    def get_role_hierarchy(self, call: Call) -> web.Response:
        """get /v2.0/roles/{roleId}/hierarchy"""
        base, below = call.model.role_hierarchy(call.tenant, call.path["roleId"])
        return json_response(
            {"Base": render.role_list_item(base), "HierarchyItems": [render.role_list_item(r) for r in below]}
        )

    def change_role_hierarchy_level(self, call: Call) -> web.Response:
        """patch /v2.0/roles/{roleId}/hierarchy-level/{operation}"""
        call.model.move_role(call.tenant, call.path["roleId"], call.path["operation"])
        return no_content()

    def exclude_roles_from_hierarchy(self, call: Call) -> web.Response:
        """put /v2.0/roles/{roleId}/hierarchy/exclude"""
        call.model.exclude_roles(call.tenant, call.path["roleId"], call.body)
        return no_content()

    # -- ParticipantManagement ------------------------------------------------------------------------------
    def get_participant(self, call: Call) -> web.Response:
        """get /v1.0/participants/{participantId}"""
        return json_response(render.participant(call.model.get_participant(call.tenant, call.path["participantId"])))

    def update_participant(self, call: Call) -> web.Response:
        """patch /v1.0/participants/{participantId}"""
        call.model.update_participant(call.tenant, call.path["participantId"], call.body)
        return no_content()

    @reads_only
    def search_participants(self, call: Call) -> web.Response:
        """post /v1.0/participants/search"""
        model = call.model
        return call.search_page(
            "participants",
            lambda: model.search_participants(call.tenant, call.body),
            render.participant_search_item,
            render.PARTICIPANT_SORT_KEYS,
            "id",
            camel=True,
        )

    def create_participant(self, call: Call) -> web.Response:
        """post /v1.0/participants"""
        participant = call.model.create_participant(
            call.tenant, call.body.get("name"), call.body.get("identityInternalUserIds")
        )
        return json_response({"Id": participant.id, "UId": participant.uid})
