"""CustomerID REST 1.0 (/eidm2/services/) and the 1.2 API
(/customerid-rest/services/), one method per operation, named in endpoints.yaml.

Same model as 2.x: these handlers only read 1.x parameter names, resolve entity
names (``ORG/SUB``, ``ORG/ROLE``, ``ORG/USERNAME``) and mandate names to records,
and answer with the 1.2 document family (render12.py, entities12.py). Codes
starting ``D10-``/``D12-`` are ours: the vendor's code is unknown (the 1.0 request
operations, and every 1.2 operation, whose pages are not public; docs/fidelity.md).
"""

from __future__ import annotations

import fnmatch

from aiohttp import web

from .call import Call, organization_custom_attributes
from .entities12 import mandate12, mandate_template12, organization12, pending_user12, role12, role_invitation12, user12
from .errors import EntityNotFound, InvalidArguments, InvalidReference, ParentNotFound, SizeLimitExceeded
from .models import UserChanges
from .models.mandates import mandate_kinds
from .params import Parameters, parse_boolean

# MOD004b's parameters -> the model's user fields
USER_FIELDS_10 = {
    "uid": "login",
    "email": "email",
    "firstname": "firstname",
    "surname": "surname",
    "mobile": "mobile",
    "locale": "locale",
    "hetu": "ssn",
}
# Deprecated in MOD004b ("provided by OTP Server"): accepted, and ignored.
DEPRECATED_USER_PARAMETERS_10 = ("otp.state", "sms.activated", "otp.activated")
QUERY_USER_KEYS_10 = {"uniqueId": "id", "ssn": "ssn", "login": "login", "email": "email"}
PENDING_USER_FIELDS_12 = ("firstname", "surname", "mobile", "locale")


def required(params: Parameters, name: str) -> str:
    value = params.single(name)
    if not value:
        raise InvalidArguments(f"parameter {name!r} is mandatory")
    return value


def referenced(lookup, value: str, what: str):
    """An entity named in a request parameter (not the path): missing is Invalid reference."""
    try:
        return lookup(value)
    except EntityNotFound:
        raise InvalidReference(f"{what} {value!r} does not exist") from None


def organization_type_10(params: Parameters) -> str | None:
    """1.0 takes the old name (organizationClass) and the new (organizationType)."""
    old, new = params.single("organizationClass"), params.single("organizationType")
    if old and new and old != new:
        raise InvalidArguments("organizationClass and organizationType name different types")
    return old or new


def user_changes_10(params: Parameters) -> UserChanges:
    """MOD004b / MOD009 parameters -> UserChanges (custom attributes: comma-separated)."""
    changes = UserChanges()
    for name, field in USER_FIELDS_10.items():
        value = params.single(name)
        if value is not None:
            changes.fields[field] = value
    changes.password = params.single("pwd")
    activated = params.single("pwd.activated")
    changes.password_enabled = None if activated is None else parse_boolean("pwd.activated", activated)
    enable, disable = params.boolean("enable"), params.boolean("disable")
    if enable and disable:
        raise InvalidArguments("enable and disable cannot both be true")
    changes.status = "Enabled" if enable else "Disabled" if disable else None
    changes.remove_roles = params.boolean("roles.remove")
    changes.remove_mandates = params.boolean("mandates.remove")
    params.single("otp.state")
    for name in DEPRECATED_USER_PARAMETERS_10[1:]:
        params.boolean(name)
    changes.attributes.update(organization_custom_attributes(params))
    return changes


def checked_max_results(params: Parameters, records: list) -> list:
    """1.0 maxResults: going over it is error 12 Size limit exceeded (not truncation)."""
    limit = params.count("maxResults")
    if 0 < limit < len(records):
        raise SizeLimitExceeded(f"{len(records)} results, maxResults is {limit}")
    return records


def split_entity_name(entity_name: str) -> tuple[str, str]:
    """``ORG/SUB/NAME`` -> (``ORG/SUB``, ``NAME``)."""
    parent, _, name = entity_name.rpartition("/")
    if not parent:
        raise EntityNotFound(f"{entity_name!r} names no organization")
    return parent, name


