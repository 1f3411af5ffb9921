"""``emulator scenario from-cassette``: the entities a cassette's answers show,
as a scenario file the emulator loads.

CustomerID (2.0/2.1 answers): organizations (GET107), users (GET105), roles
(GET109), users' roles (GET117), mandates (GET111); an organization a user or role
names but no answer showed becomes a placeholder built from its entity name. DFS:
roles (get /v2.0/roles, get /v2.0/roles/{roleId}, role hierarchies), identities
with their role, bank branch, identity provider and member (get /v1.0/identities/{identityId},
identity search, roles hierarchy-level), the access policies roles carry, in one
tenant. Ids are kept, so the cassette replays against the scenario. Credentials
are never in a cassette: the scenario gets the emulator's default service
account (restuser / secret), and a DFS identity with all policies as the default;
a cassette that used a token server (the SSO, DFS /connect/token) gets its default
OAuth2 client and user, so its replay can authenticate.

Personal data (names, logins, e-mail, phone numbers, SSN, free-text
descriptions) is replaced with Faker pseudonyms, the same person always getting
the same one, unless ``keep_personal_data``."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qsl, unquote

import yaml
from faker import Faker

from .cassette import Exchange, read_exchanges
from .documents import UUID, Node, parse
from .naming import OperationNamer

SERVICE_ACCOUNT = {"username": "restuser", "password": "secret"}
API_USERS = "CustomerID API Users"  # the SSO group whose members may call CustomerID
DFS_CLIENT = ("dfs-ci-client", "dfs-ci-secret")
TOKEN_SERVERS = {"customerid": "sso", "dfs": "identity"}  # api -> the endpoint-table version of its token server
TENANT_NAMESPACE = uuid.UUID("5d1f4a3e-7a3b-4bd6-9a57-6d6e1c0f7a10")  # uid of the tenant when no answer shows it
USER_FIELDS = ("firstname", "surname", "mobile", "cn", "login", "email", "ssn", "locale", "status")
USER_SKIP = frozenset(("id", "organization", "organizationEntityName", "organizationId", "organizationClass"))


def _attributes(document: Node) -> dict[str, object]:
    """A CustomerID document's ``<Attribute name=...><Value>`` pairs; a repeated
    Value is a list."""
    found: dict[str, object] = {}
    for key, child in document.children:
        if not key.startswith("Attribute:"):
            continue
        values = [value.value for value_key, value in child.children if value_key == "Value"]
        found[key.split(":", 1)[1]] = values[0] if len(values) == 1 else values
    return found


def _text(values: dict[str, object], name: str) -> str | None:
    """One attribute's single value; None when absent or repeated (a list)."""
    value = values.get(name)
    return value if isinstance(value, str) else None


def _last_segment(path: str) -> str:
    return unquote(path.rstrip("/").rsplit("/", 1)[-1])


class Pseudonyms:
    """The same real value always gets the same stand-in."""

    def __init__(self, keep: bool, seed: int) -> None:
        self.keep = keep
        self.faker = Faker()
        self.faker.seed_instance(seed)
        self._given: dict[tuple[str, str], str] = {}

    def __call__(self, kind: str, value: object) -> object:
        if self.keep or not isinstance(value, str) or not value:
            return value
        key = (kind, value)
        if key not in self._given:
            self._given[key] = self._make(kind)
        return self._given[key]

    def _make(self, kind: str) -> str:
        faker = self.faker
        return {
            "first": faker.first_name,
            "last": faker.last_name,
            "email": faker.unique.email,
            "login": faker.unique.user_name,
            "phone": lambda: "+358" + faker.numerify("40#######"),
            "ssn": lambda: faker.numerify("######-####"),
            "text": lambda: faker.sentence(nb_words=4),
        }.get(kind, faker.word)()


