"""Which requests a rule means: the one matcher faults and journal queries share.

A ``RequestPattern`` holds the request keys both understand (api, operation,
method, path glob, headers, body) and is asked with what a request shows, live
(a fault, before the operation) or recorded (a journal entry, afterwards). Faults
and journal queries add their own keys on top (``status``, ``since`` … for the
journal); every spec is checked when it is given, and a wrong one is a
``MatchError`` naming the key.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as parse_xml_safely

from ..formats.safeparse import BODY_LIMITS, UnsafeDocument, load_json

REQUEST_KEYS = ("api", "operation", "method", "path", "header", "body")
BODY_KINDS = ("json", "xml", "form")
MAX_REGEX_LENGTH = 1000
MAX_FORM_FIELDS = 10_000


class RequestPattern:
    """The request keys of a fault's ``match`` or a journal query; a key not given
    matches anything."""

    __slots__ = ("api", "operation", "method", "path", "header", "body")

    def __init__(self, spec: dict[str, Any], where: str) -> None:
        self.api = optional_str(spec, "api", where)
        self.operation = optional_str(spec, "operation", where)
        method = optional_str(spec, "method", where)
        self.method = method.upper() if method else None
        path = optional_str(spec, "path", where)
        self.path = compile_glob(path) if path else None
        self.header = header_test(spec.get("header"), f"{where}.header")
        self.body = BodyPattern.parse(spec.get("body"), f"{where}.body")

    def fits(self, api: str, operation: str | None, method: str, path: str, headers) -> bool:
        if self.api is not None and self.api != api:
            return False
        if self.operation is not None and self.operation != operation:
            return False
        if self.method is not None and self.method != method:
            return False
        if self.path is not None and not self.path.match(path):
            return False
        if self.header is not None and not self.header(headers):
            return False
        return True


class BodyPattern:
    """``{"json": {"path": "/a/0/b", "equals": 1}}``, ``{"xml": {"path":
    "User/UserName", "matches": "ma.*"}}`` or ``{"form": {"name": "firstname",
    "equals": "Matti"}}``: one value of the request body, compared.

    JSON paths are JSON Pointers (RFC 6901; "" is the whole document). XML paths
    are element local names from the root element down (namespaces ignored, ``*``
    any element); any element at the path may match. ``equals`` compares the value
    (JSON: as JSON, so 1 is not "1"; XML and form: as text), ``matches`` is a
    regular expression the whole text must match (a JSON non-string as its JSON
    text). A body that does not parse as the kind says matches nothing."""

    __slots__ = ("kind", "path", "test", "spec")

    def __init__(self, kind: str, path: Any, test: Callable[[Any], bool], spec: dict) -> None:
        self.kind, self.path, self.test, self.spec = kind, path, test, spec

    @classmethod
    def parse(cls, spec: Any, where: str) -> BodyPattern | None:
        if spec is None:
            return None
        if not isinstance(spec, dict) or len(spec) != 1 or next(iter(spec)) not in BODY_KINDS:
            raise MatchError(where, f"must be an object with exactly one of {', '.join(BODY_KINDS)}")
        kind, rule = next(iter(spec.items()))
        where = f"{where}.{kind}"
        path_key = "name" if kind == "form" else "path"
        if not isinstance(rule, dict):
            raise MatchError(where, f"must be an object with {path_key} and equals or matches")
        unknown = set(rule) - {path_key, "equals", "matches"}
        if unknown:
            raise MatchError(f"{where}.{sorted(unknown)[0]}", f"unknown key (known: {path_key}, equals, matches)")
        if ("equals" in rule) == ("matches" in rule):
            raise MatchError(where, "give exactly one of equals and matches")
        raw_path = rule.get(path_key)
        if not isinstance(raw_path, str):
            raise MatchError(f"{where}.{path_key}", "required: a string")
        path = _compile_path(kind, raw_path, f"{where}.{path_key}")
        if "matches" in rule:
            pattern = rule["matches"]
            if not isinstance(pattern, str) or len(pattern) > MAX_REGEX_LENGTH:
                raise MatchError(
                    f"{where}.matches", f"must be a regular expression of at most {MAX_REGEX_LENGTH} characters"
                )
            try:
                regex = re.compile(pattern)
            except re.error as error:
                raise MatchError(f"{where}.matches", f"not a regular expression: {error}") from None
            test = lambda value: regex.fullmatch(_as_text(value)) is not None  # noqa: E731
        else:
            expected = rule["equals"]
            if kind != "json" and not isinstance(expected, str):
                raise MatchError(f"{where}.equals", f"must be a string ({kind} values are text)")
            test = (lambda value: _same_json(value, expected)) if kind == "json" else (lambda value: value == expected)
        return cls(kind, path, test, spec)

    def fits(self, body: bytes | None) -> bool:
        if not body:
            return False
        try:
            values = _values(self.kind, self.path, body)
        except (UnsafeDocument, DefusedXmlException, SyntaxError, UnicodeDecodeError, ValueError):
            return False  # not this kind of document (ElementTree's ParseError is a SyntaxError)
        return any(self.test(value) for value in values)


_MISSING = object()


def _compile_path(kind: str, path: str, where: str) -> Any:
    if kind == "json":
        if path and not path.startswith("/"):
            raise MatchError(where, 'a JSON Pointer (RFC 6901): "" or starting with "/", e.g. "/name/0/value"')
        if re.search(r"~(?![01])", path):
            raise MatchError(where, "in a JSON Pointer ~ is written ~0 and / is written ~1")
        return tuple(part.replace("~1", "/").replace("~0", "~") for part in path.split("/")[1:])
    if kind == "xml":
        steps = tuple(path.strip("/").split("/"))
        if not path.strip("/") or not all(re.fullmatch(r"\*|[A-Za-z_][\w.\-]*", step) for step in steps):
            raise MatchError(where, 'element local names from the root down, e.g. "User/UserName" (* any element)')
        return steps
    if not path:
        raise MatchError(where, "required: the form field's name")
    return path


def _values(kind: str, path: Any, body: bytes) -> list[Any]:
    if kind == "json":
        value = load_json(body, BODY_LIMITS)
        for part in path:
            if isinstance(value, dict):
                value = value.get(part, _MISSING)
            elif isinstance(value, list) and part.isascii() and part.isdigit() and (part == "0" or part[0] != "0"):
                value = value[int(part)] if int(part) < len(value) else _MISSING
            else:
                value = _MISSING
            if value is _MISSING:
                return []
        return [value]
    if kind == "xml":
        elements = [parse_xml_safely(body, forbid_dtd=True)]
        for depth, step in enumerate(path):
            children = elements if depth == 0 else [child for element in elements for child in element]
            elements = [element for element in children if step == "*" or _local(element.tag) == step]
        return [(element.text or "").strip() for element in elements]
    return urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS).get(
        path, []
    )


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _same_json(value: Any, expected: Any) -> bool:
    """JSON equality: true is not 1, 1 is 1.0."""
    if isinstance(value, bool) or isinstance(expected, bool):
        return type(value) is type(expected) and value == expected
    if isinstance(value, dict) and isinstance(expected, dict):
        return value.keys() == expected.keys() and all(_same_json(value[key], expected[key]) for key in value)
    if isinstance(value, list) and isinstance(expected, list):
        return len(value) == len(expected) and all(map(_same_json, value, expected))
    return type(value) is not dict and type(value) is not list and value == expected


class MatchError(ValueError):
    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where, self.problem = where, problem


def parse_since(value: Any, where: str) -> float:
    """An ISO 8601 timestamp (as the journal shows them) or epoch seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise MatchError(where, f"{value!r} is not an ISO 8601 timestamp") from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.timestamp()
    raise MatchError(where, "must be an ISO 8601 timestamp or epoch seconds")


