"""The control API's OpenAPI document, served at /__emulator/openapi.json:
``control-openapi.yaml`` plus each API's emulator routes and actions, the scenario
schema and the operation codes faults may name."""

from __future__ import annotations

import copy
import functools
from typing import Any

from ..api import control_actions_of, control_routes_of, package_file
from ..formats.packagedata import read_yaml
from ..world.scenarios import scenario_schema
from ..world.state import STATE, EmulatorState, NamespaceError


@functools.lru_cache(maxsize=1)
def _base_openapi() -> dict:
    return read_yaml(package_file(__file__, "control-openapi.yaml"))


def _common_responses(document: dict, prefix: str) -> None:
    """What any control operation may answer besides its own: the namespace header's
    400/403/503, the control token's 401, a body's 408/413, a Host the emulator does
    not serve (403) and a state change a web page could send unasked (415, 403)
    (docs/limits.md)."""
    problem = {"$ref": "#/components/responses/Problem"}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            responses.setdefault("403", problem)
            if method in ("post", "put", "patch", "delete"):
                responses.setdefault("415", problem)
            if path not in (f"{prefix}/health", f"{prefix}/openapi.json"):
                responses.setdefault("401", problem)
            if any(parameter.get("$ref", "").endswith("/Namespace") for parameter in operation.get("parameters", ())):
                for status in ("400", "403", "503"):
                    responses.setdefault(status, problem)
            if method in ("post", "put", "patch"):
                for status in ("400", "408", "413"):
                    responses.setdefault(status, problem)


def _add_scenario_schema(document: dict, state: EmulatorState) -> None:
    """The scenario schema as components: each API section's ``$defs`` become
    ``ScenarioCustomerid_user`` and so on (a section's own ``$id`` would not resolve
    inside an OpenAPI document)."""
    schemas = document["components"]["schemas"]
    scenario = copy.deepcopy(scenario_schema(state.apis.values()))
    scenario.pop("$schema", None)

    def rewrite(node: Any, prefix: str) -> Any:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/$defs/"):
                node = {**node, "$ref": f"#/components/schemas/{prefix}{node['$ref'][len('#/$defs/') :]}"}
            return {key: rewrite(value, prefix) for key, value in node.items()}
        if isinstance(node, list):
            return [rewrite(value, prefix) for value in node]
        return node

    for name, section in scenario["properties"].items():
        if isinstance(section, dict) and "$id" in section:
            prefix = f"Scenario{name.capitalize()}_"
            section = rewrite(section, prefix)
            section.pop("$id")
            for key, definition in section.pop("$defs", {}).items():
                schemas[prefix + key] = definition
            scenario["properties"][name] = section
    schemas["Scenario"].update(scenario)


def openapi_document(state: EmulatorState, prefix: str) -> dict:
    """control-openapi.yaml, plus what only the running emulator knows: its APIs, their
    operation codes, control routes and actions, and the scenario schema."""
    document = copy.deepcopy(_base_openapi())
    document["components"]["schemas"]["Fault"]["properties"]["match"]["properties"]["api"]["enum"] = list(state.apis)
    # a fault names an operation the emulator serves, by its own code (faults.operation_codes)
    document["components"]["schemas"]["Fault"]["properties"]["match"]["properties"]["operation"]["enum"] = sorted(
        set(state.operation_codes.values())
    )
    for parameter in document["paths"]["/__emulator/pact"]["get"]["parameters"]:
        if parameter.get("name") == "api":  # export.py refuses any other name
            parameter["schema"]["enum"] = list(state.apis)
    _add_scenario_schema(document, state)
    for api in state.apis.values():
        for method, route_path, handler in control_routes_of(api):
            parameters = [
                {"name": part[1:-1], "in": "path", "required": True, "schema": {"type": "string"}}
                for part in route_path.split("/")
                if part.startswith("{")
            ]
            item = document["paths"].setdefault(f"{prefix}/{api.name}{route_path}", {})[method.lower()] = {
                "tags": [f"{api.name} emulator routes"],
                "summary": (handler.__doc__ or handler.__name__).strip().splitlines()[0],
                "operationId": f"{api.name}_{handler.__name__}",
                "parameters": (
                    [] if route_path.endswith("/openapi.json") else [{"$ref": "#/components/parameters/Namespace"}]
                )
                + parameters,
                "responses": {
                    "200": {"description": "done"},
                    "400": {"$ref": "#/components/responses/ApiError"},
                    "404": {"$ref": "#/components/responses/ApiError"},
                },
            }
            request_schema = getattr(handler, "request_schema", None)  # a route may describe its JSON body
            if request_schema:
                item["requestBody"] = {  # a schema that requires members requires the body too
                    "required": bool(request_schema.get("required")),
                    "content": {"application/json": {"schema": request_schema}},
                }
        for action in control_actions_of(api):
            path = f"{prefix}/{api.name}/{action.path}"
            parameters = [
                {"name": part[1:-1], "in": "path", "required": True, "schema": {"type": "string"}}
                for part in action.path.split("/")
                if part.startswith("{")
            ]
            document["paths"][path] = {
                "post": {
                    "tags": [f"{api.name} actions"],
                    "summary": action.summary,
                    "operationId": f"{api.name}_{action.path.replace('/', '_').replace('{', '').replace('}', '')}",
                    "parameters": [{"$ref": "#/components/parameters/Namespace"}, *parameters],
                    "responses": {
                        "200": {
                            "description": "done",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ActionResult"}}},
                        },
                        "400": {"$ref": "#/components/responses/Problem"},
                        "404": {"$ref": "#/components/responses/Problem"},
                    },
                }
            }
    _common_responses(document, prefix)
    return document


