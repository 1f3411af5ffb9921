"""Which requests a rule means: the one matcher faults and journal queries share.

A ``RequestPattern`` holds the request keys both understand (api, operation,
method, path glob, headers) and is asked with what a request shows, live (a
fault, before the operation) or recorded (a journal entry, afterwards). Faults
and journal queries add their own keys on top (``status``, ``since`` … for the
journal); every spec is checked when it is given, and a wrong one is a
``MatchError`` naming the key.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

REQUEST_KEYS = ("api", "operation", "method", "path", "header")


class RequestPattern:
    """The request keys of a fault's ``match`` or a journal query; a key not given
    matches anything."""

    __slots__ = ("api", "operation", "method", "path", "header")

    def __init__(self, spec: dict[str, Any], where: str) -> None:
        self.api = optional_str(spec, "api", where)
        self.operation = optional_str(spec, "operation", where)
        method = optional_str(spec, "method", where)
        self.method = method.upper() if method else None
        path = optional_str(spec, "path", where)
        self.path = compile_glob(path) if path else None
        self.header = header_test(spec.get("header"), f"{where}.header")

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