def compile_glob(pattern: str) -> re.Pattern:
    """``*`` matches within one path segment, ``**`` across segments."""
    parts = re.split(r"(\*\*|\*|\?)", pattern)
    regex = "".join({"**": ".*", "*": "[^/]*", "?": "[^/]"}.get(part, re.escape(part)) for part in parts)
    return re.compile(regex + r"\Z")


def header_test(value: Any, where: str):
    """``{"X-Test": "a"}``: each named header present with exactly that value
    (names are case-insensitive); a value of ``"*"`` only asks for presence."""
    if value is None:
        return None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise MatchError(where, "must map header names to string values")
    wanted = tuple(value.items())

    def test(headers) -> bool:
        for name, expected in wanted:
            actual = headers.get(name)
            if actual is None or (expected != "*" and actual != expected):
                return False
        return True

    return test


def optional_str(spec: dict, key: str, where: str) -> str | None:
    value = spec.get(key)
    if value is not None and not isinstance(value, str):
        raise MatchError(f"{where}.{key}", "must be a string")
    return value or None


def status_test(value: Any, where: str):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return lambda status: status == value
    if isinstance(value, str):
        text = value.strip().lower()
        if text.isascii() and text.isdigit():
            number = int(text)
            return lambda status: status == number
        if len(text) == 3 and text[0] in "0123456789" and text[1:] == "xx":
            digit = int(text[0])
            return lambda status: status is not None and status // 100 == digit
        if text in ("none", "null"):  # the connection was dropped: no status
            return lambda status: status is None
    raise MatchError(where, "must be a status code, a class like 5xx, or none")
