"""A namespace's journal as a Pact V4 document (``GET /__emulator/pact``,
``emulator pact export``, the plugin's ``--emulator-pact-dir``).

One interaction per distinct (API, operation code, version, status, provider states),
the first exchange of each as its example. Answers are matched by shape, not by value,
and the shape comes from the API's documents (its ``answer_schema`` hook: DFS's OpenAPI
schemas, CustomerID's XSDs): uuid and date-time by their format, integers as integers,
enumerations by a regex of their values, anything else by type; JSON bodies value by
value, XML bodies through Pact's XML matching, element by element (text and attributes).
Where a document says nothing (no schema for the answer, an open object), the value
itself is the guide: a uuid- or date-time-shaped string by that format.
Credentials never reach the file: an ``Authorization`` header becomes a placeholder of
its scheme with a regex matcher, and a Bearer token under a provider state is generated
from the state's ``customeridToken`` / ``dfsToken`` value. Token-server exchanges (the
SSO, the DFS identity server) and answers a fault changed are left out: the first carry
secrets, the second are not what the API does.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from typing import Any
from urllib.parse import parse_qsl
from xml.etree import ElementTree

from ... import __version__
from ...api import HasAnswerSchema
from ..openapi import resolved

TOKEN_SERVER_VERSIONS = ("sso", "identity")
UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
DATE_TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$"
PLACEHOLDERS = {"basic": "Basic cmVkYWN0ZWQ6cmVkYWN0ZWQ=", "bearer": "Bearer redacted"}  # redacted:redacted
REQUEST_HEADERS = ("content-type", "accept")
RESPONSE_HEADERS = ("content-type", "location")


class ExportError(Exception):
    def __init__(self, message: str, where: str | None = None) -> None:
        super().__init__(message)
        self.where = where


def export_pact(
    entries,
    markers: list[tuple[int, tuple[str, ...], dict[str, str]]],
    apis: dict,
    *,
    consumer: str,
    provider: str,
    api=None,
) -> dict[str, Any]:
    if not consumer.strip() or not provider.strip():
        raise ExportError("consumer and provider are names", "?consumer")
    if api is not None and api not in apis:
        raise ExportError(f"api is one of {', '.join(apis)}, not {api!r}", "?api")
    seen: dict[tuple, dict] = {}
    marker_seqs = [marker[0] for marker in markers]
    for entry in entries:
        if entry.operation is None or entry.status is None or entry.fault is not None:
            continue
        if entry.version in TOKEN_SERVER_VERSIONS or (api is not None and entry.api != api):
            continue
        # the states in force: the last marker set before this entry was served
        position = bisect_left(marker_seqs, entry.seq) - 1
        states, ids = markers[position][1:] if position >= 0 else ((), {})
        key = (entry.api, entry.operation, entry.version, entry.status, states)
        if key not in seen:
            seen[key] = interaction(entry, states, _documented(apis.get(entry.api), entry), ids)
    return {
        "consumer": {"name": consumer},
        "provider": {"name": provider},
        "interactions": list(seen.values()),
        "metadata": {
            "pactSpecification": {"version": "4.0"},
            "emulator": {"version": __version__, "source": "the journal of a namespace (docs/pact.md)"},
        },
    }


def _documented(api, entry) -> tuple[dict, dict] | None:
    """The answer's schema and the document it lives in, if the API's documents give one."""
    if not isinstance(api, HasAnswerSchema) or not entry.response_body:
        return None
    media_type = (entry.response_headers or {}).get("Content-Type", "").split(";")[0].strip()
    return api.answer_schema(entry.operation, entry.version, entry.status, media_type)


def _path_from_state(path: str, ids: dict[str, str]) -> str | None:
    """``path`` with each segment that is an id a provider state answered written as its
    ``${name}`` (Pact's ``fromProviderState``); ``None`` when no segment is one."""
    by_value = {str(value).casefold(): name for name, value in ids.items() if str(value)}
    segments = path.split("/")
    named = [
        f"${{{by_value[segment.casefold()]}}}" if segment.casefold() in by_value else segment for segment in segments
    ]
    return "/".join(named) if named != segments else None


def interaction(
    entry, states: tuple[str, ...], documented: tuple[dict, dict] | None = None, ids: dict[str, str] | None = None
) -> dict[str, Any]:
    code = f"{entry.operation} ({entry.api} {entry.version})"
    request: dict[str, Any] = {"method": entry.method, "path": entry.path}
    query: dict[str, list[str]] = {}
    for name, value in parse_qsl(entry.query, keep_blank_values=True):
        query.setdefault(name, []).append(value)
    if query:
        request["query"] = query
    headers = {name: [value] for name, value in entry.request_headers.items() if name.casefold() in REQUEST_HEADERS}
    request_rules: dict[str, Any] = {}
    generators: dict[str, Any] = {}
    authorization = entry.request_headers.get("Authorization")
    if authorization:
        scheme = authorization.split(" ", 1)[0].casefold()
        headers["Authorization"] = [PLACEHOLDERS.get(scheme, "redacted")]
        request_rules["header"] = {"Authorization": _rule({"match": "regex", "regex": r"^\S+ \S+$"})}
        if scheme == "bearer" and states:
            generators["header"] = {
                "Authorization": {"type": "ProviderState", "expression": f"Bearer ${{{entry.api}Token}}"}
            }
    expression = _path_from_state(entry.path, ids or {}) if states else None
    if expression is not None:  # the id a state created: the verifier's state creates another
        generators["path"] = {"type": "ProviderState", "expression": expression, "dataType": "STRING"}
    if headers:
        request["headers"] = headers
    if entry.request_body:
        request["body"] = _body(entry.request_body, entry.request_headers.get("Content-Type", ""))
    if request_rules:
        request["matchingRules"] = request_rules
    if generators:
        request["generators"] = generators
    response: dict[str, Any] = {"status": entry.status}
    response_headers = entry.response_headers or {}
    content_type = response_headers.get("Content-Type", "")
    kept = {name: [value] for name, value in response_headers.items() if name.casefold() in RESPONSE_HEADERS}
    if kept:
        response["headers"] = kept
    rules: dict[str, Any] = {}
    if "Content-Type" in kept:
        media_type = content_type.split(";")[0].strip()
        rules["header"] = {"Content-Type": _rule({"match": "regex", "regex": "^" + re.escape(media_type) + "(;.*)?$"})}
    if "Location" in kept:
        rules.setdefault("header", {})["Location"] = _rule({"match": "type"})
    if entry.response_body:
        response["body"] = _body(entry.response_body, content_type)
        body_rules = _body_rules(entry.response_body, content_type, documented)
        if body_rules:
            rules["body"] = body_rules
    if rules:
        response["matchingRules"] = rules
    result: dict[str, Any] = {
        "type": "Synchronous/HTTP",
        "description": f"{code} {entry.method} {entry.path} answers {entry.status}"
        + (f" given {' and '.join(states)}" if states else ""),
        "request": request,
        "response": response,
    }
    if states:
        result["providerStates"] = [{"name": name} for name in states]
    return result


def _rule(*matchers: dict) -> dict:
    return {"combine": "AND", "matchers": list(matchers)}


def _body(raw: bytes, content_type: str) -> dict[str, Any]:
    media_type = content_type.split(";")[0].strip() or "application/octet-stream"
    text = raw.decode("utf-8", "replace")
    if media_type.endswith("json"):
        try:
            return {"content": json.loads(text), "contentType": content_type, "encoded": False}
        except ValueError:
            pass
    return {"content": text, "contentType": content_type or media_type, "encoded": False}


def _value_matcher(value: Any) -> dict:
    """What the value itself suggests, where no document speaks: uuid and date-time strings
    by their format, integers as integers, null as null, anything else by type."""
    if value is None:
        return {"match": "null"}
    if isinstance(value, int) and not isinstance(value, bool):
        return {"match": "integer"}
    if isinstance(value, str):
        if re.match(UUID, value):
            return {"match": "regex", "regex": UUID}
        if re.match(DATE_TIME, value):
            return {"match": "regex", "regex": DATE_TIME}
    return {"match": "type"}


def _literal(text: str) -> str:
    """``text`` as a regex literal: only the metacharacters escaped (Pact's regex engine
    refuses some of the escapes ``re.escape`` writes, e.g. a space's)."""
    return re.sub(r"([\\.^$|?*+()\[\]{}])", r"\\\1", text)


def _documented_matcher(schema: dict | None, value: Any) -> dict | None:
    """What the document says of a scalar (``None``: it says nothing, or the value is not
    what it says - then the value guides): an enumeration by a regex of its values,
    format uuid / date-time by that format, integer and number by kind, other types by type."""
    if not schema or value is None:
        return None
    enum = [item for item in schema.get("enum", ()) if item is not None]
    if enum and all(isinstance(item, str) for item in enum) and value in enum:
        return {"match": "regex", "regex": "^(" + "|".join(_literal(item) for item in enum) + ")$"}
    kinds = schema.get("type")
    kinds = {kinds} if isinstance(kinds, str) else set(kinds or ())
    text = value if isinstance(value, str) else None
    if text is not None and schema.get("format") == "uuid" and re.match(UUID, text):
        return {"match": "regex", "regex": UUID}
    if text is not None and schema.get("format") == "date-time" and re.match(DATE_TIME, text):
        return {"match": "regex", "regex": DATE_TIME}
    if "integer" in kinds and (isinstance(value, int) or (text is not None and re.fullmatch(r"-?\d+", text))):
        return {"match": "integer"}
    if "number" in kinds and not isinstance(value, bool):
        return {"match": "number"}
    if kinds & {"string", "boolean"} and not enum and "format" not in schema and "pattern" not in schema:
        return {"match": "type"}
    return None


class _Schema:
    """A schema of the answer's document, walked alongside the body: ``$ref``s followed,
    ``allOf`` merged, a ``oneOf`` branch chosen by the XML element's name."""

    def __init__(self, document: dict) -> None:
        self.document = document

    def at(self, node: Any, element_name: str | None = None) -> dict | None:
        node = resolved(self.document, node)
        if not isinstance(node, dict) or not node:
            return None
        if "allOf" in node:
            merged: dict[str, Any] = {key: value for key, value in node.items() if key != "allOf"}
            for part in node["allOf"]:
                part = self.at(part) or {}
                merged = {
                    **part,
                    **merged,
                    "properties": {**part.get("properties", {}), **merged.get("properties", {})},
                }
            node = merged
        branches = node.get("oneOf") or node.get("anyOf")
        if branches:
            chosen = [self.at(branch) for branch in branches]
            named = [branch for branch in chosen if branch and branch.get("xml", {}).get("name") == element_name]
            not_null = [branch for branch in chosen if branch and branch.get("type") != "null"]
            return named[0] if named else (not_null[0] if len(not_null) == 1 else None)
        return node

    def child(self, parent: dict | None, name: str, element_name: str | None = None) -> dict | None:
        if parent is None:
            return None
        found = (parent.get("properties") or {}).get(name)
        if found is None and isinstance(parent.get("additionalProperties"), dict):
            found = parent["additionalProperties"]
        child = self.at(found, element_name or name)
        if child is not None and child.get("type") == "array" and element_name is not None:
            return self.at(child.get("items"), element_name)  # a repeated XML element: each is an item
        return child

    def items(self, parent: dict | None) -> dict | None:
        return self.at(parent.get("items")) if parent else None


def _scalar(found: dict, path: str, value: Any, schema: dict | None) -> None:
    _add(found, path, _documented_matcher(schema, value) or _value_matcher(value))


def _add(found: dict[str, list[dict]], path: str, matcher: dict) -> None:
    matchers = found.setdefault(path, [])
    if matcher not in matchers:
        matchers.append(matcher)


def _as_rules(found: dict[str, list[dict]]) -> dict[str, Any]:
    """Several values share one path (list items, repeated XML elements). Where they agree
    (every MemberId an integer) their matcher stands; where they differ (a null BankBranch
    beside an object, an Attribute value that is a uuid beside one that is a name) the path
    is matched by type, against the example item in the same place: Pact's verifier does not
    apply OR-combined matchers to bodies (pact_ffi 0.5.12; docs/fidelity.md)."""
    return {
        path: {"combine": "AND", "matchers": matchers if len(matchers) == 1 else [{"match": "type"}]}
        for path, matchers in found.items()
    }


def _body_rules(raw: bytes, content_type: str, documented: tuple[dict, dict] | None = None) -> dict[str, Any]:
    media_type = content_type.split(";")[0].strip()
    text = raw.decode("utf-8", "replace")
    found: dict[str, list[dict]] = {}
    walker = _Schema(documented[1] if documented else {})
    top = documented[0] if documented else None
    try:
        if media_type.endswith("json"):
            _json_rules(json.loads(text), "$", found, walker, walker.at(top))
        elif media_type.endswith("xml"):
            root = ElementTree.fromstring(text)
            _xml_rules(root, "$" + _qualified(root.tag), found, walker, walker.at(top, _local(root.tag)))
    except (ValueError, ElementTree.ParseError):
        return {}
    return _as_rules(found)


def _json_rules(value: Any, path: str, found: dict, walker: _Schema, schema: dict | None) -> None:
    if isinstance(value, dict):
        _add(found, path, {"match": "type"})
        for name, item in value.items():
            child = f"{path}.{name}" if re.fullmatch(r"[A-Za-z_]\w*", name) else f"{path}['{name}']"
            _json_rules(item, child, found, walker, walker.child(schema, name))
    elif isinstance(value, list):
        _add(found, path, {"match": "type", "min": 0})
        for item in value:
            _json_rules(item, f"{path}[*]", found, walker, walker.items(schema))
    else:
        _scalar(found, path, value, schema)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _qualified(tag: str) -> str:
    """A path segment as Pact's XML matching names the element: ``['<namespace>:<name>']``
    for a namespaced one (its rules on plain names never apply there), ``.name`` otherwise."""
    if tag.startswith("{"):
        namespace, local = tag[1:].split("}", 1)
        return f"['{namespace}:{local}']"
    return f".{tag}"


def _xml_rules(element, path: str, found: dict, walker: _Schema, schema: dict | None) -> None:
    """Pact's XML paths: elements by (qualified) name, ``['#text']`` their text, ``['@name']``
    attributes; ``schema`` is the element's (its properties: child elements and attributes)."""
    children = list(element)
    _add(found, path, {"match": "type", "min": 0})
    text = (element.text or "").strip()
    if text and not children:
        simple = schema if schema is not None and "properties" not in schema else None
        _scalar(found, f"{path}['#text']", text if simple else (int(text) if text.isdigit() else text), simple)
    for name, value in element.attrib.items():
        _scalar(found, f"{path}['@{_local(name)}']", value, walker.child(schema, _local(name)))
    for child in children:
        local = _local(child.tag)
        _xml_rules(child, path + _qualified(child.tag), found, walker, walker.child(schema, local, local))
