"""Endpoint definitions as data.

Each emulated API lists every operation it serves in one YAML file (operation code,
method, path template, versions, summary, handler). Routes are built from that file
and nothing else, so an operation missing from it is not served, and the list can
be printed, counted and compared with the vendor's.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from .formats.packagedata import read_yaml

# The tables' format. The package's own tables are checked against it by the test
# suite (tests/server/test_routing.py), not at every start: jsonschema's import and the
# check were ~45 ms of start-up for files that only change with the emulator.
ENDPOINTS_SCHEMA = {
    "type": "object",
    "required": ["api", "title", "base_paths", "operations"],
    "additionalProperties": False,
    "properties": {
        "api": {"type": "string", "pattern": "^[a-z][a-z0-9]*$"},
        "title": {"type": "string"},
        "base_paths": {"type": "object", "additionalProperties": {"type": "string", "pattern": "^/"}},
        "operations": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["code", "summary", "method", "path", "versions", "handler"],
                "additionalProperties": False,
                "properties": {
                    # CustomerID codes (GET105, MOD004b, D12-CreateMandate) or, where the vendor has
                    # none, the document's own "method /path" line (DFS: post /v1.2/identities)
                    "code": {"type": "string", "pattern": "^([A-Za-z0-9-]+|(get|post|put|patch|delete) /[^ ]+)$"},
                    "summary": {"type": "string"},
                    "method": {"enum": ["GET", "POST", "PUT", "PATCH", "DELETE"]},
                    "path": {"type": "string", "pattern": "^/"},
                    "versions": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                    "handler": {"type": "string", "pattern": "^[a-z_][a-z0-9_]*$"},
                    "success_status": {"type": "integer"},
                    # the vendor numbers some versions' operations differently (2.0 MOD001 = 2.1 POST100)
                    "version_codes": {"type": "object", "additionalProperties": {"type": "string"}},
                    # Optional, for APIs that describe themselves (DFS: OpenAPI document).
                    "tag": {"type": "string"},
                    "body": {"type": "string", "description": "request body schema name"},
                    "response": {"type": "string", "description": "success response schema name"},
                    "deprecated": {"type": "boolean"},
                },
            },
        },
    },
}


@dataclass(frozen=True)
class Operation:
    api: str
    code: str
    summary: str
    method: str
    path: str
    versions: tuple[str, ...]
    handler: str
    success_status: int = 200
    version_codes: tuple[tuple[str, str], ...] = ()

    def code_for(self, version: str) -> str:
        """The operation's code in one version (2.0 calls POST100 MOD001)."""
        return dict(self.version_codes).get(version, self.code)

    tag: str | None = None
    body: str | None = None
    response: str | None = None
    deprecated: bool = False

    def url_template(self, base_path: str) -> str:
        return base_path.rstrip("/") + self.path


@dataclass(frozen=True)
class EndpointTable:
    api: str
    title: str
    base_paths: dict[str, str]
    operations: tuple[Operation, ...]

    @classmethod
    @functools.cache  # the file is package data: read it once per process
    def load(cls, path: Path) -> EndpointTable:
        document = read_yaml(path)
        operations = tuple(
            Operation(
                api=document["api"],
                code=item["code"],
                summary=item["summary"],
                method=item["method"],
                path=item["path"],
                versions=tuple(item["versions"]),
                handler=item["handler"],
                success_status=item.get("success_status", 200),
                version_codes=tuple(sorted(item.get("version_codes", {}).items())),
                tag=item.get("tag"),
                body=item.get("body"),
                response=item.get("response"),
                deprecated=item.get("deprecated", False),
            )
            for item in document["operations"]
        )
        seen: set[tuple[str, str, str, str]] = set()
        for operation in operations:
            for version in dict(operation.version_codes):
                if version not in operation.versions:
                    raise ValueError(f"{path}: {operation.code} has a code for unlisted version {version}")
            for version in operation.versions:
                if version not in document["base_paths"]:
                    raise ValueError(f"{path}: {operation.code} names unknown version {version}")
                # One operation may be listed once per URL form (1.0 orgs/ and orgs/ORG/).
                key = (operation.code, version, operation.method, operation.path)
                if key in seen:
                    raise ValueError(f"{path}: {operation.code} is listed twice for version {version}")
                seen.add(key)
        return cls(
            api=document["api"], title=document["title"], base_paths=dict(document["base_paths"]), operations=operations
        )

    def routes(self):
        """(operation, version, URL template) for every served URL; collection and
        entity paths are served with and without a trailing slash, as the docs use both
        (a ``{name:path}`` tail absorbs a trailing slash itself)."""
        for operation in self.operations:
            for version in operation.versions:
                template = operation.url_template(self.base_paths[version])
                yield operation, version, template
                if template.endswith(":path}"):
                    continue
                twin = template[:-1] if template.endswith("/") else template + "/"
                yield operation, version, twin
