"""CustomerID operations, one method each, named in endpoints.yaml.

A handler reads parameters, calls the model, renders the result; rules live in
the model and documents in render.py/entities.py. 2.0 and 2.1 share these
handlers: the version only changes parameter names and ``inResponseTo``.
"""

from __future__ import annotations

from aiohttp import web

from .call import Call, organization_custom_attributes
from .entities import delegation_entity, mandate_entity, organization_entity, role_entity, user_entity
from .errors import InvalidArguments
from .models import AttributeFilter, UserChanges
from .params import (
    Parameters,
    check_form_charset,
    check_url_encoding,
    parse_boolean,
    parse_user_request_json,
    parse_user_request_xml,
)
from .render import (
    JSON_CONTENT_TYPE,
    reinvite_response_json,
    reinvite_response_xml,
    user_response_json,
    user_response_xml,
)
from .statuses import BY_CODE

# 2.0 names the organization type parameter organizationClass, 2.1 organizationType.
ORGANIZATION_TYPE_PARAMETER = {"2.0": "organizationClass", "2.1": "organizationType"}
USER_FIELDS = ("login", "email", "firstname", "surname", "mobile", "ssn", "locale")


def attribute_filters(params: Parameters, allowed: set[str]) -> list[AttributeFilter]:
    """Search parameters: any known attribute, each at most once (GET104/GET113/GET106)."""
    filters = []
    for name in params.remaining():
        if name not in allowed:
            raise InvalidArguments(f"unknown search attribute {name!r}")
        values = params.all(name)
        if len(values) > 1:
            raise InvalidArguments(f"attribute {name!r} may be used only once in a query")
        filters.append(AttributeFilter(name, values[0]))
    return filters


def user_changes(fields: dict[str, str], custom: dict[str, list[str]]) -> UserChanges:
    """PUT103 / PATCH124 fields -> UserChanges; unknown names are refused by the model."""
    changes = UserChanges()
    for name, value in fields.items():
        if name == "status":
            changes.status = value
        elif name == "pwd":
            changes.password = value
        elif name == "pwd.activated":
            changes.password_enabled = parse_boolean(name, value)
        elif name in USER_FIELDS:
            changes.fields[name] = value
        else:
            raise InvalidArguments(f"unknown user field {name!r}")
    for name, values in custom.items():
        changes.attributes[name] = tuple(values)
    return changes


def user_changes_from_query(params: Parameters) -> UserChanges:
    fields: dict[str, str] = {}
    custom: dict[str, list[str]] = {}
    for name in params.remaining():
        if name in USER_FIELDS or name in ("status", "pwd", "pwd.activated"):
            fields[name] = params.single(name) or ""
        else:
            # "browsers=IE&browsers=chrome" makes a multi-valued attribute.
            custom[name] = params.all(name)
    return user_changes(fields, custom)


