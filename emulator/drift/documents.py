"""Answer bodies as trees to compare: XML (namespaces, attributes, children in
order) and JSON (keys in order, arrays, typed values); anything else is text.

A node's children are keyed for the path a difference is reported at:
``/User/Attribute:firstname/Value`` (an XML element carrying a ``name`` attribute
is told apart by it, as CustomerID's ``<Attribute name=...>`` are), ``/Roles/0/Id``
(JSON arrays by index)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

from defusedxml import ElementTree as SafeElementTree

UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
INTEGER = re.compile(r"^-?\d+$")


@dataclass
class Node:
    kind: str  # "element", "object", "array", "value", "text"
    name: str = ""  # element: local name; object member / array index: its key
    namespace: str = ""
    attributes: list[tuple[str, str]] = field(default_factory=list)
    children: list[tuple[str, Node]] = field(default_factory=list)
    value: Any = None

    @property
    def type(self) -> str:
        if self.kind in ("object", "array"):
            return self.kind
        if self.kind == "element" and self.children:
            return "element"
        return value_type(self.value, textual=self.kind != "value")


def value_type(value: Any, textual: bool) -> str:
    """JSON values by their JSON type (strings refined: uuid, date-time, date);
    XML text and attributes by what the text spells."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    text = str(value)
    if textual:
        if text == "":
            return "empty"
        if text in ("true", "false"):
            return "boolean"
        if INTEGER.match(text):
            return "integer"
    if UUID.match(text):
        return "uuid"
    if DATETIME.match(text):
        return "date-time"
    if DATE.match(text):
        return "date"
    return "string" if not textual else "text"


def split_tag(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def element_key(element: ElementTree.Element) -> str:
    local = split_tag(element.tag)[1]
    name = element.get("name")
    return f"{local}:{name}" if name is not None else local


def from_element(element: ElementTree.Element) -> Node:
    namespace, local = split_tag(element.tag)
    children = [(element_key(child), from_element(child)) for child in element]
    text = (element.text or "").strip() if not children else None
    attributes = [(split_tag(name)[1], value) for name, value in element.attrib.items()]
    return Node("element", local, namespace, attributes, children, text)


def from_json(value: Any, name: str = "") -> Node:
    if isinstance(value, dict):
        return Node("object", name, children=[(key, from_json(item, key)) for key, item in value.items()])
    if isinstance(value, list):
        return Node(
            "array", name, children=[(str(index), from_json(item, str(index))) for index, item in enumerate(value)]
        )
    return Node("value", name, value=value)


def parse(body: bytes, media_type: str) -> Node:
    """The body as a tree; an empty body is an empty text node, one that does not
    parse as what it claims is text (and compares as such)."""
    stripped = body.strip()
    if not stripped:
        return Node("text", value="")
    looks_xml = media_type.endswith("xml") or (not media_type.endswith("json") and stripped[:1] == b"<")
    looks_json = media_type.endswith("json") or stripped[:1] in (b"{", b"[")
    try:
        if looks_xml:
            return from_element(SafeElementTree.fromstring(stripped))
        if looks_json:
            return from_json(json.loads(stripped))
    except Exception:  # malformed, or refused by defusedxml: compared as text
        pass
    return Node("text", value=stripped.decode("utf-8", "replace"))


def scalars(node: Node) -> set[str]:
    """Every value in the document, as text (the id mapper's guard)."""
    found: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if current.value is not None and current.value != "":
            found.add(str(current.value).lower())
        found.update(value.lower() for _, value in current.attributes)
        stack.extend(child for _, child in current.children)
    return found
