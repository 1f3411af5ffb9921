"""The OpenAPI 3.1 document of what the emulator serves for CustomerID.

Every row of endpoints.yaml, in every version it is served in, becomes an
operation; its URL parameters, bodies and answers come from
openapi-operations.yaml (keyed by handler), and the XML bodies are described
from the package's XSDs (schemas/), so the document cannot drift from the routes
or the documents. A row that openapi-operations.yaml does not describe yet still
appears, with its path parameters, the error document and a generic answer.
The SSO beside CustomerID (version "sso", under /uas) speaks OAuth2 in JSON: its
rows are described by sso/openapi.yaml, with their own tag, schemas, security
and the RFC 6749 error document. Built once per process and cached.
"""

from __future__ import annotations

import functools
import json
import re
from http import HTTPStatus
from typing import Any

from ..api import package_file
from ..endpoints import EndpointTable, Operation
from ..formats.packagedata import read_yaml
from .params import JAVA_INT_MAX
from .render import JSON_CONTENT_TYPE, XML_CONTENT_TYPE
from .sso import endpoints as sso_endpoints

XSD_FILES = {"cid-2.1": "cid-2.1.xsd", "cid-1.2": "cid-1.2.xsd", "customerid-error": "customerid-error.xsd"}
ERROR_SCHEMA = "customerid-error.error"
# What a request may authenticate with (api.authenticate). Bearer is listed for
# clients of the OAuth2-configured service; keep every scheme here, in one place.
SECURITY_SCHEMES = {
    "basic": {
        "type": "http",
        "scheme": "basic",
        "description": "HTTP Basic with a service account of the scenario (default restuser:secret).",
    },
    "urlUsername": {
        "type": "apiKey",
        "in": "query",
        "name": "username",
        "description": "Service account name as a URL parameter; goes with urlPassword.",
    },
    "urlPassword": {
        "type": "apiKey",
        "in": "query",
        "name": "password",
        "description": "Service account password as a URL parameter; goes with urlUsername.",
    },
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "OAuth2 access token; accepted when the scenario configures OAuth2.",
    },
}
SECURITY: list[dict[str, list[str]]] = [{"basic": []}, {"urlUsername": [], "urlPassword": []}, {"bearer": []}]
ERROR_STATUSES = {
    400: "Invalid arguments (code 1), Invalid reference (10), Size limit exceeded (12) ...",
    401: "Authentication failed (code 2)",
    403: "Unauthorized (code 3)",
    404: "Entity not found (code 7) or Parent not found (5)",
    405: "Method not allowed (code 13)",
    409: "Already exists (code 4)",
    500: "Internal server error (code 6)",
}
# What params.checked_text lets through: text XML 1.0 can carry, at most 4096 characters.
# An empty value of a mandatory parameter is refused as missing (handlers1x.required).
XML_TEXT = {
    "type": "string",
    "pattern": "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\ufffe\\uffff]*$",
    "maxLength": 4096,
}
# params.parse_boolean: Java's "true" or "false", in any case; anything else is refused.
BOOLEAN_TEXT = {"type": "string", "pattern": "^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$"}
PATH_PARAMETER = re.compile(r"\{([A-Za-z0-9_]+)(:path)?\}")


@functools.lru_cache(maxsize=1)
def _descriptions() -> dict:
    return read_yaml(package_file(__file__, "openapi-operations.yaml"))


@functools.lru_cache(maxsize=1)
def _families() -> dict[str, dict]:
    """Versions of the table documented apart from CustomerID's XML, by version."""
    sso = read_yaml(package_file(__file__, "sso", "openapi.yaml"))
    return {sso["version"]: sso}


@functools.lru_cache(maxsize=1)
def xml_schemas() -> dict[str, dict]:
    """Component schemas of every XSD global type and element, e.g. ``cid-2.1.Users``."""
    from ..contract.xsd_jsonschema import XsdComponents  # xmlschema: ~0.1 s of import, for this document only

    schemas: dict[str, dict] = {}
    for stem, file_name in XSD_FILES.items():
        schemas.update(XsdComponents(package_file(__file__, "schemas", file_name), stem + ".").schemas())
    return schemas


