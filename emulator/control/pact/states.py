"""Pact provider states: the named states a pact's interactions are ``given``, set up and
torn down per namespace (docs/pact.md).

A state is a scenario fragment (``${param}`` filled in from the pact's params, loaded on
top of the namespace), optionally a place to start from (a snapshot or a built-in
scenario), and the values setup answers. Scenarios declare their own under
``pact_states:``; the built-in ones below create fresh records under keys of their own
so that they never collide with the scenario's. The first setup of an interaction saves
the namespace as the snapshot ``pact-provider-state``; teardown restores it and drops it,
so each interaction starts where the namespace was.
"""

from __future__ import annotations

import copy
import itertools
import weakref
from dataclasses import dataclass, field
from typing import Any

from ...builtin_scenarios import builtin_scenarios
from ...world.scenarios import PROVIDER_STATES, ScenarioError, read_scenario_file
from ...world.state import LimitReached, Namespace
from .values import StateError, bearer_token, credential_values, fill, scenario_id, token_apis

SNAPSHOT_ID = "pact-provider-state"
ACTIONS = ("setup", "teardown")


@dataclass(frozen=True)
class StateDefinition:
    """One named state. ``scenario`` and ``values`` may hold ``${param}`` (the params,
    over ``params`` defaults, plus ``${key}``: a fresh key for this setup),
    ``${id:kind:key}`` (the id a scenario key got) and ``${token:api}``."""

    name: str
    description: str
    scenario: dict | None = None
    start_from: str | None = None
    params: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)

    @classmethod
    def from_scenario(cls, name: str, entry: dict) -> StateDefinition:
        return cls(
            name,
            entry.get("description", ""),
            entry.get("scenario"),
            entry.get("from"),
            entry.get("params") or {},
            entry.get("values") or {},
        )


# Attribute params of the built-in user and organization states: everything else a
# pact passes goes into the record as given (firstname, email, status, attributes...).
USER_STATE = "a user with given attributes exists"
ORGANIZATION_STATE = "an organization exists"
DFS_IDENTITY_STATE = "a DFS identity exists in a tenant"
TOKEN_STATE = "a valid token"

BUILT_IN = {
    USER_STATE: StateDefinition(
        USER_STATE,
        "a CustomerID user (params: any user fields of a scenario - firstname, lastname, email, login, status, "
        "attributes - and organization, the scenario key of an existing organization; without it one is made)",
    ),
    ORGANIZATION_STATE: StateDefinition(
        ORGANIZATION_STATE,
        "a CustomerID organization (params: technicalName, friendlyName, type, attributes, parent)",
    ),
    DFS_IDENTITY_STATE: StateDefinition(
        DFS_IDENTITY_STATE,
        "a new DFS tenant with an administrator role and one identity (params: identity fields - userName, "
        "firstName, lastName, email - and tenantName); dfsToken is that identity's token in that tenant",
    ),
    TOKEN_STATE: StateDefinition(
        TOKEN_STATE,
        "nothing changes; answers token (params: api - customerid or dfs, default dfs - and the token's "
        "tenantUid, identityId, username, clientId, scope) and authorization ('Bearer <token>')",
    ),
}


class _Runtime:
    """Per namespace: the snapshot to restore, and which state each journal entry ran under."""

    def __init__(self) -> None:
        self.active = False
        self.keys = itertools.count(1)
        # (journal seq when it began, state names or (), the ids the setups answered): export.py reads
        # which entries ran under which state, and which path segments the pact should generate
        self.markers: list[tuple[int, tuple[str, ...], dict[str, str]]] = []
        self.ids: dict[str, str] = {}
        self.current: tuple[str, ...] = ()
        self.issued: set[str] = set()  # tokens setups answered: verify.py lets them through as they are


_RUNTIMES: weakref.WeakKeyDictionary[Namespace, _Runtime] = weakref.WeakKeyDictionary()


