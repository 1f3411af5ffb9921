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

Values elsewhere are compared only with ``values: all`` in the rules file (both
sides hold the same data: the cassette was recorded against a system loaded with
the scenario the comparison uses). Any UUID-shaped value is an id.

A rules file (YAML)::

    values: listed            # or: all
    rules:
      - {field: "lastLogin", action: ignore-value}
      - {path: "/Identity/Links", action: ignore}
      - {field: "Status", operation: "get /v1.0/*", action: compare-value}
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

import jsonschema
import yaml

ACTIONS = ("id", "ignore-value", "ignore", "compare-value")

RULES_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "values": {"enum": ["listed", "all"]},
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
)


@dataclass(frozen=True)
class Rules:
    rules: tuple[Rule, ...] = BUILT_IN
    all_values: bool = False

    def action(self, path: str, field: str, operation: str | None) -> str | None:
        """The first matching rule's action, the file's rules before the built-in ones."""
        for rule in self.rules:
            if rule.matches(path, field, operation):
                return rule.action
        return None

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
        return cls(extra + BUILT_IN, document.get("values", "listed") == "all")