class Harvest:
    def __init__(self, pseudonyms: Pseudonyms) -> None:
        self.fake = pseudonyms
        self.organizations: dict[str, dict] = {}  # id or entity name -> entry (+ "_entity")
        self.by_entity: dict[str, str] = {}
        self.users: dict[str, dict] = {}
        self.roles: dict[str, dict] = {}
        self.user_roles: dict[str, list[str]] = {}
        self.mandates: dict[str, dict] = {}
        self.user_attributes: set[str] = set()
        self.organization_attributes: set[str] = set()
        self.organization_types: set[str] = set()
        self.dfs_roles: dict[int, dict] = {}
        self.dfs_identities: dict[str, dict] = {}
        self.policies: dict[int, dict] = {}
        self.branches: dict[int, str] = {}
        self.providers: dict[int, dict] = {}
        self.tenant_id: int | None = None
        self.token_servers: set[str] = set()  # apis whose token server the recording used
        # what the recording itself created (a POST's answer): the replay creates it again, so
        # seeding it would make the replayed creation a conflict
        self.created: set[str] = set()
        # ids the recording's requests used (successfully) that no answer described: they
        # existed in the sandbox before, so they become placeholders ("organization"/"user")
        self.requested: dict[str, str] = {}
        self.created_dfs_roles: set[int] = set()
        self.namer = OperationNamer()

    # -- CustomerID ---------------------------------------------------------------------

    def organization(self, entity_name: str, organization_id: str | None = None) -> str:
        """The key of the organization with this entity name, a placeholder if no answer showed it."""
        if entity_name in self.by_entity:
            key = self.by_entity[entity_name]
            if organization_id and "id" not in self.organizations[key]:
                self.organizations[key]["id"] = organization_id
            return key
        parent, _, technical_name = entity_name.rpartition("/")
        parent_key = self.organization(parent) if parent else None  # first: it takes the next key
        key = f"org-{len(self.organizations) + 1}"
        entry: dict = {"technicalName": technical_name, "friendlyName": technical_name}
        if organization_id:
            entry["id"] = organization_id
        if parent_key:
            entry["parent"] = parent_key
        self.organizations[key] = entry
        self.by_entity[entity_name] = key
        return key

    def query_organization(self, exchange: Exchange, document: Node) -> None:
        values = _attributes(document)
        entity_name = values.get("entityName")
        if not isinstance(entity_name, str) or _last_segment(exchange.request.path).lower() in self.created:
            return
        key = self.organization(entity_name, _last_segment(exchange.request.path))
        entry = self.organizations[key]
        if isinstance(values.get("friendlyName"), str):
            entry["friendlyName"] = values["friendlyName"]
        organization_class = values.get("organizationClass")
        if isinstance(organization_class, str) and organization_class != "default":
            entry["type"] = organization_class
            self.organization_types.add(organization_class)
        extra = {
            name: value
            for name, value in values.items()
            if name not in ("entityName", "friendlyName", "organizationClass", "id") and value is not None
        }
        if extra:
            entry["attributes"] = extra
            self.organization_attributes.update(extra)

    def patched_user(self, exchange: Exchange, document: Node) -> None:
        """PATCH124's UserResponse (XML or JSON): the user as the update left it."""
        values: dict[str, object] = {}
        for key, child in document.children:
            if key == "customAttributes":
                for name, attribute in child.children:
                    items = [item.value for _, item in attribute.children] if attribute.children else [attribute.value]
                    values[name.split(":", 1)[-1]] = items[0] if len(items) == 1 else items
            elif not child.children:
                values[{"userId": "id"}.get(key, key)] = child.value
        values.pop("repoId", None)
        self.user(exchange, values)

    def query_user(self, exchange: Exchange, document: Node) -> None:
        self.user(exchange, _attributes(document))

    def user(self, exchange: Exchange, values: dict[str, object]) -> None:
        user_id = _text(values, "id") or _last_segment(exchange.request.path)
        entity_name = values.get("organizationEntityName")
        if not isinstance(entity_name, str) or str(user_id).lower() in self.created:
            return
        organization = self.organization(entity_name, _text(values, "organizationId"))
        if (
            isinstance(values.get("organization"), str)
            and "friendlyName" in self.organizations[organization]
            and self.organizations[organization]["friendlyName"] == entity_name.rpartition("/")[2]
        ):
            self.organizations[organization]["friendlyName"] = values["organization"]
        fake = self.fake
        kinds = {
            "firstname": "first",
            "surname": "last",
            "email": "email",
            "login": "login",
            "mobile": "phone",
            "ssn": "ssn",
        }
        entry: dict = {"id": user_id, "organization": organization}
        for name in USER_FIELDS:
            value = values.get(name)
            if isinstance(value, str) and value:
                entry[name] = fake(kinds[name], value) if name in kinds else value
        attributes = {
            name: value
            for name, value in values.items()
            if name not in USER_FIELDS and name not in USER_SKIP and value not in (None, "")
        }
        if attributes:
            entry["attributes"] = attributes
            self.user_attributes.update(attributes)
        self.users[user_id] = entry

    def query_role(self, exchange: Exchange, document: Node) -> None:
        values = _attributes(document)
        entity_name, name = values.get("entityName"), values.get("name")
        if not isinstance(entity_name, str) or "/" not in entity_name:
            return
        organization = self.organization(entity_name.rpartition("/")[0])
        self.roles[_last_segment(exchange.request.path)] = {
            "organization": organization,
            "name": name if isinstance(name, str) else entity_name.rpartition("/")[2],
        }

    def list_user_roles(self, exchange: Exchange, document: Node) -> None:
        user_id = exchange.request.path.rstrip("/").split("/")[-2]
        self.user_roles[user_id] = [child.value for key, child in document.children if key == "Id" and child.value]

    def query_mandate(self, exchange: Exchange, document: Node) -> None:
        values = _attributes(document)
        mandate_id = _text(values, "id") or _last_segment(exchange.request.path)
        entry = {
            "id": mandate_id,
            **{
                name: values[name]
                for name in ("type", "mandater", "mandatee", "role")
                if isinstance(values.get(name), str)
            },
        }
        if isinstance(values.get("name"), str):
            entry["name"] = values["name"] if self.fake.keep else f"Mandate {len(self.mandates) + 1}"
        if isinstance(values.get("assigneeEmail"), str):
            entry["assigneeEmail"] = self.fake("email", values["assigneeEmail"])
        self.mandates[mandate_id] = entry

    # -- DFS ------------------------------------------------------------------------------

    def dfs_role(self, value: dict, role_id: int | None = None) -> None:
        role_id = value.get("Id", role_id)
        if not isinstance(role_id, int) or role_id in self.created_dfs_roles:
            return
        if isinstance(value.get("TenantId"), int):
            self.tenant_id = self.tenant_id or value["TenantId"]
        entry = self.dfs_roles.setdefault(role_id, {"id": role_id})
        for source, target in (
            ("ShortName", "shortName"),
            ("LongName", "longName"),
            ("RoleKey", "roleKey"),
            ("AllowAllPolicies", "allowAllPolicies"),
            ("IsMemberAccessExcluded", "isMemberAccessExcluded"),
            ("HierarchyLevel", "_level"),
            ("CreatedDate", "created"),
        ):
            if source in value and value[source] is not None:
                entry[target] = value[source]
        policies = value.get("AccessPolicies")
        if isinstance(policies, list):
            keys = []
            for policy in policies:
                if isinstance(policy, dict) and isinstance(policy.get("Id"), int):
                    key = policy.get("Key") or f"policy-{policy['Id']}"
                    self.policies[policy["Id"]] = {"id": policy["Id"], "key": key, "name": policy.get("Name") or key}
                    keys.append(f"policy-{policy['Id']}")
            entry["accessPolicies"] = keys

    def dfs_identity(self, value: dict) -> None:
        identity_id = value.get("IdentityId")
        if not isinstance(identity_id, str):
            return
        fake = self.fake
        entry = self.dfs_identities.setdefault(identity_id.lower(), {"id": identity_id.lower()})
        for source, target, kind in (
            ("UserName", "userName", "login"),
            ("FirstName", "firstName", "first"),
            ("LastName", "lastName", "last"),
            ("Email", "email", "email"),
            ("Phone", "phone", "phone"),
            ("Fax", "fax", "phone"),
            ("Mobile", "mobile", "phone"),
            ("Description", "description", "text"),
            ("ExternalId", "externalId", None),
            ("SalutationId", "salutationId", None),
            ("IsSignInEnabled", "signInEnabled", None),
            ("IsTenantAccessEnabled", "tenantAccessEnabled", None),
        ):
            if value.get(source) is not None:
                entry[target] = fake(kind, value[source]) if kind else value[source]
        role = value.get("IdentityRole")
        if isinstance(role, dict):
            self.dfs_role(role)
            entry["_role"] = role.get("Id")
        elif isinstance(value.get("RoleId"), int):
            self.dfs_role(
                {
                    "Id": value["RoleId"],
                    "RoleKey": value.get("RoleKey"),
                    "ShortName": value.get("RoleName"),
                    "HierarchyLevel": value.get("HierarchyLevel"),
                }
            )
            entry["_role"] = value["RoleId"]
        branch = value.get("BankBranch")
        if isinstance(branch, dict) and isinstance(branch.get("Id"), int):
            self.branches[branch["Id"]] = branch.get("Name") or f"Branch {branch['Id']}"
            entry["bankBranch"] = f"branch-{branch['Id']}"
        provider = value.get("IdentityProvider")
        if isinstance(provider, dict) and isinstance(provider.get("Id"), int):
            self.providers[provider["Id"]] = {
                target: provider[source]
                for source, target in (
                    ("Id", "id"),
                    ("ProviderId", "providerId"),
                    ("Name", "name"),
                    ("DisplayName", "displayName"),
                )
                if provider.get(source) is not None
            }
        if "IdentityProviderSettingId" in value:
            entry["providerSettingId"] = value["IdentityProviderSettingId"]
        if "MemberId" in value:
            entry["member"] = {"id": value["MemberId"]} if isinstance(value["MemberId"], int) else False

    def take_creations_and_references(self, exchange: Exchange, document: Node) -> None:
        """A 2.x POST's answer names what it created; a 2.x request's ``{organizationId}``,
        ``{userId}`` and ``parentOrganizationId`` name what existed before it."""
        method = exchange.request.method.upper()
        if method == "POST":
            self.created.update(
                str(child.value).lower() for key, child in document.children if key == "Id" and child.value
            )
        _, parameters = self.namer.parameters(method, unquote(exchange.request.path))
        references = {name: value for name, value in parameters.items() if name in ("organizationId", "userId")}
        for name, value in parse_qsl(exchange.request.query):
            if name == "parentOrganizationId":
                references[name] = value
        for name, value in references.items():
            if UUID.match(value) and value.lower() not in self.created:
                self.requested.setdefault(value.lower(), "user" if name == "userId" else "organization")

    def take(self, exchange: Exchange) -> None:
        if exchange.api and exchange.version == TOKEN_SERVERS.get(exchange.api):
            self.token_servers.add(exchange.api)
        if not 200 <= exchange.response.status < 300 or exchange.operation is None:
            return
        document = parse(exchange.response.raw_body, exchange.response.media_type)
        if exchange.api == "customerid" and exchange.version in ("2.0", "2.1"):
            self.take_creations_and_references(exchange, document)
            handler: Callable | None = {
                "GET107": self.query_organization,
                "GET105": self.query_user,
                "GET109": self.query_role,
                "GET117": self.list_user_roles,
                "GET111": self.query_mandate,
                "PATCH124": self.patched_user,
            }.get(exchange.operation)
            if handler is not None and (document.kind == "element" or exchange.operation == "PATCH124"):
                handler(exchange, document)
            return
        if exchange.api != "dfs":
            return
        body = _json(document)
        operation = exchange.operation
        if operation == "post /v2.0/roles" and isinstance(body, dict) and isinstance(body.get("Id"), int):
            self.created_dfs_roles.add(body["Id"])  # the replay creates it again
        if operation == "get /v2.0/roles" and isinstance(body, list):
            for role in body:
                if isinstance(role, dict):
                    self.dfs_role(role)
        elif operation == "get /v2.0/roles/{roleId}" and isinstance(body, dict):
            segment = _last_segment(exchange.request.path)
            self.dfs_role(body, int(segment) if segment.isdigit() else None)
        elif operation == "get /v2.0/roles/{roleId}/hierarchy" and isinstance(body, dict):
            for role in [body.get("Base")] + list(body.get("HierarchyItems") or []):
                if isinstance(role, dict):
                    self.dfs_role(role)
        elif operation == "get /v1.0/identities/{identityId}" and isinstance(body, dict):
            self.dfs_identity(body)
        elif operation in ("post /v1.0/identities/search", "get /v1.0/identities/roles/hierarchy-level"):
            items = body.get("Results") if isinstance(body, dict) else body
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict):
                    self.dfs_identity(item)

    # -- the scenario -----------------------------------------------------------------

    def placeholders(self) -> None:
        """Organizations and users the requests used but no answer described, by id."""
        known_organizations = {str(entry.get("id", "")).lower() for entry in self.organizations.values()}
        known_users = {str(user_id).lower() for user_id in self.users}
        for entity_id, kind in self.requested.items():
            if kind == "organization" and entity_id not in known_organizations:
                self.organization(f"recorded-{entity_id[:8]}", entity_id)
            elif kind == "user" and entity_id not in known_users:
                organization = self.organization("recorded-users")
                self.users[entity_id] = {"id": entity_id, "organization": organization, "status": "Enabled"}

    def customerid_section(self) -> dict:
        self.placeholders()
        section: dict = {"settings": {"credentials": [dict(SERVICE_ACCOUNT)]}}
        if self.user_attributes:
            section["settings"]["userAttributes"] = sorted(self.user_attributes)
        if self.organization_attributes:
            section["settings"]["organizationAttributes"] = sorted(self.organization_attributes)
        if self.organization_types:
            section["settings"]["organizationTypes"] = {name: [] for name in sorted(self.organization_types)}
        if self.organizations:
            section["organizations"] = self.organizations
        role_keys = {role_id: f"role-{number}" for number, role_id in enumerate(self.roles, start=1)}
        if self.roles:
            section["roles"] = {role_keys[role_id]: {"id": role_id, **entry} for role_id, entry in self.roles.items()}
        user_keys = {user_id: f"user-{number}" for number, user_id in enumerate(self.users, start=1)}
        users = {}
        for user_id, entry in self.users.items():
            roles = [role_keys[role_id] for role_id in self.user_roles.get(user_id, []) if role_id in role_keys]
            users[user_keys[user_id]] = {**entry, **({"roles": roles} if roles else {})}
        if users:
            section["users"] = users
        organization_keys = {entry["id"]: key for key, entry in self.organizations.items() if "id" in entry}
        mandates: dict[str, dict] = {}
        for _mandate_id, entry in self.mandates.items():
            references: dict[str, str | None] = {}
            for name in ("mandater", "mandatee"):
                value = entry.get(name, "")  # "" (never an id): refers to nothing
                references[name] = organization_keys.get(value) or user_keys.get(value)
            references["role"] = role_keys.get(entry.get("role", ""))
            if None in references.values() or "type" not in entry:
                continue  # refers to something no answer showed
            mandates[f"mandate-{len(mandates) + 1}"] = {**entry, **references}
        if mandates:
            section["mandates"] = mandates
        if "customerid" in self.token_servers:
            section["sso"] = {  # fresh lists: one shared list would be written as a YAML alias
                "clients": {"ci-client": {"secret": "ci-client-secret", "groups": [API_USERS]}},
                "users": {"api-user": {"password": "api-user-password", "groups": [API_USERS], "name": "API user"}},
            }
        return section

    def dfs_section(self) -> dict | None:
        if not self.dfs_roles and not self.dfs_identities:
            return None
        ordered = sorted(self.dfs_roles.values(), key=lambda role: (role.get("_level", 1_000_000), role["id"]))
        roles = {}
        for role in ordered:
            entry = {key: value for key, value in role.items() if not key.startswith("_")}
            roles[f"role-{role['id']}"] = entry
        identities = {}
        for number, identity in enumerate(self.dfs_identities.values(), start=1):
            role_id = identity.get("_role")
            if f"role-{role_id}" not in roles:
                continue  # an identity without a role cannot be loaded
            identities[f"identity-{number}"] = {
                **{key: value for key, value in identity.items() if not key.startswith("_")},
                "role": f"role-{role_id}",
            }
        tenant_id = self.tenant_id or 1
        tenant: dict = {
            "id": tenant_id,
            "uid": str(uuid.uuid5(TENANT_NAMESPACE, str(tenant_id))),
            "key": "Recorded",
            "name": "Recorded tenant",
            "roles": roles,
        }
        if identities:
            tenant["identities"] = identities
        section: dict = {"settings": {"defaultTenant": "recorded"}}
        admin = next(
            (key for key, identity in identities.items() if roles[identity["role"]].get("allowAllPolicies")),
            next(iter(identities), None),
        )
        if admin:
            section["settings"]["defaultIdentity"] = admin
        if self.policies:
            section["accessPolicies"] = {f"policy-{policy_id}": policy for policy_id, policy in self.policies.items()}
        if self.providers:
            section["providerSettings"] = {
                f"provider-{provider_id}": provider for provider_id, provider in self.providers.items()
            }
        if self.branches:
            section["bankBranches"] = {
                f"branch-{branch_id}": {"id": branch_id, "name": name} for branch_id, name in self.branches.items()
            }
        section["tenants"] = {"recorded": tenant}
        if "dfs" in self.token_servers:
            section["clients"] = {
                DFS_CLIENT[0]: {
                    "secret": DFS_CLIENT[1],
                    "tenants": ["recorded"],
                    **({"identity": admin} if admin else {}),
                }
            }
        return section