class Rest10Handlers:
    # -- organizations -------------------------------------------------------------
    async def create_organization_10(self, call: Call) -> web.Response:
        """MOD001b Create Organization (1.0): the URL names the parent (orgs/ = top level)."""
        params = call.params
        model = call.model
        parent = None
        if "parent" in call.path_params:
            try:
                parent = model.organization_by_entity_name(call.path_params["parent"])
            except EntityNotFound:
                raise ParentNotFound(f"no organization {call.path_params['parent']}") from None
        organization = model.create_organization(
            virtual=params.boolean("virtual"),
            technical_name=required(params, "organizationId"),
            friendly_name=required(params, "friendlyName"),
            parent_id=parent.id if parent else None,
            organization_type=organization_type_10(params),
            attributes=organization_custom_attributes(params),
        )
        return call.idlist([call.links.organization(organization)], status=201)

    async def list_organizations_10(self, call: Call) -> web.Response:
        """D10-ListOrganizations List Organizations (1.0): sub-organizations of the URL's
        organization (orgs/ = the top level); recursive, friendlyName (* wildcard),
        organizationType, internal, maxResults (error 12), entities."""
        params = call.params
        model = call.model
        parent = model.organization_by_entity_name(call.path_params["parent"]) if "parent" in call.path_params else None
        recursive = params.boolean("recursive")
        params.boolean("internal")  # no CustomerID-internal organizations are emulated
        friendly = params.single("friendlyName")
        organization_type = params.single("organizationType")
        organizations = model.sub_organizations(parent.id if parent else None, recursive=recursive)
        if friendly:
            pattern = friendly.casefold()
            organizations = [o for o in organizations if fnmatch.fnmatchcase(o.friendly_name.casefold(), pattern)]
        if organization_type:
            organizations = [o for o in organizations if o.organization_type == organization_type]
        organizations = checked_max_results(params, organizations)
        links = call.links
        return call.collection12(organizations, organization12, links.organization)

    async def query_organization_10(self, call: Call) -> web.Response:
        """D10-QueryOrganization Query Organization (1.0): org/ENTITYNAME, case-sensitive."""
        call.params.reject_unknown()
        organization = call.model.organization_by_entity_name(call.path_params["organization"], case_sensitive=True)
        return call.entity12(organization12(call.links, organization))

    async def remove_organization_10(self, call: Call) -> web.Response:
        """MOD002 Remove Organization (1.0): the idlist names every removed
        organization, role and user; sub-organizations only with recursive=true."""
        params = call.params
        recursive = params.boolean("recursive")
        params.reject_unknown()
        model = call.model
        organization = model.organization_by_entity_name(call.path_params["organization"], case_sensitive=True)
        removed = model.delete_organization(organization.id, recursive=recursive)
        links = call.links
        organizations = {record.id: record for record in removed if type(record).__name__ == "Organization"}
        urls = []
        for record in removed:
            kind = type(record).__name__
            if kind == "Organization":
                urls.append(links.organization(record))
            elif kind == "Role":
                urls.append(links.role(record))
            else:
                urls.append(links.user_in(record, organizations[record.organization_id]))
        return call.idlist(urls)

    async def update_organization_10(self, call: Call) -> web.Response:
        """MOD003b Update Organization (1.0)."""
        params = call.params
        model = call.model
        organization = model.organization_by_entity_name(call.path_params["organization"], case_sensitive=True)
        organization = model.update_organization(
            organization.id,
            friendly_name=params.single("friendlyName"),
            organization_type=organization_type_10(params),
            attributes=organization_custom_attributes(params),
        )
        return call.idlist([call.links.organization(organization)])

    # -- users ---------------------------------------------------------------------
    async def update_user_10(self, call: Call) -> web.Response:
        """MOD004b Update User (1.0): user/ORG/NAME; create=true creates a missing user
        of that name."""
        params = call.params
        model = call.model
        create = params.boolean("create")
        changes = user_changes_10(params)
        entity_name = call.path_params["user"]
        try:
            user = model.user_by_entity_name(entity_name)
        except EntityNotFound:
            if not create:
                raise
            organization_name, name = split_entity_name(entity_name)
            organization = model.organization_by_entity_name(organization_name, case_sensitive=True)
            user = model.create_user(organization.id, changes, cn=name)
            return call.idlist([call.links.user(user)], status=201)
        user = model.update_user(user.id, changes)
        return call.idlist([call.links.user(user)])

    async def create_user_10(self, call: Call) -> web.Response:
        """MOD009 Create User (1.0): POST user/ORG/ with a random unique name; the
        organization is not checked to be non-virtual (as the page warns)."""
        params = call.params
        model = call.model
        organization = model.organization_by_entity_name(call.path_params["organization"], case_sensitive=True)
        user = model.create_user(organization.id, user_changes_10(params))
        return call.idlist([call.links.user(user)], status=201)

    async def remove_user_10(self, call: Call) -> web.Response:
        """MOD010b Remove User (1.0)."""
        call.params.reject_unknown()
        model = call.model
        user = model.user_by_entity_name(call.path_params["user"])
        url = call.links.user(user)
        model.delete_user(user.id)
        return call.idlist([url])

    async def query_user_10(self, call: Call) -> web.Response:
        """D10-QueryUser Query User (1.0): user/ORG/NAME (case-sensitive), or user/ with
        exactly one of uniqueId, ssn, login, email."""
        params = call.params
        model = call.model
        if "user" in call.path_params:
            params.reject_unknown()
            user = model.user_by_entity_name(call.path_params["user"])
        else:
            given = [(name, value) for name in QUERY_USER_KEYS_10 if (value := params.single(name))]
            params.reject_unknown()
            if len(given) != 1:
                raise InvalidArguments("give exactly one of uniqueId, ssn, login, email")
            name, value = given[0]
            user = model.find_user(QUERY_USER_KEYS_10[name], value)
        return call.entity12(user12(call.links, user))

    async def list_users_10(self, call: Call) -> web.Response:
        """D10-ListUsers List Users (1.0): users/ (everyone) or users/ORG/ (case-insensitive);
        recursive, maxResults (error 12), entities."""
        params = call.params
        model = call.model
        recursive = params.boolean("recursive")
        if "organization" in call.path_params:
            organization = model.organization_by_entity_name(call.path_params["organization"])
            ids = model.list_users([], organization_id=organization.id, recursive=recursive)
        else:
            ids = model.list_users([])
        users = checked_max_results(params, [model.users.get(user_id) for user_id in ids])
        links = call.links
        return call.collection12(users, user12, links.user)

    async def update_users_10(self, call: Call) -> web.Response:
        """D10-UpdateUsers Update Users (1.0): enableUsers, disableUsers or deleteUsers=true
        for every user of users/ORG/; the idlist names the users changed."""
        params = call.params
        model = call.model
        actions = [action for action in ("enable", "disable", "delete") if params.boolean(f"{action}Users")]
        params.reject_unknown()
        if len(actions) != 1:
            raise InvalidArguments("give exactly one of enableUsers, disableUsers, deleteUsers = true")
        organization = model.organization_by_entity_name(call.path_params["organization"])
        links = call.links
        urls_before = {user.id: links.user(user) for user in model.users.find("organization", organization.id)}
        changed = model.update_organization_users(organization.id, actions[0])
        return call.idlist(urls_before[user.id] for user in changed)

    # -- roles ---------------------------------------------------------------------
    async def create_role_10(self, call: Call) -> web.Response:
        """MOD007 Create Role (1.0): role/ORG/ROLE; memberOf names a role by entity name."""
        params = call.params
        model = call.model
        organization_name, name = split_entity_name(call.path_params["role"])
        member_of = params.single("memberOf")
        params.reject_unknown()
        organization = model.organization_by_entity_name(organization_name, case_sensitive=True)
        parents = (model.role_reference(member_of).id,) if member_of else ()
        role = model.create_role(organization.id, name, member_of=parents)
        return call.idlist([call.links.role(role)], status=201)

    async def remove_role_10(self, call: Call) -> web.Response:
        """MOD008 Remove Role (1.0): also its assignments, invitations, mandates and delegations."""
        call.params.reject_unknown()
        model = call.model
        role = model.role_by_entity_name(call.path_params["role"])
        url = call.links.role(role)
        model.delete_role(role.id)
        return call.idlist([url])

    async def query_role_10(self, call: Call) -> web.Response:
        """D10-QueryRole Query Role (1.0): role/ORG/ROLE."""
        call.params.reject_unknown()
        return call.entity12(role12(call.links, call.model.role_by_entity_name(call.path_params["role"])))

    async def assign_role_10(self, call: Call) -> web.Response:
        """MOD005 Assign Role (1.0): assignments/ORG/ROLE?user=ORG/NAME; answers <idlist/>."""
        role, user = self._assignment(call)
        call.model.assign_role(user.id, role.id)
        return call.idlist([])

    async def deassign_role_10(self, call: Call) -> web.Response:
        """MOD006 Deassign Role (1.0); a role the user does not have is Entity not found."""
        role, user = self._assignment(call)
        call.model.unassign_role(user.id, role.id)
        return call.idlist([])

    @staticmethod
    def _assignment(call: Call):
        params = call.params
        user_name = required(params, "user")
        params.reject_unknown()
        role = call.model.role_by_entity_name(call.path_params["role"])
        user = referenced(call.model.user_by_entity_name, user_name, "user")
        return role, user