def _xml_text_strings(schema):
    """``schema`` with every plain string narrowed to XML_TEXT (what checked_text takes)."""
    if schema == {"type": "string"}:
        return XML_TEXT
    if isinstance(schema, dict):
        return {key: _xml_text_strings(value) for key, value in schema.items()}
    if isinstance(schema, list):
        return [_xml_text_strings(item) for item in schema]
    return schema


def _component(reference: str) -> str:
    """``cid-2.1:Users`` (openapi-operations.yaml) -> the component name ``cid-2.1.Users``."""
    stem, _, element = reference.partition(":")
    return f"{stem}.{element}" if element else f"json.{stem}"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _parameter(item: dict) -> dict:
    if item.get("type", "string") == "string":
        schema: dict = {**XML_TEXT, **({"pattern": item["pattern"]} if "pattern" in item else {})}
    else:
        schema = {"type": item["type"]}
    if item.get("required"):
        schema["minLength"] = 1
    if item.get("type") == "integer":  # a count: params.parse_count takes a Java int, not below 0
        schema.update(minimum=0, maximum=JAVA_INT_MAX)
    if "enum" in item:
        schema["enum"] = item["enum"]
    return {
        "name": item["name"],
        "in": "query",
        "required": item.get("required", False),
        "description": item.get("description", item["name"]),
        "schema": schema,
    }


def _query_parameters(described: dict, version: str, template: str) -> list[dict]:
    """``collection_only``: a parameter of the URL form without an entity in the path
    (1.0's user/?login=... beside user/{user}, one handler for both)."""
    sets = _descriptions()["parameter_sets"]
    addresses_an_entity = PATH_PARAMETER.search(template) is not None
    out = []
    for entry in described.get("parameters", []):
        for item in sets[entry] if isinstance(entry, str) else [entry]:
            if item.get("collection_only") and addresses_an_entity:
                continue
            if version in item.get("versions", [version]):
                out.append(_parameter(item))
    if "free_form" in described:
        name = described["free_form"]
        out.append(
            {
                "name": name,
                "in": "query",
                "style": "form",
                "explode": True,
                "required": False,
                "description": _descriptions()["free_form"][name],
                # an empty example: Swagger UI would otherwise send additionalProp1=string
                "example": {},
                "schema": {"type": "object", "additionalProperties": XML_TEXT},
            }
        )
    return out


def _path_names(templates: list[str]) -> dict[str, str]:
    """OpenAPI forbids two paths that differ only in parameter names (1.0 has
    user/{user} and user/{organization}): such paths share one name per position,
    the names joined with "Or"."""
    shapes: dict[str, list[list[str]]] = {}
    for template in templates:
        names = [match.group(1) for match in PATH_PARAMETER.finditer(template)]
        positions = shapes.setdefault(PATH_PARAMETER.sub("{}", template), [[] for _ in names])
        for position, name in zip(positions, names):
            if name not in position:
                position.append(name)
    renamed = {}
    for template in templates:
        in_order = iter(shapes[PATH_PARAMETER.sub("{}", template)])
        renamed[template] = PATH_PARAMETER.sub(lambda match: "{" + _joined(next(in_order)) + "}", template)
    return renamed


def _joined(names: list[str]) -> str:
    return names[0] + "".join("Or" + name[0].upper() + name[1:] for name in names[1:])


def _path_parameters(template: str, openapi_path: str) -> list[dict]:
    out = []
    for match, name in zip(PATH_PARAMETER.finditer(template), re.findall(r"\{([^}]+)\}", openapi_path)):
        if match.group(2):  # {name:path}: an entity name, one or more segments
            description = (
                f"{match.group(1)}: entity name, one or more segments (e.g. 1234567-8/sales); "
                "the emulator takes a slash sent as-is or as %2F"
            )
        else:
            description = f"{match.group(1)}: id"
        out.append(
            {"name": name, "in": "path", "required": True, "description": description, "schema": {"type": "string"}}
        )
    return out