class CustomerIdHandlers:
    # -- organizations -------------------------------------------------------------
    async def create_organization(self, call: Call) -> web.Response:
        """POST100 Create Organization (2.1); MOD001 (2.0)."""
        params = call.params
        organization = call.model.create_organization(
            virtual=params.boolean("virtual"),
            technical_name=params.single("technicalName"),
            friendly_name=params.single("friendlyName"),
            parent_id=params.single("parentOrganizationId"),
            organization_type=params.single(ORGANIZATION_TYPE_PARAMETER[call.version]),
            attributes=organization_custom_attributes(params),
        )
        return call.ids("Organizations", [organization.id], status=201)

    async def update_organization(self, call: Call) -> web.Response:
        """PUT101 Update Organization (2.1); MOD003 (2.0)."""
        params = call.params
        organization = call.model.update_organization(
            call.path_id("organizationId"),
            friendly_name=params.single("friendlyName"),
            organization_type=params.single(ORGANIZATION_TYPE_PARAMETER[call.version]),
            attributes=organization_custom_attributes(params),
        )
        return call.ids("Organizations", [organization.id])

    async def list_organizations(self, call: Call) -> web.Response:
        """GET106 List Organizations (2.1 and 2.0)."""
        params = call.params
        exact = params.boolean("exactMatch")
        filters = attribute_filters(params, call.model.organization_filter_names())
        filters = [
            AttributeFilter("organizationType" if f.name == "organizationClass" else f.name, f.value) for f in filters
        ]
        return call.ids("Organizations", call.model.list_organizations(filters, exact))

    async def query_organization(self, call: Call) -> web.Response:
        """GET107 Query Organization (2.1 and 2.0)."""
        call.params.reject_unknown()
        return call.entity(organization_entity(call.model.get_organization(call.path_id("organizationId"))))

    async def list_organization_users(self, call: Call) -> web.Response:
        """GET113 List Organization's Users."""
        params = call.params
        recursive = params.boolean("recursive")
        exact = params.boolean("exactMatch")
        max_results = params.count("maxResults")
        filters = attribute_filters(params, call.model.user_filter_names())
        ids = call.model.list_users(
            filters,
            exact=exact,
            max_results=max_results,
            organization_id=call.path_id("organizationId"),
            recursive=recursive,
        )
        return call.ids("Users", ids)

    async def list_organization_given_mandates(self, call: Call) -> web.Response:
        """GET118 List Organization's Given Mandates."""
        return call.mandates(call.model.given_mandates(call.path_id("organizationId"), "organization"))

    async def list_organization_received_mandates(self, call: Call) -> web.Response:
        """GET119 List Organization's Received Mandates."""
        return call.mandates(call.model.received_mandates(call.path_id("organizationId"), "organization"))

    # -- users ---------------------------------------------------------------------
    async def list_users(self, call: Call) -> web.Response:
        """GET104 List Users (2.1 and 2.0)."""
        params = call.params
        exact = params.boolean("exactMatch")
        max_results = params.count("maxResults")
        filters = attribute_filters(params, call.model.user_filter_names())
        return call.ids("Users", call.model.list_users(filters, exact=exact, max_results=max_results))

    async def query_user(self, call: Call) -> web.Response:
        """GET105 Query User (2.1 and 2.0)."""
        call.params.reject_unknown()
        user = call.model.get_user(call.path_id("userId"))
        return call.entity(user_entity(call.model, user))

    async def update_user(self, call: Call) -> web.Response:
        """PUT103 Update User (2.1); Update User (2.0)."""
        user = call.model.update_user(call.path_id("userId"), user_changes_from_query(call.params))
        return call.ids("Users", [user.id])

    async def patch_user(self, call: Call) -> web.Response:
        """PATCH124 Update User: form, XML or JSON body; XML or JSON answer by Accept."""
        call.params.reject_unknown()
        request = call.request
        content_type = request.content_type
        if content_type == "application/x-www-form-urlencoded":
            check_form_charset(request.charset)
            check_url_encoding(await request.read(), "the form body")
            form = await request.post()
            changes = user_changes_from_query(Parameters(form))
        elif content_type in ("application/xml", "text/xml"):
            fields, custom = parse_user_request_xml(await request.read())
            changes = user_changes(fields, custom)
        elif content_type == "application/json":
            fields, custom = parse_user_request_json(await request.read())
            changes = user_changes(fields, custom)
        else:
            raise InvalidArguments(
                f"unsupported Content-Type {content_type!r}: use application/x-www-form-urlencoded, "
                "application/xml or application/json"
            )
        user = call.model.update_user(call.path_id("userId"), changes)
        organization = call.model.organizations.get(user.organization_id)
        values = {name: getattr(user, name) for name in USER_FIELDS}
        values.update(
            status=BY_CODE[user.status].name,
            userId=user.id,
            repoId=user.cn,
            organization=organization.friendly_name if organization else None,
            organizationEntityName=organization.entity_name if organization else None,
        )
        attributes = dict(sorted(user.attributes.items()))
        if call.wants_json:
            return web.Response(body=user_response_json(values, attributes), content_type=JSON_CONTENT_TYPE)
        return call.xml(user_response_xml(call.in_response_to, "PATCH", values, attributes))

    async def delete_user(self, call: Call) -> web.Response:
        """DEL102 Delete User (2.1); Delete User (2.0)."""
        call.params.reject_unknown()
        user = call.model.delete_user(call.path_id("userId"))
        return call.ids("Users", [user.id])

    async def reinvite_user(self, call: Call) -> web.Response:
        """PUT123 Reinvite User: ReinviteResponse, XML or JSON by Accept."""
        call.params.reject_unknown()
        user = call.model.reinvite_user(call.path_id("userId"))
        email = user.email
        assert email is not None  # reinvite_user refuses a user without one
        if call.wants_json:
            return web.Response(body=reinvite_response_json(user.id, email), content_type=JSON_CONTENT_TYPE)
        return call.xml(reinvite_response_xml(call.in_response_to, user.id, email))

    async def force_password_change(self, call: Call) -> web.Response:
        """PUT125 Force Password Change for User: 204 No Content."""
        call.params.reject_unknown()
        call.model.force_password_change(call.path_id("userId"))
        return web.Response(status=204)

    async def list_user_roles(self, call: Call) -> web.Response:
        """GET117 List User's Roles."""
        call.params.reject_unknown()
        return call.ids("Roles", call.model.user_roles(call.path_id("userId")))

    async def list_user_given_mandates(self, call: Call) -> web.Response:
        """GET120 List User's Given Mandates."""
        return call.mandates(call.model.given_mandates(call.path_id("userId"), "user"))

    async def list_user_received_mandates(self, call: Call) -> web.Response:
        """GET121 List User's Received Mandates."""
        return call.mandates(call.model.received_mandates(call.path_id("userId"), "user"))

    async def list_user_received_mandate_delegations(self, call: Call) -> web.Response:
        """GET122 List User's Received Mandate Delegations."""
        return call.mandates(call.model.received_mandate_delegations(call.path_id("userId")))

    async def list_user_role_invitations(self, call: Call) -> web.Response:
        """GET114 List Role Invitations (for user) (2.1 and 2.0)."""
        call.params.reject_unknown()
        return call.ids("RoleInvitations", call.model.user_role_invitations(call.path_id("userId")))

    async def list_user_delegations(self, call: Call) -> web.Response:
        """GET115 List Received Mandate Role Delegations (for user)."""
        call.params.reject_unknown()
        return call.ids("Delegations", call.model.received_role_delegations(call.path_id("userId")))

    # -- roles, mandates, invitations, delegations ------------------------------------
    async def list_roles(self, call: Call) -> web.Response:
        """GET108 List Roles (2.1 and 2.0)."""
        call.params.reject_unknown()
        return call.ids("Roles", call.model.list_roles())

    async def query_role(self, call: Call) -> web.Response:
        """GET109 Query Role (2.1 and 2.0)."""
        call.params.reject_unknown()
        return call.entity(role_entity(call.model.get_role(call.path_id("roleId"))))

    async def list_mandates(self, call: Call) -> web.Response:
        """GET110 List Mandates (2.1 and 2.0)."""
        return call.mandates(call.model.list_mandates())

    async def query_mandate(self, call: Call) -> web.Response:
        """GET111 Query Mandate, 2.1 and 2.0 (entities=true expands mandater, mandatee and role)."""
        expand = call.params.boolean("entities")
        call.params.reject_unknown()
        mandate = call.model.get_mandate(call.path_id("mandateId"))
        return call.entity(mandate_entity(call.model, mandate, expand=expand))

    async def list_role_invitations(self, call: Call) -> web.Response:
        """GET112 List Role Invitations (2.1 and 2.0)."""
        call.params.reject_unknown()
        return call.ids("RoleInvitations", call.model.list_role_invitations())

    async def query_delegation(self, call: Call) -> web.Response:
        """GET116 Query Mandate Role Delegation."""
        call.params.reject_unknown()
        return call.entity(delegation_entity(call.model.get_role_delegation(call.path_id("delegationId"))))
