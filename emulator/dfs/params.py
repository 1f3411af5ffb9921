"""Path parameters and request bodies.

Bodies bind as ASP.NET Core binds JSON: property names case-insensitively (the
document's samples mix ``FirstName`` and ``firstName``), unknown properties
ignored, then the JSON Schema of the operation (schemas/requests.yaml) decides:
a wrong type, a bad enum value or a malformed uuid is 400 BadRequest."""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import fastjsonschema

from ..api import package_file
from ..formats.packagedata import read_yaml
from ..formats.safeparse import UnsafeDocument, load_json
from .errors import BadRequest

if TYPE_CHECKING:  # imported when a body is refused: ~30 ms of start-up otherwise
    import jsonschema

INT32 = (-2147483648, 2147483647)
UUID_TEXT = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")

# Every path parameter of the document with its type (shared with openapi.py).
PATH_PARAMETERS = {
    "tenantUid": "uuid",
    "apiResource": "string",
    "apiScope": "string",
    "accessPolicyId": "int32",
    "permissionId": "int32",
    "roleId": "int32",
    "providerId": "int32",
    "identityId": "uuid",
    "personId": "int32",
    "tenantId": "int32",
    "memberId": "int32",
    "participantId": "int32",
    "operation": "RoleHierarchyRankOperation",
}
PATH_DESCRIPTIONS = {
    "tenantUid": "The tenant identifier",
    "apiResource": "The api resource",
    "apiScope": "The api scope",
    "identityId": "The Internal User ID of an identity",
    "personId": "The accessed Person ID",
    "operation": "The role hierarchy rank change operation (up or down)",
}


# An id as clients send it back (lower case, hyphens): already what path_value
# would make of it, so it skips the uuid.UUID round trip.
CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def path_value(name: str, text: str):
    kind = PATH_PARAMETERS.get(name, "string")
    if kind == "uuid" and CANONICAL_UUID.fullmatch(text):
        return text
    if kind == "int32":
        if not re.fullmatch(r"[+-]?\d{1,10}", text) or not INT32[0] <= int(text) <= INT32[1]:
            raise BadRequest(f"The value '{text}' is not valid for {name}.")
        return int(text)
    if kind == "uuid":
        if not UUID_TEXT.match(text):
            raise BadRequest(f"The value '{text}' is not valid for {name}.")
        return str(uuid.UUID(text))
    return text


@functools.lru_cache(maxsize=1)
def request_definitions() -> dict:
    document = read_yaml(package_file(__file__, "schemas", "requests.yaml"))
    definitions = dict(document.pop("$defs"))
    definitions.update(document)
    rows = read_yaml(package_file(__file__, "schemas", "responses.yaml"))
    for schema in definitions.values():
        for name, property_schema in schema.get("properties", {}).items():
            row = property_schema.pop("x-sort-properties-of", None) if isinstance(property_schema, dict) else None
            if row is not None:
                schema["properties"][name] = _sort_by_schema(
                    [key for key, value in rows[row]["properties"].items() if _scalar(value, rows)]
                )
            items = property_schema.get("items") if isinstance(property_schema, dict) else None
            if isinstance(items, dict) and items.pop("x-names-of-the-other-properties", False):
                # patch /v1.3/identities UpdateProperties: the request's other properties, in any case
                others = [key for key in schema["properties"] if key != name]
                items.update(
                    type="string",
                    pattern=f"^({_any_case(others)})$",
                    description=f"a property of this request, in any case: {', '.join(others)}",
                )
    return definitions


def _scalar(schema: dict, rows: dict) -> bool:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = rows.get("$defs", {}).get(name) or rows[name]
    kinds = schema.get("type", "object")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return not {"array", "object"} & set(kinds)


def _any_case(names: list[str]) -> str:
    """Alternatives matching each name in any case: JSON Schema patterns have no flags."""
    return "|".join(
        "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else re.escape(c) for c in name) for name in names
    )


