"""The OpenAPI 3.1 document of what the emulator serves for DFS, built from
endpoints.yaml and schemas/*.yaml (so it cannot drift from the routes)."""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from typing import Any

from ..api import package_file
from ..endpoints import EndpointTable
from ..formats.packagedata import read_yaml
from .identity import IDENTITY_VERSION
from .models.settings import IdentityClient
from .params import PATH_DESCRIPTIONS, PATH_PARAMETERS, request_definitions

# The seven operations the document lists without 404/422.
SHORT_ERRORS = {
    "get /v1.0/access-policies",
    "get /v1.0/permissions",
    "get /v1.0/back-office-permissions",
    "get /v1.0/identities/roles/hierarchy-level",
    "get /v2.0/roles",
    "post /v3.0/identities/sync-members",
    "post /v1.0/identities/import-members",
}
ERROR_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    422: "UnprocessableEntity",
    500: "Server Error",
}
TAGS = [
    ("AccessPolicyManagement", "Access-Policies Management API"),
    ("AuditContext", "Audit Context API"),
    ("BackOfficeManagement", "Back-Office Management API"),
    ("IdentityManagement", "Identity Management API"),
    ("IdentityMemberSync", "Identity Member Sync API"),
    ("MemberManagement", "Member Management API"),
    ("RoleManagement", "Role Management API"),
    ("IdentityMemberImport", "Identity Member Import API"),
    ("ParticipantManagement", "Participant Management API"),
]
PARAMETER_SCHEMAS = {
    "int32": {"type": "integer", "format": "int32"},
    "uuid": {"type": "string", "format": "uuid"},
    "string": {"type": "string"},
    "RoleHierarchyRankOperation": {"$ref": "#/components/schemas/RoleHierarchyRankOperation"},
}


def _rewrite(node):
    if isinstance(node, dict):
        return {
            key: (value.replace("#/$defs/", "#/components/schemas/") if key == "$ref" else _rewrite(value))
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rewrite(item) for item in node]
    return node


def response_definitions() -> dict:
    document = read_yaml(package_file(__file__, "schemas", "responses.yaml"))
    definitions = dict(document.pop("$defs"))
    definitions.update(document)
    return definitions


_CACHE: dict[int, dict] = {}


def _document(endpoints: EndpointTable) -> dict:
    schemas = {
        **response_definitions(),
        **request_definitions(),
        "RoleHierarchyRankOperation": {"type": "string", "enum": ["Up", "Down"]},
    }
    correlation = {
        "X-Correlation-ID": {
            "description": "The request's CorrelationId (32 hex characters)",
            "schema": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
        }
    }
    error: dict[str, Any] = {
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        "headers": correlation,
    }
    paths: dict = {}
    for operation in endpoints.operations:
        if IDENTITY_VERSION in operation.versions:  # the identity server is not part of the Admin API's document
            continue
        for version in operation.versions:
            url = operation.url_template(endpoints.base_paths[version])
            parameters = [
                {
                    "name": name,
                    "in": "path",
                    "required": True,
                    "description": PATH_DESCRIPTIONS.get(name, name),
                    "schema": PARAMETER_SCHEMAS[PATH_PARAMETERS[name]],
                }
                for name in (part[1:-1] for part in url.split("/") if part.startswith("{"))
            ]
            parameters.append(
                {
                    "name": "Accept-Language",
                    "in": "header",
                    "required": False,
                    "description": "The ISO 639-1 language to use for localizable data.",
                    "schema": {"type": "string"},
                }
            )
            if operation.success_status == 204:
                responses: dict[str, Any] = {"204": {"description": "No Content", "headers": correlation}}
            else:
                responses = {
                    "200": {
                        "description": "Success",
                        "headers": correlation,
                        "content": {
                            "application/json": {"schema": {"$ref": f"#/components/schemas/{operation.response}"}}
                        },
                    }
                }
            statuses = (400, 401, 403, 500) if operation.code in SHORT_ERRORS else (400, 401, 403, 404, 422, 500)
            for status in statuses:
                responses[str(status)] = {"description": ERROR_DESCRIPTIONS[status], **error}
            item: dict[str, Any] = {
                "operationId": operation.handler,
                "summary": operation.summary,
                "tags": [operation.tag],
                "parameters": parameters,
                "responses": responses,
            }
            if operation.deprecated:
                item["deprecated"] = True
            if operation.body:
                item["requestBody"] = {
                    "required": True,
                    "content": {
                        mime: {"schema": {"$ref": f"#/components/schemas/{operation.body}"}}
                        for mime in ("application/json", "application/*+json")
                    },
                }
            paths.setdefault(url, {})[operation.method.lower()] = item
    return _rewrite(
        {
            "openapi": "3.1.0",
            "info": {
                "title": endpoints.title,
                "description": DESCRIPTION_PREFIX + token_howto(None),
                "version": "latest",
            },
            "servers": [{"url": "/"}],
            "tags": [{"name": name, "description": text} for name, text in TAGS],
            "security": [{"Bearer": []}],
            "paths": paths,
            "components": {
                "schemas": schemas,
                "securitySchemes": {
                    "Bearer": {
                        "type": "http",
                        "scheme": "bearer",
                        "bearerFormat": "JWT",
                        "description": token_howto(None),
                    }
                },
            },
        }
    )