def runtime(namespace: Namespace) -> _Runtime:
    found = _RUNTIMES.get(namespace)
    if found is None:
        found = _RUNTIMES[namespace] = _Runtime()
    return found


def known_states(namespace: Namespace) -> dict[str, StateDefinition]:
    declared = namespace.world.settings.get(PROVIDER_STATES) or {}
    return {
        **BUILT_IN,
        **{name: StateDefinition.from_scenario(name, entry) for name, entry in declared.items()},
    }


def change_state(namespace: Namespace, state: str, params: dict, action: str, base_url: str) -> dict[str, Any]:
    """One provider-state request of the Pact verifier: the values setup answers ({} for teardown)."""
    if action not in ACTIONS:
        raise StateError(f"action is setup or teardown, not {action!r}")
    if not isinstance(params, dict):
        raise StateError("params is a JSON object")
    if state == "":  # Pact's generic per-interaction hook: nothing to do
        return {}
    states = known_states(namespace)
    definition = states.get(state)
    if definition is None:
        raise StateError(f"unknown provider state {state!r}", known=sorted(states))
    if action == "teardown":
        teardown(namespace)
        return {}
    return setup(namespace, definition, params, base_url)


def setup(namespace: Namespace, definition: StateDefinition, params: dict, base_url: str) -> dict[str, Any]:
    record = runtime(namespace)
    if not record.active:
        try:
            namespace.save_snapshot(SNAPSHOT_ID)
        except LimitReached as error:
            raise StateError(str(error), 409) from None
        record.active = True
    key = f"pact-{next(record.keys)}"
    arguments = {**definition.params, **params}
    try:
        if definition.start_from:
            _start_from(namespace, definition.start_from)
        created = (
            _BUILT_IN_SETUP[definition.name](namespace, arguments, key) if definition.name in _BUILT_IN_SETUP else {}
        )
        if definition.scenario:
            document = fill(copy.deepcopy(definition.scenario), _lookup(namespace, arguments, key, created, base_url))
            namespace.load_scenarios([(f"(pact state) {definition.name}", document)], replace=False)
    except ScenarioError as error:
        raise StateError(f"state {definition.name!r}: {error.path or ''} {error.problem}".strip()) from None
    world = namespace.world
    values = fill(definition.values, _lookup(namespace, arguments, key, created, base_url))
    values = {**credential_values(world, arguments, base_url), **created, **values}
    if definition.name == TOKEN_STATE:
        api = arguments.get("api", "dfs")
        values["token"] = bearer_token(world, api, arguments, base_url)
        values["authorization"] = f"Bearer {values['token']}"
    record.issued.update(value for name, value in values.items() if name.casefold().endswith("token"))
    record.current = tuple(sorted({*record.current, definition.name}))
    record.ids.update(
        (name, str(value))
        for name, value in values.items()
        if isinstance(value, (str, int)) and not isinstance(value, bool) and value not in record.issued
    )
    record.markers.append((namespace.journal.seq, record.current, dict(record.ids)))
    return values


def teardown(namespace: Namespace) -> None:
    """The namespace back to where the interaction's first setup found it."""
    record = runtime(namespace)
    if record.current:
        record.current = ()
        record.ids = {}
        record.markers.append((namespace.journal.seq, (), {}))
    if not record.active:
        return
    snapshot = namespace.snapshots.get(SNAPSHOT_ID)
    if snapshot is not None:
        namespace.restore(snapshot)
        namespace.delete_snapshot(SNAPSHOT_ID)
    record.active = False


def _start_from(namespace: Namespace, start: str) -> None:
    snapshot = namespace.snapshots.get(start)
    if snapshot is not None:
        namespace.restore(snapshot)
        return
    path = builtin_scenarios().get(start)
    if path is None:
        raise StateError(
            f"from: {start!r} is neither a snapshot of namespace {namespace.name} nor a built-in scenario "
            f"({', '.join(sorted(builtin_scenarios()))})"
        )
    namespace.load_scenarios([(str(path), read_scenario_file(path))], replace=True)


