"""Rendering CustomerID documents: one writer per document family.

The 2.x family (cid-2.1.xsd, namespace http://schema.ubisecure.com/customerid/api):
id lists (``<Users inResponseTo method><Id/>…``), entities (``<User><Attribute
name><Value/>…``), ReinviteResponse, UserResponse (XML or JSON by Accept), and the
namespace-less ``<error>`` document. Documents are small and flat, so they are
written directly with escaping, which keeps a GET well under a millisecond.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple
from xml.sax.saxutils import escape as _escape_always
from xml.sax.saxutils import quoteattr

from multidict import CIMultiDict

NAMESPACE = "http://schema.ubisecure.com/customerid/api"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
XML_CONTENT_TYPE = "application/xml"
# What every XML answer carries; aiohttp copies it per response, cheaper than building it.
XML_HEADERS = CIMultiDict({"Content-Type": XML_CONTENT_TYPE + "; charset=utf-8"})
JSON_CONTENT_TYPE = "application/json"


class Attribute(NamedTuple):
    """One ``<Attribute name type><Value/>…</Attribute>``; ``entities`` holds nested
    entity documents (``entities=true`` on GET111 expands references in place)."""

    name: str
    values: Sequence[str] = ()
    type: str | None = None
    entities: Sequence[Entity | RenderedEntity] = ()


class Entity(NamedTuple):
    element: str  # User, Organization, Role, Mandate, Delegation, RoleInvitation
    attributes: Sequence[Attribute]


class RenderedEntity(NamedTuple):
    """An entity whose ``<Attribute>`` children are already rendered (entities.py
    renders each record version once)."""

    element: str
    body: str


def escape(text: str) -> str:
    """XML character data; most values need nothing, and testing that is far
    cheaper than three replacements."""
    if "&" in text or "<" in text or ">" in text:
        return _escape_always(text)
    return text


@functools.lru_cache(maxsize=4096)
def _attribute_open(name: str, type_: str | None) -> str:
    # Attribute names repeat across entities: their escaped open tags are built once.
    type_part = f" type={quoteattr(type_)}" if type_ else ""
    return f"<Attribute name={quoteattr(name)}{type_part}>"


_ATTRIBUTE_SPECIAL = re.compile('[&<>"\n\r\t]')


def _root_open(element: str, in_response_to: str | None, method: str | None) -> str:
    parts = [f'<{element} xmlns="{NAMESPACE}"']
    if in_response_to is not None:
        plain = _ATTRIBUTE_SPECIAL.search(in_response_to) is None
        parts.append(f' inResponseTo="{in_response_to}"' if plain else f" inResponseTo={quoteattr(in_response_to)}")
    if method is not None:
        parts.append(f' method="{method}"')
    parts.append(">")
    return "".join(parts)


def _entity_body(entity: Entity, out: list[str]) -> None:
    append = out.append
    for name, values, type_, nested_entities in entity.attributes:
        append(_attribute_open(name, type_))
        for value in values:
            append(f"<Value>{escape(value)}</Value>")
        for nested in nested_entities:
            _nested_entity(nested, out)
        append("</Attribute>")


def _nested_entity(entity: Entity | RenderedEntity, out: list[str]) -> None:
    out.append(f"<{entity.element}>")
    _any_entity_body(entity, out)
    out.append(f"</{entity.element}>")


def _any_entity_body(entity: Entity | RenderedEntity, out: list[str]) -> None:
    if isinstance(entity, RenderedEntity):
        out.append(entity.body)
    else:
        _entity_body(entity, out)


def rendered(entity: Entity) -> RenderedEntity:
    out: list[str] = []
    _entity_body(entity, out)
    return RenderedEntity(entity.element, "".join(out))


def id_list(element: str, in_response_to: str, method: str, ids: Iterable[str]) -> bytes:
    """``<Users|Organizations|Roles|Mandates|RoleInvitations|Delegations>`` of ``<Id>``."""
    out = [XML_DECLARATION, _root_open(element, in_response_to, method)]
    out.extend(f"<Id>{escape(entity_id)}</Id>" for entity_id in ids)
    out.append(f"</{element}>")
    return "".join(out).encode()


def entity_list(element: str, in_response_to: str, method: str, entities: Iterable[Entity | RenderedEntity]) -> bytes:
    """A collection with ``entities=true``: entity elements instead of ``<Id>`` s."""
    out = [XML_DECLARATION, _root_open(element, in_response_to, method)]
    for entity in entities:
        _nested_entity(entity, out)
    out.append(f"</{element}>")
    return "".join(out).encode()


def entity_document(entity: Entity | RenderedEntity, in_response_to: str, method: str) -> bytes:
    if isinstance(entity, RenderedEntity):
        return _RENDERED_DOCUMENTS.get(
            entity, (in_response_to, method), lambda: _entity_document(entity, in_response_to, method)
        )
    return _entity_document(entity, in_response_to, method)


def _entity_document(entity: Entity | RenderedEntity, in_response_to: str, method: str) -> bytes:
    out = [XML_DECLARATION, _root_open(entity.element, in_response_to, method)]
    _any_entity_body(entity, out)
    out.append(f"</{entity.element}>")
    return "".join(out).encode()


class KeptPerObject:
    """What was built from an immutable object (a record, a rendered entity) and a
    small key, kept while that same object is asked for with an equal key. Records
    are replaced, never changed, so nothing needs invalidating: a write makes a new
    object and the next read builds afresh. One entry per object (the last key
    asked); entries hold their object, so an ``id()`` is never reused while it is
    a key; the size is bounded."""

    def __init__(self, limit: int = 16384) -> None:
        self._limit = limit
        self._entries: dict[int, tuple[object, object, Any]] = {}

    def get(self, owner: object, key: object, build: Callable[[], Any]) -> Any:
        entry = self._entries.get(id(owner))
        if entry is not None and entry[0] is owner and (entry[1] is key or entry[1] == key):
            return entry[2]
        value = build()
        if len(self._entries) >= self._limit:
            self._entries.clear()
        self._entries[id(owner)] = (owner, key, value)
        return value


# The whole answer around a rendered entity: a Query User asked again costs a lookup.
_RENDERED_DOCUMENTS = KeptPerObject()


def reinvite_response_xml(in_response_to: str, user_id: str, email: str) -> bytes:
    """PUT123, default media type."""
    return (
        XML_DECLARATION
        + _root_open("ReinviteResponse", in_response_to, "PUT")
        + f"<userId>{escape(user_id)}</userId><email>{escape(email)}</email></ReinviteResponse>"
    ).encode()


def reinvite_response_json(user_id: str, email: str) -> bytes:
    """PUT123 with Accept: application/json."""
    return json.dumps({"userId": user_id, "email": email}).encode()


USER_RESPONSE_FIELDS = ("firstname", "surname", "login", "email", "mobile", "ssn", "locale", "status")
USER_RESPONSE_TRAILER = ("userId", "repoId", "organization", "organizationEntityName")


@functools.lru_cache(maxsize=4096)
def _custom_attribute_open(name: str) -> str:
    return f"<attribute name={quoteattr(name)}>"


def user_response_xml(in_response_to: str, method: str, values: dict, custom: dict[str, tuple[str, ...]]) -> bytes:
    """PATCH124's UserResponse, in the documented child order."""
    out = [XML_DECLARATION, _root_open("UserResponse", in_response_to, method)]
    for name in USER_RESPONSE_FIELDS:
        if values.get(name) is not None:
            out.append(f"<{name}>{escape(values[name])}</{name}>")
    if custom:
        out.append("<customAttributes>")
        for name, attribute_values in custom.items():
            out.append(_custom_attribute_open(name))
            out.extend(f"<value>{escape(value)}</value>" for value in attribute_values)
            out.append("</attribute>")
        out.append("</customAttributes>")
    for name in USER_RESPONSE_TRAILER:
        if values.get(name) is not None:
            out.append(f"<{name}>{escape(values[name])}</{name}>")
    out.append("</UserResponse>")
    return "".join(out).encode()


def user_response_json(values: dict, custom: dict[str, tuple[str, ...]]) -> bytes:
    """PATCH124 with Accept: application/json: one value is a string, several an array."""
    document: dict = {name: values[name] for name in USER_RESPONSE_FIELDS if values.get(name) is not None}
    if custom:
        document["customAttributes"] = {
            name: attribute_values[0] if len(attribute_values) == 1 else list(attribute_values)
            for name, attribute_values in custom.items()
        }
    document.update({name: values[name] for name in USER_RESPONSE_TRAILER if values.get(name) is not None})
    return json.dumps(document, ensure_ascii=False).encode()


def error_document(code: int, message: str) -> bytes:
    """The error document of every version: ``<error><code/><message/></error>``."""
    return (XML_DECLARATION + f"<error><code>{code}</code><message>{escape(message)}</message></error>").encode()