def _json(document: Node):
    if document.kind == "object":
        return {key: _json(child) for key, child in document.children}
    if document.kind == "array":
        return [_json(child) for _, child in document.children]
    return document.value


def scenario_from_cassette(cassette: Path, *, keep_personal_data: bool = False, seed: int = 0) -> dict:
    harvest = Harvest(Pseudonyms(keep_personal_data, seed))
    for exchange in read_exchanges(Path(cassette)):
        harvest.take(exchange)
    scenario: dict = {
        "name": f"from-{Path(cassette).stem}",
        "description": f"Entities recorded in {Path(cassette).name} (emulator scenario from-cassette)"
        + ("" if keep_personal_data else "; personal data pseudonymised"),
        "customerid": harvest.customerid_section(),
    }
    dfs = harvest.dfs_section()
    if dfs is not None:
        scenario["dfs"] = dfs
    return scenario


def counts(scenario: dict) -> dict[str, int]:
    found = {
        kind: len(scenario["customerid"].get(kind, {})) for kind in ("organizations", "users", "roles", "mandates")
    }
    for tenant in scenario.get("dfs", {}).get("tenants", {}).values():
        found["dfs roles"] = found.get("dfs roles", 0) + len(tenant.get("roles", {}))
        found["dfs identities"] = found.get("dfs identities", 0) + len(tenant.get("identities", {}))
    return {kind: count for kind, count in found.items() if count}


def write_scenario(cassette: Path, out: Path, *, keep_personal_data: bool = False, seed: int = 0) -> dict[str, int]:
    scenario = scenario_from_cassette(cassette, keep_personal_data=keep_personal_data, seed=seed)
    Path(out).write_text(yaml.safe_dump(scenario, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return counts(scenario)