def _responses(operation: Operation, described: dict | None, family: dict | None) -> dict:
    responses: dict = {}
    status = str(operation.success_status)
    if operation.success_status == 204:
        responses[status] = {"description": "No Content"}
    elif described and "html" in described:  # a page for a browser (the SSO's login and logout)
        page = {"text/html": {"schema": {"type": "string"}}}
        responses[status] = {"description": described["html"], "content": page}
        responses["302"] = {"description": "Back to the client (redirect_uri or post_logout_redirect_uri)"}
        # never sent back to a client it cannot trust: an error page (RFC 6749 4.1.2.1)
        responses["400"] = {"description": "An error page: the request cannot go back to the client", "content": page}
    elif described and described.get("empty"):
        responses[status] = {"description": "Done (an empty body)"}
    elif described and "json" in described and "response" not in described:  # a JSON-only answer
        responses[status] = {
            "description": "Success",
            "content": {JSON_CONTENT_TYPE: {"schema": _ref(_component(described["json"]))}},
        }
    elif described is None or "response" not in described:
        responses[status] = {
            "description": "Success",
            "content": {XML_CONTENT_TYPE: {"schema": {"description": "a CustomerID XML document (not described yet)"}}},
        }
    else:
        elements = [_ref(_component(name)) for name in described["response"]]
        if len(elements) == 1:
            schema = elements[0]
        else:  # the root element tells which; xml.name lets Swagger UI draw the first as the example
            first = described["response"][0].partition(":")[2]
            schema = {
                "oneOf": elements,
                "xml": {"name": first},
                "description": " or ".join(f"<{name.partition(':')[2]}>" for name in described["response"]),
            }
        content = {XML_CONTENT_TYPE: {"schema": schema}}
        if "json" in described:
            content[JSON_CONTENT_TYPE] = {"schema": _ref(_component(described["json"]))}
        responses[status] = {"description": "Success", "content": content}
    if family is not None:
        for code in (described or {}).get("errors", []):
            responses[str(code)] = {"$ref": f"#/components/responses/{family['version']}Error{code}"}
        return responses
    statuses = [400, 401, 403, 404, 500] if operation.method == "GET" else [400, 401, 403, 404, 409, 500]
    for code in statuses:
        responses[str(code)] = {"$ref": f"#/components/responses/Error{code}"}
    return responses


def _request_body(described: dict | None) -> dict | None:
    if not described or "body" not in described:
        return None
    content = {}
    for media_type, reference in described["body"].items():
        content[media_type] = {"schema": _ref(_component(reference))}
    return {"required": True, "content": content}