def _lookup(namespace: Namespace, arguments: dict, key: str, created: dict, base_url: str):
    def lookup(name: str) -> Any:
        if name == "key":
            return key
        if name.startswith("id:"):
            kind, _, scenario_key = name[3:].partition(":")
            return scenario_id(namespace.world, kind, scenario_key)
        if name.startswith("token:"):
            return bearer_token(namespace.world, name[6:], arguments, base_url)
        if name in created:
            return created[name]
        if name in arguments:
            return arguments[name]
        raise StateError(f"no value for ${{{name}}}: give it in params")

    return lookup


# -- the built-in states' records -------------------------------------------------------------------


def _require_api(namespace: Namespace, name: str) -> None:
    if name not in namespace.world.apis:
        raise StateError(f"this emulator does not serve {name}")


def _organization(namespace: Namespace, params: dict, key: str) -> dict:
    _require_api(namespace, "customerid")
    fields = {"technicalName": key, "friendlyName": f"Pact organization {key}", **params}
    namespace.load_scenarios([("(pact state) organization", {"customerid": {"organizations": {key: fields}}})], False)
    return {"organizationId": scenario_id(namespace.world, "organization", key)}


def _user(namespace: Namespace, params: dict, key: str) -> dict:
    _require_api(namespace, "customerid")
    fields = {name: value for name, value in params.items() if name not in ("organization",)}
    fields.pop("username", None)  # chooses the token's user, not a field
    document: dict = {"customerid": {"users": {key: fields}}}
    organization = params.get("organization")
    if organization is None:
        organization = f"{key}-organization"
        document["customerid"]["organizations"] = {
            organization: {"technicalName": organization, "friendlyName": f"Pact organization {key}"}
        }
    fields["organization"] = organization
    fields.setdefault("status", "Enabled")
    namespace.load_scenarios([("(pact state) user", document)], False)
    world = namespace.world
    return {
        "userId": scenario_id(world, "user", key),
        "organizationId": scenario_id(world, "organization", organization),
    }


DFS_IDENTITY_FIELDS = ("userName", "firstName", "lastName", "email", "phone", "mobile", "externalId", "description")


def _dfs_identity(namespace: Namespace, params: dict, key: str) -> dict:
    _require_api(namespace, "dfs")
    world = namespace.world
    tenant_ids = [int(value) for (kind, _), value in world.keys.items() if kind == "dfs.tenant"]
    tenant_id = max(tenant_ids, default=0) + 1
    identity = {"role": f"{key}-admin", "userName": f"{key}@example.org", "firstName": "Pact", "lastName": key}
    identity.update({name: params[name] for name in DFS_IDENTITY_FIELDS if name in params})
    tenant_key = f"{key}-tenant"
    tenant = {
        "id": tenant_id,
        "key": tenant_key,
        "name": params.get("tenantName", f"Pact tenant {key}"),
        "roles": {f"{key}-admin": {"shortName": "Administrator", "allowAllPolicies": True}},
        "identities": {key: identity},
    }
    namespace.load_scenarios([("(pact state) DFS identity", {"dfs": {"tenants": {tenant_key: tenant}}})], False)
    world = namespace.world
    identity_id = scenario_id(world, "dfs.identity", key)
    tenant_uid = str(world.models["dfs"].tenants.get(tenant_id).uid)
    params.setdefault("tenantUid", tenant_uid)
    params.setdefault("identityId", identity_id)
    return {"identityId": identity_id, "tenantUid": tenant_uid, "tenantId": tenant_id}


def _token(namespace: Namespace, params: dict, key: str) -> dict:
    api = params.get("api", "dfs")
    if api not in token_apis(namespace.world):
        raise StateError(f"api is one of {', '.join(token_apis(namespace.world))}, not {api!r}")
    return {}


_BUILT_IN_SETUP = {
    USER_STATE: _user,
    ORGANIZATION_STATE: _organization,
    DFS_IDENTITY_STATE: _dfs_identity,
    TOKEN_STATE: _token,
}