def _sort_by_schema(names: list[str]) -> dict:
    """A search's SortBy: empty, null, or a result property named in any case (an
    unknown one is 400); JSON Schema patterns have no case-insensitive flag."""
    return {
        "type": ["string", "null"],
        "pattern": f"^(|{_any_case(names)})$",
        "description": f"a property of the results, in any case: {', '.join(names)}",
    }


class BodyBinder:
    """JSON bodies bound to the request schemas. A body is first checked by a
    validator compiled to Python (fastjsonschema: about 1 µs against jsonschema's
    70 µs for a search body); only a body it refuses goes to jsonschema, which has
    the last word and words the error, so both valid and invalid answers are
    exactly jsonschema's."""

    def __init__(self) -> None:
        self._validators: dict[str, jsonschema.Draft202012Validator] = {}
        self._fast: dict[str, Callable[[Any], Any]] = {}
        self._plans: dict[int, tuple[dict | None, dict | None]] = {}  # id(schema) -> normalize's plan
        self._roots = {name: {"$ref": f"#/$defs/{name}"} for name in self.definitions}

    @functools.cached_property
    def definitions(self) -> dict:  # read at the first body, not at every start
        return request_definitions()

    def fast_check(self, name: str) -> Callable[[Any], Any]:
        if name not in self._fast:
            self._fast[name] = fastjsonschema.compile({"$defs": self.definitions, "$ref": f"#/$defs/{name}"})
        return self._fast[name]

    def validator(self, name: str) -> jsonschema.Draft202012Validator:
        if name not in self._validators:
            import jsonschema

            schema = {"$defs": self.definitions, "$ref": f"#/$defs/{name}"}
            self._validators[name] = jsonschema.Draft202012Validator(schema, format_checker=None)
        return self._validators[name]

    def _resolve(self, schema: dict) -> dict:
        while "$ref" in schema:
            schema = self.definitions[schema["$ref"].rsplit("/", 1)[1]]
        return schema

    def _plan(self, schema: dict) -> tuple[dict | None, dict | None]:
        """What ``normalize`` does with a value of ``schema``, worked out once per
        schema (they live as long as the binder): the properties by folded name
        (None: not an object schema) and the item schema (None: not an array one)."""
        plan = self._plans.get(id(schema))
        if plan is None:
            resolved = self._resolve(schema)
            spelling = (
                {name.casefold(): (name, property_schema) for name, property_schema in resolved["properties"].items()}
                if "properties" in resolved
                else None
            )
            items = resolved.get("items")
            plan = self._plans[id(schema)] = (spelling, items if isinstance(items, dict) else None)
        return plan

    def normalize(self, value, schema: dict):
        """Rename properties to the schema's spelling (case-insensitively) and drop
        unknown ones, recursively; types are left to the validator."""
        spelling, items = self._plan(schema)
        if spelling is not None and isinstance(value, dict):
            bound = {}
            for key, item in value.items():
                found = spelling.get(key.casefold())
                if found is not None:
                    name, property_schema = found
                    bound[name] = self.normalize(item, property_schema)
            return bound
        if items is not None and isinstance(value, list):
            return [self.normalize(item, items) for item in value]
        return value

    def bind(self, name: str, raw: bytes):
        if not raw.strip():
            raise BadRequest("A non-empty request body is required.")
        try:
            # 1.0 for an Int32 is refused, as System.Text.Json refuses it
            # (docs/fidelity.md, Hostile input and overload).
            document = load_json(raw, strict_integers=True)
        except UnsafeDocument as error:
            raise BadRequest(f"The request was not in the required format: {error}") from None
        document = self.normalize(document, self._roots[name])
        try:
            self.fast_check(name)(document)
            return document
        except fastjsonschema.JsonSchemaException:
            pass
        from jsonschema.exceptions import best_match

        problem = best_match(self.validator(name).iter_errors(document))
        if problem is not None:
            where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in problem.absolute_path)
            raise BadRequest(f"The request was not in the required format: {where}: {problem.message}")
        return document
