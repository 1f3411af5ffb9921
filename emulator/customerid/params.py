"""Reading CustomerID request parameters: URL query parameters in every version
(for POST, PUT and DELETE too), plus PATCH124's form, XML or JSON body."""

from __future__ import annotations

import codecs
import re
from collections.abc import Set as AbstractSet
from typing import Any
from urllib.parse import unquote_to_bytes

from aiohttp import web
from multidict import MultiDict, MultiMapping

from ..formats.safeparse import UnsafeDocument, load_json, load_xml
from .errors import InvalidArguments
from .render import NAMESPACE

# The service-account credentials may travel as URL parameters (S-AUTH method 2).
AUTH_PARAMETERS = frozenset({"username", "password"})
# Characters XML 1.0 cannot carry; lone surrogates (a JSON "\ud800") cannot even be encoded.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_DIGITS = re.compile(r"[0-9]{1,10}")
JAVA_INT_MAX = 2**31 - 1  # the service is Java: a count beyond an int does not parse
# Java's Boolean.parseBoolean knows "true" (any case) and takes anything else as
# false; we refuse what it would silently misread (docs/fidelity.md).
_TRUE, _FALSE = frozenset({"true"}), frozenset({"false"})


def checked_text(name: str, value: str) -> str:
    """Values end up in XML documents: characters XML cannot carry are refused."""
    if _CONTROL_CHARACTERS.search(value):
        raise InvalidArguments(f"parameter {name!r} contains characters that are not allowed")
    if len(value) > 4096:
        raise InvalidArguments(f"parameter {name!r} is too long")
    return value


def parse_boolean(name: str, value: str) -> bool:
    folded = value.casefold()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise InvalidArguments(f"parameter {name!r} must be true or false, not {value!r}")


def parse_count(name: str, value: str) -> int:
    # Plain ASCII digits only: Python's int() would also take " 5", "1_000" and "٥".
    if _DIGITS.fullmatch(value) is None or int(value) > JAVA_INT_MAX:
        raise InvalidArguments(f"parameter {name!r} must be a non-negative integer, not {value!r}")
    return int(value)


class Parameters:
    """A request's parameters with the auth parameters set aside; every read marks
    the name used, so ``reject_unknown`` can refuse what the operation does not take."""

    def __init__(self, source: MultiMapping[Any]) -> None:  # a query's, or a urlencoded form's (str values)
        self._values: dict[str, list[str]] = {}
        for name, value in source.items():
            if name in AUTH_PARAMETERS:
                continue
            self._values.setdefault(name, []).append(checked_text(name, value))
        self._used: set[str] = set()

    def names(self) -> list[str]:
        return list(self._values)

    def single(self, name: str) -> str | None:
        values = self._values.get(name)
        self._used.add(name)
        if values is None:
            return None
        if len(values) > 1:
            raise InvalidArguments(f"parameter {name!r} may be given only once")
        return values[0]

    def all(self, name: str) -> list[str]:
        self._used.add(name)
        return self._values.get(name, [])

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self.single(name)
        return default if value is None else parse_boolean(name, value)

    def count(self, name: str, default: int = 0) -> int:
        value = self.single(name)
        return default if value is None else parse_count(name, value)

    def remaining(self) -> list[str]:
        return [name for name in self._values if name not in self._used]

    def reject_unknown(self, allowed_extra: AbstractSet[str] = frozenset()) -> None:
        if not self._values:
            return
        unknown = [name for name in self.remaining() if name not in allowed_extra]
        if unknown:
            raise InvalidArguments(f"unknown parameter(s): {', '.join(sorted(unknown))}")


_BROKEN_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")


def check_form_charset(charset: str | None) -> None:
    """A form body is percent-encoded UTF-8 (check_url_encoding); a Content-Type
    naming another charset, or none Python knows, is refused rather than guessed."""
    if charset is None:
        return
    try:
        name = codecs.lookup(charset).name
    except LookupError:
        name = None
    if name not in ("utf-8", "ascii"):
        raise InvalidArguments(f"unsupported charset {charset[:40]!r} for a form body: use UTF-8")