class Rest12Handlers:
    # -- pending users, invitations, registrations -----------------------------------
    async def create_pending_user_12(self, call: Call) -> web.Response:
        """D12-CreatePendingUser Create Pending User (1.2, designed): a user Waiting for
        registration in ``organization``, invited at ``email``; with ``role`` also a
        role invitation."""
        params = call.params
        model = call.model
        organization = referenced(model.organization_by_entity_name, required(params, "organization"), "organization")
        email = required(params, "email")
        role_name = params.single("role")
        fields = {name: value for name in PENDING_USER_FIELDS_12 if (value := params.single(name))}
        params.reject_unknown()
        role = model.role_reference(role_name) if role_name else None
        user = model.create_pending_user(organization.id, email=email, role_id=role.id if role else None, fields=fields)
        return call.idlist([call.links.pending_user(user)], status=201)

    async def create_role_invitation_12(self, call: Call) -> web.Response:
        """D12-CreateRoleInvitation Create Role Invitation (1.2, designed): ``role`` (entity
        name) for ``user`` (id); ``email`` defaults to the user's."""
        params = call.params
        model = call.model
        role = model.role_reference(required(params, "role"))
        user_id = required(params, "user")
        email = params.single("email")
        params.reject_unknown()
        invitation = model.create_role_invitation(role_id=role.id, user_id=user_id, email=email)
        return call.idlist([call.links.role_invitation(invitation)], status=201)

    async def query_role_invitation_12(self, call: Call) -> web.Response:
        """D12-QueryRoleInvitation Query Role Invitation (1.2, designed)."""
        call.params.reject_unknown()
        invitation = call.model.get_role_invitation(call.path_params["invitationId"])
        return call.entity12(role_invitation12(call.links, invitation))

    async def list_organization_role_invitations_12(self, call: Call) -> web.Response:
        """D12-ListOrganizationRoleInvitations List Role Invitations for an organization
        (1.2, designed): roleinvitations/ORG/ (case-insensitive), entities."""
        model = call.model
        organization = model.organization_by_entity_name(call.path_params["organization"])
        invitations = [model.role_invitations.get(i) for i in model.organization_role_invitations(organization.id)]
        return call.collection12(invitations, role_invitation12, call.links.role_invitation)

    async def list_registrations_12(self, call: Call) -> web.Response:
        """D12-ListRegistrations List Registrations (1.2, designed): every user Waiting for
        registration or Pending approval; entities."""
        return call.collection12(call.model.registrations(), pending_user12, call.links.registration)

    async def list_registration_12(self, call: Call) -> web.Response:
        """D12-ListRegistration List Registration (1.2, designed): the open registrations of
        one organization (registrations/ORG/)."""
        model = call.model
        organization = model.organization_by_entity_name(call.path_params["organization"])
        return call.collection12(model.registrations(organization.id), pending_user12, call.links.registration)

    async def query_registration_12(self, call: Call) -> web.Response:
        """D12-QueryRegistration Query Registration (1.2, designed): registration/USERID."""
        call.params.reject_unknown()
        return call.entity12(pending_user12(call.links, call.model.get_registration(call.path_params["userId"])))

    # -- mandates ------------------------------------------------------------------
    @staticmethod
    def _party(call: Call, kind: str, value: str, what: str) -> str:
        """A mandate party: an organization by entity name, a person by user id."""
        model = call.model
        if kind == "organization":
            return referenced(model.organization_by_entity_name, value, f"{what} organization").id
        return referenced(model.get_user, value, f"{what} user").id

    async def create_mandate_12(self, call: Call) -> web.Response:
        """D12-CreateMandate Create Mandate (1.2, designed): type (OrgToPer…), mandater,
        mandatee (organization entity name or user id, by type), role (entity name),
        name, assigneeEmail."""
        params = call.params
        model = call.model
        mandate_type = required(params, "type")
        mandater_kind, mandatee_kind = mandate_kinds(mandate_type)
        mandater = self._party(call, mandater_kind, required(params, "mandater"), "mandater")
        mandatee = self._party(call, mandatee_kind, required(params, "mandatee"), "mandatee")
        role = model.role_reference(required(params, "role"))
        name, email = params.single("name"), params.single("assigneeEmail")
        params.reject_unknown()
        mandate = model.create_mandate(
            mandate_type=mandate_type,
            mandater_id=mandater,
            mandatee_id=mandatee,
            role_id=role.id,
            name=name,
            assignee_email=email,
        )
        return call.idlist([call.links.mandate(mandate)], status=201)

    async def list_mandates_12(self, call: Call) -> web.Response:
        """D12-ListMandates List Mandates (1.2): entities."""
        model = call.model
        mandates = sorted((model.get_mandate(i) for i in model.list_mandates()), key=lambda m: m.name)
        return call.collection12(mandates, mandate12, call.links.mandate)

    async def query_mandate_12(self, call: Call) -> web.Response:
        """D12-QueryMandate Query Mandate (1.2): mandate/MANDATENAME."""
        call.params.reject_unknown()
        return call.entity12(mandate12(call.links, call.model.mandate_by_name(call.path_params["mandate"])))

    async def update_mandate_12(self, call: Call) -> web.Response:
        """D12-UpdateMandate Update Mandate (1.2, designed): name, assigneeEmail, role."""
        params = call.params
        model = call.model
        mandate = model.mandate_by_name(call.path_params["mandate"])
        role_name = params.single("role")
        name, email = params.single("name"), params.single("assigneeEmail")
        params.reject_unknown()
        role = model.role_reference(role_name) if role_name else None
        mandate = model.update_mandate(mandate.id, name=name, assignee_email=email, role_id=role.id if role else None)
        return call.idlist([call.links.mandate(mandate)])

    async def remove_mandate_12(self, call: Call) -> web.Response:
        """D12-RemoveMandate Remove Mandate (1.2, designed): with its delegations."""
        call.params.reject_unknown()
        model = call.model
        mandate = model.mandate_by_name(call.path_params["mandate"])
        url = call.links.mandate(mandate)
        model.delete_mandate(mandate.id)
        return call.idlist([url])

    # -- mandate templates ------------------------------------------------------------
    async def create_mandate_template_12(self, call: Call) -> web.Response:
        """D12-CreateMandateTemplate Create Mandate Template (1.2, designed): name, type,
        role (entity name), description."""
        params = call.params
        model = call.model
        name, mandate_type = required(params, "name"), required(params, "type")
        role = model.role_reference(required(params, "role"))
        description = params.single("description")
        params.reject_unknown()
        template = model.create_mandate_template(
            name=name, mandate_type=mandate_type, role_id=role.id, description=description
        )
        return call.idlist([call.links.mandate_template(template)], status=201)

    async def list_mandate_templates_12(self, call: Call) -> web.Response:
        """D12-ListMandateTemplates List Mandate Templates (1.2): entities."""
        return call.collection12(call.model.list_mandate_templates(), mandate_template12, call.links.mandate_template)

    async def query_mandate_template_12(self, call: Call) -> web.Response:
        """D12-QueryMandateTemplate Query Mandate Template (1.2)."""
        call.params.reject_unknown()
        template = call.model.mandate_template_by_name(call.path_params["template"])
        return call.entity12(mandate_template12(call.links, template))

    async def update_mandate_template_12(self, call: Call) -> web.Response:
        """D12-UpdateMandateTemplate Update Mandate Template (1.2, designed)."""
        params = call.params
        model = call.model
        template = model.mandate_template_by_name(call.path_params["template"])
        role_name = params.single("role")
        name, mandate_type, description = params.single("name"), params.single("type"), params.single("description")
        params.reject_unknown()
        role = model.role_reference(role_name) if role_name else None
        template = model.update_mandate_template(
            template.id,
            name=name,
            mandate_type=mandate_type,
            role_id=role.id if role else None,
            description=description,
        )
        return call.idlist([call.links.mandate_template(template)])

    async def remove_mandate_template_12(self, call: Call) -> web.Response:
        """D12-RemoveMandateTemplate Remove Mandate Template (1.2, designed)."""
        call.params.reject_unknown()
        model = call.model
        template = model.mandate_template_by_name(call.path_params["template"])
        url = call.links.mandate_template(template)
        model.delete_mandate_template(template.id)
        return call.idlist([url])

    async def assign_mandate_template_12(self, call: Call) -> web.Response:
        """D12-AssignMandateTemplate Assign Mandate Template (1.2, designed): POST to the
        template with mandater and mandatee makes a mandate of its type and role."""
        params = call.params
        model = call.model
        template = model.mandate_template_by_name(call.path_params["template"])
        mandater_kind, mandatee_kind = mandate_kinds(template.type)
        mandater = self._party(call, mandater_kind, required(params, "mandater"), "mandater")
        mandatee = self._party(call, mandatee_kind, required(params, "mandatee"), "mandatee")
        name, email = params.single("name"), params.single("assigneeEmail")
        params.reject_unknown()
        mandate = model.assign_mandate_template(
            template.id, mandater_id=mandater, mandatee_id=mandatee, name=name, assignee_email=email
        )
        return call.idlist([call.links.mandate(mandate)], status=201)

    # -- delegations ---------------------------------------------------------------
    def _delegation_parameters(self, call: Call, *, with_role: bool, creating: bool):
        params = call.params
        model = call.model
        mandate = referenced(model.mandate_by_name, required(params, "mandate"), "mandate")
        role = model.role_reference(required(params, "role")) if with_role else None
        delegate = referenced(model.get_user, required(params, "mandatee"), "mandatee user")
        delegator = referenced(model.get_user, required(params, "mandateruser"), "mandateruser") if creating else None
        params.reject_unknown()
        return mandate, role, delegate, delegator

    async def delegate_mandate_12(self, call: Call) -> web.Response:
        """D12-DelegateMandate Delegate Mandate (1.2, designed): mandate (name), mandatee
        (user id receiving it), mandateruser (user id delegating); answers <idlist/>."""
        mandate, _, delegate, delegator = self._delegation_parameters(call, with_role=False, creating=True)
        call.model.delegate(mandate_id=mandate.id, delegate_user_id=delegate.id, mandater_user_id=delegator.id)
        return call.idlist([])

    async def delegate_mandate_role_12(self, call: Call) -> web.Response:
        """D12-DelegateMandateRole Delegate Mandate Role (1.2, designed): as Delegate
        Mandate, plus role (entity name, the mandate's role)."""
        mandate, role, delegate, delegator = self._delegation_parameters(call, with_role=True, creating=True)
        call.model.delegate(
            mandate_id=mandate.id, delegate_user_id=delegate.id, mandater_user_id=delegator.id, role_id=role.id
        )
        return call.idlist([])

    async def remove_mandate_delegation_12(self, call: Call) -> web.Response:
        """D12-RemoveMandateDelegation Remove Mandate Delegation (1.2, designed)."""
        mandate, _, delegate, _ = self._delegation_parameters(call, with_role=False, creating=False)
        call.model.remove_delegations(mandate_id=mandate.id, delegate_user_id=delegate.id, role_id=None)
        return call.idlist([])

    async def remove_mandate_role_delegation_12(self, call: Call) -> web.Response:
        """D12-RemoveMandateRoleDelegation Remove Mandate Role Delegation (1.2, designed)."""
        mandate, role, delegate, _ = self._delegation_parameters(call, with_role=True, creating=False)
        call.model.remove_delegations(mandate_id=mandate.id, delegate_user_id=delegate.id, role_id=role.id)
        return call.idlist([])