def _document(endpoints: EndpointTable, handlers) -> dict:
    described_operations = _descriptions()["operations"]
    rows = [
        (operation, version, operation.url_template(endpoints.base_paths[version]))
        for operation in endpoints.operations
        for version in operation.versions
    ]
    openapi_paths = _path_names([template for _, _, template in rows])
    paths: dict = {}
    operation_ids: set[str] = set()
    families = _families()
    for operation, version, template in rows:
        family = families.get(version)
        described = (family["operations"] if family else described_operations).get(operation.handler)
        code = operation.code_for(version)
        # the SSO's codes are "post /uas/oauth2/token": an identifier for code generators
        operation_id = re.sub(r"\W+", "_", code).strip("_") if family else f"{code}_v{version.replace('.', '_')}"
        if operation_id in operation_ids:  # one operation at two URL forms (1.0 orgs/ and orgs/ORG/)
            extra = "_".join(match.group(1) for match in PATH_PARAMETER.finditer(template)) or "collection"
            operation_id = f"{operation_id}_{extra}"
        operation_ids.add(operation_id)
        handler = getattr(sso_endpoints if family else handlers, operation.handler, None)
        item: dict = {
            "operationId": operation_id,
            "summary": f"{code} {operation.summary}",
            "tags": [family["tag"]["name"] if family else f"CustomerID {version}"],
            "parameters": _path_parameters(template, openapi_paths[template])
            + _query_parameters(described or {}, version, template),
            "responses": _responses(operation, described, family),
        }
        if described and "security" in described:
            item["security"] = described["security"]
        if handler is not None and handler.__doc__:
            item["description"] = " ".join(handler.__doc__.split())
        body = _request_body(described)
        if body:
            item["requestBody"] = body
        paths.setdefault(openapi_paths[template], {})[operation.method.lower()] = item
    schemas = dict(xml_schemas())
    # a readable example instead of one generated from the pattern
    schemas["cid-1.2.url-type"] = {
        **schemas["cid-1.2.url-type"],
        "examples": ["http://127.0.0.1:8080/eidm2/services/org/1234567-8"],
    }
    # Narrower than the XSD's xs:string, as params.py reads the PATCH124 body.
    narrowed: dict[str, dict[str, Any]] = {
        "cid-2.1.UserRequestType": {"pwd.activated": BOOLEAN_TEXT},
        "cid-2.1.UserRequest": {"pwd.activated": BOOLEAN_TEXT},
        "cid-2.1.CustomAttributeType": {"name": {"type": "string", "minLength": 1, "xml": {"attribute": True}}},
    }
    for name, properties in narrowed.items():
        schemas[name] = {**schemas[name], "properties": {**schemas[name]["properties"], **properties}}
    schemas.update({f"json.{name}": schema for name, schema in _descriptions()["json_schemas"].items()})
    for name in ("json.UserRequest", "json.UserForm"):  # PATCH124 bodies: values pass params.checked_text
        schemas[name] = _xml_text_strings(schemas[name])
    error_content = {"content": {XML_CONTENT_TYPE: {"schema": _ref(ERROR_SCHEMA)}}}
    responses = {f"Error{code}": {"description": text, **error_content} for code, text in ERROR_STATUSES.items()}
    challenge = {"WWW-Authenticate": {"description": "The authentication scheme to use", "schema": {"type": "string"}}}
    responses["Error401"]["headers"] = challenge
    security_schemes = dict(SECURITY_SCHEMES)
    for version, family in families.items():
        schemas.update({f"{version}.{name}": schema for name, schema in family["json_schemas"].items()})
        security_schemes.update(family["security_schemes"])
        family_content = {"content": {JSON_CONTENT_TYPE: {"schema": _ref(_component(family["error_schema"]))}}}
        for code in sorted(
            {code for described in family["operations"].values() for code in described.get("errors", [])}
        ):
            responses[f"{version}Error{code}"] = {
                "description": f"{family['tag']['name']}: {HTTPStatus(code).phrase}",
                **family_content,
                **({"headers": challenge} if code == 401 else {}),
            }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": endpoints.title,
            "version": ", ".join(version for version in endpoints.base_paths if version not in families),
            "description": "Every CustomerID operation the emulator serves, per version: REST 1.0 "
            "(/eidm2/services), 1.2, 2.0 and 2.1 (/customerid-rest/services). XML "
            "bodies are described from the emulator's XSDs; every error is the "
            "`<error><code/><message/></error>` document. Beside them, the Ubisecure SSO (/uas) "
            "that issues the OAuth2 Bearer tokens, in JSON.",
        },
        "servers": [{"url": "/", "description": "this emulator"}],
        # Swagger UI shows the tags in this order: the current version (2.1) first, 1.0 last, then the SSO.
        "tags": [
            {"name": f"CustomerID {version}", "description": f"Served under {base}"}
            for version, base in reversed(endpoints.base_paths.items())
            if version not in families
        ]
        + [families[version]["tag"] for version in endpoints.base_paths if version in families],
        "security": SECURITY,
        "paths": paths,
        "components": {"schemas": schemas, "responses": responses, "securitySchemes": security_schemes},
    }


# Path parameters served with an example id from the namespace's world (control/openapi.py).
PATH_EXAMPLES: dict[str, tuple[str, str | None]] = {
    "organizationId": ("customerid.organizations", None),
    "userId": ("customerid.users", None),
    "roleId": ("customerid.roles", None),
    "mandateId": ("customerid.mandates", None),
    "delegationId": ("customerid.delegations", None),
    "invitationId": ("customerid.role_invitations", None),
}

_CACHE: dict[int, tuple[dict, bytes]] = {}


def _cached(endpoints: EndpointTable, handlers) -> tuple[dict, bytes]:
    if id(endpoints) not in _CACHE:  # the table is loaded once per process (EndpointTable.load)
        document = _document(endpoints, handlers)
        _CACHE[id(endpoints)] = document, json.dumps(document, ensure_ascii=False).encode()
    return _CACHE[id(endpoints)]


def openapi_document(endpoints: EndpointTable, handlers) -> dict:
    return _cached(endpoints, handlers)[0]


def openapi_json(endpoints: EndpointTable, handlers) -> bytes:
    """The document as served: encoded once, not per request (116 KB)."""
    return _cached(endpoints, handlers)[1]