DESCRIPTION_PREFIX = "Administration Services (emulated). "
TOKEN_HOWTO = (
    "Every operation needs a Bearer token (a JWT): `POST /__emulator/dfs/token` mints one for the namespace's "
    "scenario (`curl -s -X POST $E/__emulator/dfs/token`, the `access_token` of the answer), or ask the identity "
    "server as a client would: `POST /connect/token` with `grant_type=client_credentials` and {client}. "
    "Paste the token under Authorize."
)
ANY_CLIENT = "a client of the scenario's `dfs.settings.clients`"


def token_howto(client: IdentityClient | None) -> str:
    """How to get a token, naming ``client`` (the loaded scenario's first client that
    may use client_credentials) with the id and secret its scenario file holds: a
    demo credential, shown so that the curl line works as pasted."""
    if client is None or client.secret is None:
        return TOKEN_HOWTO.format(client=ANY_CLIENT)
    credentials = f"{client.client_id}:{client.secret}"
    return TOKEN_HOWTO.format(
        client=f"the scenario's client `{client.client_id}` "
        f"(`curl -s -u {shlex.quote(credentials)} -d grant_type=client_credentials $E/connect/token`)"
    )


def token_client(clients: Iterable[IdentityClient]) -> IdentityClient | None:
    """The first client that can trade its own credentials for a token."""
    return next(
        (client for client in clients if "client_credentials" in client.grant_types and client.secret is not None),
        None,
    )


def with_token_howto(document: dict, client: IdentityClient | None) -> dict:
    """``document`` telling how to get a token for the loaded scenario (copies only
    what changes: the cached document stays as built)."""
    howto = token_howto(client)
    components = document["components"]
    bearer = {**components["securitySchemes"]["Bearer"], "description": howto}
    return {
        **document,
        "info": {**document["info"], "description": DESCRIPTION_PREFIX + howto},
        "components": {**components, "securitySchemes": {**components["securitySchemes"], "Bearer": bearer}},
    }


# Path parameters served with an example id from the namespace's world (control/openapi.py).
PATH_EXAMPLES: dict[str, tuple[str, str | None]] = {
    "identityId": ("dfs.identities", None),
    "roleId": ("dfs.roles", None),
    "tenantId": ("dfs.tenants", None),
    "tenantUid": ("dfs.tenants", "uid"),
    "memberId": ("dfs.members", None),
    "participantId": ("dfs.participants", None),
    "accessPolicyId": ("dfs.access_policies", None),
    "permissionId": ("dfs.permissions", None),
}


def openapi_document(endpoints: EndpointTable) -> dict:
    if id(endpoints) not in _CACHE:  # the table is loaded once per process (EndpointTable.load)
        _CACHE[id(endpoints)] = _document(endpoints)
    return _CACHE[id(endpoints)]
