"""The control API's OpenAPI document, served at /__emulator/openapi.json:
``control-openapi.yaml`` plus each API's emulator routes and actions, the scenario
schema and the operation codes faults may name."""

from __future__ import annotations

import copy
import functools
from typing import Any

from ..api import package_file
from ..formats.packagedata import read_yaml
from ..world.scenarios import scenario_schema
from ..world.state import EmulatorState


@functools.lru_cache(maxsize=1)
def _base_openapi() -> dict:
    return read_yaml(package_file(__file__, "control-openapi.yaml"))


def _common_responses(document: dict, prefix: str) -> None:
    """What any control operation may answer besides its own: the namespace header's
    400/403/503, the control token's 401, a body's 408/413 (docs/limits.md)."""
    problem = {"$ref": "#/components/responses/Problem"}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
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
        for method, route_path, handler in api.control_routes():
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
            if getattr(handler, "request_schema", None):  # a route may describe its JSON body
                item["requestBody"] = {
                    "required": False,
                    "content": {"application/json": {"schema": handler.request_schema}},
                }
        for action in api.control_actions():
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
