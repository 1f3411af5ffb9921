"""What a comparison treats specially, as data: built-in rules, extended (never
replaced) by a rules file.

Each rule matches by ``field`` (the last name on the path: a JSON key, an XML
element, the ``name`` of a CustomerID ``<Attribute>``, an XML attribute), by
``path`` (the whole path, e.g. ``/User/Attribute:created/Value``) and optionally
by ``operation`` (GET105, ``post /v1.2/identities``); patterns are shell globs,
case-insensitive. The action is one of

    id            the value is an identifier: learnt for the id map, never compared
    ignore-value  the value may differ (timestamps, correlation ids); type and presence still count
    ignore        the node is left out of the comparison altogether
    compare-value the value must be equal (error codes)

and, independently of those, two aspects of structure:

    optional / required   whether the node's presence on one side only is a difference
                          (optional: data, like a user's locale or custom attributes)
    unordered / ordered   whether the order of the node's children is compared
                          (JSON object members are unordered unless a rule says ordered)

Values elsewhere are compared only with ``values: all`` in the rules file (both
sides hold the same data: the cassette was recorded against a system loaded with
the scenario the comparison uses). Any UUID-shaped value is an id.

A rules file (YAML)::

    values: listed            # or: all
    rules:
      - {field: "lastLogin", action: ignore-value}
      - {path: "/Identity/Links", action: ignore}
      - {field: "Status", operation: "get /v1.0/*", action: compare-value}
      - {path: "/User/Attribute:mobile", action: optional}
    placeholders: ["XXXXXXXX-*", "USERID?"]   # recorded values standing for any value of the emulator's type
    ids:                      # recorded ids known in advance (a document's placeholders)
      "XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX": "aaaaaaaa-0000-4000-8000-000000000001"
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

import jsonschema
import yaml

VALUE_ACTIONS = ("id", "ignore-value", "ignore", "compare-value")
PRESENCE_ACTIONS = ("optional", "required")
ORDER_ACTIONS = ("unordered", "ordered")
ACTIONS = VALUE_ACTIONS + PRESENCE_ACTIONS + ORDER_ACTIONS

RULES_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "values": {"enum": ["listed", "all"]},
        "placeholders": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "ids": {
            "type": "object",
            "additionalProperties": {"type": ["string", "integer"]},
            "propertyNames": {"minLength": 1},
        },
        "rules": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["action"],
                "anyOf": [{"required": ["field"]}, {"required": ["path"]}],
                "properties": {
                    "field": {"type": "string"},
                    "path": {"type": "string"},
                    "operation": {"type": "string"},
                    "action": {"enum": list(ACTIONS)},
                },
            },
        },
    },
}


@dataclass(frozen=True)
class Rule:
    action: str
    field: str | None = None
    path: str | None = None
    operation: str | None = None

    def matches(self, path: str, field: str, operation: str | None) -> bool:
        if self.field is not None and not fnmatchcase(field.casefold(), self.field.casefold()):
            return False
        if self.path is not None and not fnmatchcase(path.casefold(), self.path.casefold()):
            return False
        if self.operation is not None and not fnmatchcase((operation or "").casefold(), self.operation.casefold()):
            return False
        return True


BUILT_IN = (
    # error codes: CustomerID <error><code>, DFS {"Code", "SubCode"}
    Rule("compare-value", path="/error/code"),
    Rule("compare-value", path="/Code"),
    Rule("compare-value", path="/SubCode"),
    # per-request values that look like ids but name no entity
    Rule("ignore-value", field="correlationid"),
    Rule("ignore-value", field="traceid"),
    Rule("ignore-value", field="requestid"),
    # identifiers (a UUID-shaped value is one whatever its name)
    Rule("id", field="id"),
    Rule("id", field="*Id"),
    Rule("id", field="uid"),
    Rule("id", field="*Uid"),
    Rule("id", field="cn"),
    Rule("id", field="*Ids"),
    # values that differ between any two systems
    Rule("ignore-value", field="*date"),
    Rule("ignore-value", field="*time"),
    Rule("ignore-value", field="created"),
    Rule("ignore-value", field="updated"),
    Rule("ignore-value", field="*modified"),
    Rule("ignore-value", field="*timestamp"),
    Rule("ignore-value", field="expires*"),
    Rule("ignore-value", field="inResponseTo"),  # CustomerID echoes the request path, ids and all
    Rule("ignore-value", field="message"),  # wording of error messages is the server's own
    # presence that is data, not structure: attributes a CustomerID entity has only when set
    # (locale, memberships, custom attributes); the ones every vendor example shows are structure
    *(Rule("required", path=f"/User/Attribute:{name}") for name in ("id", "firstname", "surname", "status")),
    *(
        Rule("required", path=f"/User/Attribute:{name}")
        for name in ("organization", "organizationEntityName", "organizationId")
    ),
    *(Rule("required", path=f"/Organization/Attribute:{name}") for name in ("entityName", "friendlyName")),
    Rule("optional", path="/User/Attribute:*"),
    Rule("optional", path="/Organization/Attribute:*"),
    Rule("optional", path="*/customAttributes/*"),  # PATCH124's custom attributes, XML and JSON
    Rule("unordered", field="customAttributes"),  # a map: the vendor's own example reorders it
)


@dataclass(frozen=True)
class Rules:
    rules: tuple[Rule, ...] = BUILT_IN
    all_values: bool = False
    ids: tuple[tuple[str, str], ...] = ()  # (recorded, emulator's): declared before the replay starts
    placeholders: tuple[str, ...] = ()  # globs of recorded values that stand for any value (a document's)

    def placeholder(self, value: object) -> bool:
        """Whether a recorded value is a placeholder: it takes the type of the emulator's value."""
        return isinstance(value, str) and any(fnmatchcase(value, pattern) for pattern in self.placeholders)

    def _first(self, actions: tuple[str, ...], path: str, field: str, operation: str | None) -> str | None:
        for rule in self.rules:
            if rule.action in actions and rule.matches(path, field, operation):
                return rule.action
        return None

    def action(self, path: str, field: str, operation: str | None) -> str | None:
        """The first matching value rule's action, the file's rules before the built-in ones."""
        return self._first(VALUE_ACTIONS, path, field, operation)

    def optional(self, path: str, field: str, operation: str | None) -> bool:
        """Whether the node may be on one side only (its presence is data)."""
        return self._first(PRESENCE_ACTIONS, path, field, operation) == "optional"

    def ordered(self, path: str, field: str, operation: str | None, default: bool) -> bool:
        """Whether the order of the node's children is compared (``default`` when no rule says)."""
        found = self._first(ORDER_ACTIONS, path, field, operation)
        return default if found is None else found == "ordered"

    @classmethod
    def load(cls, path: Path | None) -> Rules:
        if path is None:
            return cls()
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        try:
            jsonschema.validate(document, RULES_SCHEMA)
        except jsonschema.ValidationError as error:
            location = "/".join(str(part) for part in error.absolute_path) or "(top)"
            raise ValueError(f"{path}: {location}: {error.message}") from None
        extra = tuple(
            Rule(item["action"], item.get("field"), item.get("path"), item.get("operation"))
            for item in document.get("rules", [])
        )
        declared = tuple((str(recorded), str(emulated)) for recorded, emulated in document.get("ids", {}).items())
        return cls(
            extra + BUILT_IN,
            document.get("values", "listed") == "all",
            declared,
            tuple(document.get("placeholders", [])),
        )