def check_url_encoding(raw: str | bytes, where: str) -> None:
    """A query string or form body whose percent-escapes are not ``%`` + two hex
    digits, or do not decode to UTF-8, is refused (docs/fidelity.md, Bad input)
    instead of being read as literal text or U+FFFD."""
    if isinstance(raw, str):
        if "%" not in raw and raw.isascii():
            return
        data = raw.encode("utf-8", "surrogateescape")
    else:
        if b"%" not in raw and raw.isascii():
            return
        data = raw
    if _BROKEN_ESCAPE.search(data):
        raise InvalidArguments(f"{where} contains a malformed percent-escape")
    try:
        unquote_to_bytes(data).decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidArguments(f"{where} is not UTF-8 once percent-decoded") from None


_NO_PARAMETERS: MultiDict = MultiDict()


def query_parameters(request: web.Request) -> Parameters:
    raw = request.rel_url.raw_query_string
    if not raw:  # most reads: nothing to check or parse
        return Parameters(_NO_PARAMETERS)
    check_url_encoding(raw, "the query string")
    return Parameters(request.query)


# -- PATCH124 bodies ---------------------------------------------------------------
_NS = "{" + NAMESPACE + "}"


def parse_user_request_xml(body: bytes) -> tuple[dict[str, str], dict[str, list[str]]]:
    """``<UserRequest>``: built-in fields, and customAttributes/attribute/value. Parsed
    within bounds (safeparse.load_xml: no DTD or entities, depth and element count
    limited while parsing), so a refused body's partial tree is freed at once."""
    try:
        root = load_xml(body)
    except UnsafeDocument as error:
        raise InvalidArguments(f"request body is not accepted: {error}") from None
    if root.tag not in (f"{_NS}UserRequest", "UserRequest"):
        raise InvalidArguments(f"expected a UserRequest document, got {root.tag}")
    fields: dict[str, str] = {}
    custom: dict[str, list[str]] = {}
    for child in root:
        name = child.tag.removeprefix(_NS)
        if name == "customAttributes":
            for attribute in child:
                attribute_name = attribute.get("name")
                if attribute.tag.removeprefix(_NS) != "attribute" or not attribute_name:
                    raise InvalidArguments('customAttributes holds <attribute name="..."> elements only')
                values = [
                    checked_text(attribute_name, value.text or "")
                    for value in attribute
                    if value.tag.removeprefix(_NS) == "value"
                ]
                custom[attribute_name] = values
        elif len(child):
            raise InvalidArguments(f"element {name} must hold text only")
        else:
            if name in fields:
                raise InvalidArguments(f"element {name} may be given only once")
            fields[name] = checked_text(name, child.text or "")
    return fields, custom


def parse_user_request_json(body: bytes) -> tuple[dict[str, str], dict[str, list[str]]]:
    try:
        document = load_json(body)
    except UnsafeDocument as error:
        raise InvalidArguments(f"request body is not accepted: {error}") from None
    if not isinstance(document, dict):
        raise InvalidArguments("request body must be a JSON object")
    fields: dict[str, str] = {}
    custom: dict[str, list[str]] = {}
    for name, value in document.items():
        if name == "customAttributes":
            if not isinstance(value, dict):
                raise InvalidArguments("customAttributes must be an object")
            for attribute, values in value.items():
                values = values if isinstance(values, list) else [values]
                if not all(isinstance(v, str) for v in values):
                    raise InvalidArguments(f"custom attribute {attribute!r} values must be strings")
                custom[attribute] = [checked_text(attribute, v) for v in values]
        elif isinstance(value, bool):
            fields[name] = "true" if value else "false"
        elif isinstance(value, str):
            fields[name] = checked_text(name, value)
        else:
            raise InvalidArguments(f"{name!r} must be a string")
    return fields, custom