def first_ids(store, sources: dict[str, tuple[str, str | None]]) -> dict[str, Any]:
    """For each path parameter name, an example value from ``store``: the first
    record's id of the named collection, or its ``attribute`` (a tenant's uid).
    Names whose collection is empty get none."""
    examples: dict[str, Any] = {}
    for name, (collection, attribute) in sources.items():
        if collection not in store:
            continue
        key = next(iter(store[collection].ids()), None)
        if key is None:
            continue
        value = getattr(store[collection].get(key), attribute) if attribute else key
        if isinstance(value, (str, int)):
            examples[name] = value
    return examples


def with_path_examples(document: dict, examples: dict[str, Any]) -> dict:
    """``document`` with ``example`` on each path parameter named in ``examples``
    (ids from the namespace's world, so "Try it out" starts with a record that
    exists). Copies only what changes: the cached document stays as built."""
    if not examples:
        return document

    def parameter(item: dict) -> dict:
        if item.get("in") == "path" and item.get("name") in examples:
            return {**item, "example": examples[item["name"]]}
        return item

    paths = {}
    for path, path_item in document["paths"].items():
        if "{" not in path:
            paths[path] = path_item
            continue
        copied = {}
        for method, operation in path_item.items():
            if isinstance(operation, dict) and "parameters" in operation:
                operation = {**operation, "parameters": [parameter(item) for item in operation["parameters"]]}
            elif method == "parameters":
                operation = [parameter(item) for item in operation]
            copied[method] = operation
        paths[path] = copied
    return {**document, "paths": paths}


def namespace_world(request) -> Any:
    """The world of the namespace the request names, or None for one that does not
    exist (an open route never creates a namespace)."""
    try:
        return request.app[STATE].namespace_for(request, create=False).world
    except NamespaceError:
        return None


def namespace_examples(request, sources: dict[str, tuple[str, str | None]]) -> dict[str, Any]:
    """``first_ids`` in the namespace the request names (none for one that does not exist)."""
    world = namespace_world(request)
    return first_ids(world.store, sources) if world is not None else {}


def resolved(document: dict, node: Any) -> Any:
    """``node`` with its ``$ref`` chain (``#/components/...`` pointers into ``document``) followed."""
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
        seen += 1
        if seen > 32:  # a cycle of bare references: nothing to learn from it
            return {}
        target: Any = document
        for part in node["$ref"][2:].split("/"):
            target = target.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(target, dict) else {}
        node = target
    return node


def documented_answer(document: dict, item: dict, status: int, media_type: str) -> dict | None:
    """The schema an OpenAPI operation ``item`` documents for one answer (status, media
    type), ``None`` where it documents none (Pact export: docs/pact.md)."""
    responses = item.get("responses") or {}
    answer = resolved(document, responses.get(str(status)) or responses.get("default"))
    content = (answer or {}).get("content") or {}
    body = content.get(media_type)
    if body is None:  # application/xml;charset=UTF-8 against application/xml
        body = next((value for key, value in content.items() if key.split(";")[0].strip() == media_type), None)
    schema = (body or {}).get("schema")
    return schema if isinstance(schema, dict) else None
