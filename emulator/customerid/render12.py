"""Rendering the CustomerID 1.2 document family (cid-1.2.xsd, no namespace), used by
REST 1.0 (/eidm2/services/) and the 1.2 API (/customerid-rest/services/):

    <idlist><Id>https://HOST/eidm2/services/org/example1/dep1</Id></idlist>
    <entitylist><organization><Id>…</Id>…</organization>…</entitylist>
    <organization><Id>…</Id><entityName>…</entityName>…</organization>

Ids are absolute URLs. An entity is its ``<Id>``, then its fields as child
elements in a fixed order (schemas/cid-1.2.xsd), then custom attributes as
``<attribute name><value/>…</attribute>``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple
from xml.sax.saxutils import quoteattr

from .render import XML_DECLARATION, escape


class Entity12(NamedTuple):
    element: str  # organization, user, role, mandate, pendingUser, mandatetemplate, roleinvitation
    url: str
    fields: Sequence[tuple[str, str]] = ()  # (child element, text); a name may repeat (memberOf)
    attributes: Sequence[tuple[str, Sequence[str]]] = ()  # custom attributes


def _entity(entity: Entity12, out: list[str]) -> None:
    out.append(f"<{entity.element}><Id>{escape(entity.url)}</Id>")
    for name, value in entity.fields:
        out.append(f"<{name}>{escape(value)}</{name}>")
    for name, values in entity.attributes:
        out.append(f"<attribute name={quoteattr(name)}>")
        out.extend(f"<value>{escape(value)}</value>" for value in values)
        out.append("</attribute>")
    out.append(f"</{entity.element}>")


def idlist(urls: Iterable[str]) -> bytes:
    """Create, delete and modification answers, and collections of ids."""
    ids = "".join(f"<Id>{escape(url)}</Id>" for url in urls)
    return (XML_DECLARATION + (f"<idlist>{ids}</idlist>" if ids else "<idlist/>")).encode()


def entitylist(entities: Iterable[Entity12]) -> bytes:
    """A collection with ``entities=true``."""
    out = [XML_DECLARATION, "<entitylist>"]
    for entity in entities:
        _entity(entity, out)
    out.append("</entitylist>")
    return "".join(out).encode()


def entity_document(entity: Entity12) -> bytes:
    out = [XML_DECLARATION]
    _entity(entity, out)
    return "".join(out).encode()
