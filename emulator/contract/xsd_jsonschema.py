"""XML Schema -> JSON Schema with OpenAPI ``xml`` objects, walked with xmlschema.

An API that speaks XML describes its documents in XSDs; an OpenAPI document wants
them as JSON Schema whose ``xml`` objects say how properties map onto elements
and attributes (OpenAPI 3.1, "XML Object"): every child element is a property
named after it (a repeated one an unwrapped array), every attribute a property
with ``xml.attribute``; a global element is a schema with ``xml.name`` and
``xml.namespace``. Content order is not expressible in JSON Schema and is left
to the XSD. ``xs:any`` leaves an object open; otherwise it is closed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import xmlschema
from xmlschema.validators import XsdAnyElement, XsdElement, XsdGroup

_PRIMITIVES = {
    "string": {"type": "string"},
    "normalizedString": {"type": "string"},
    "token": {"type": "string"},
    "boolean": {"type": "boolean"},
    "anyURI": {"type": "string", "format": "uri"},
    "dateTime": {"type": "string", "format": "date-time"},
    "date": {"type": "string", "format": "date"},
    "decimal": {"type": "number"},
    "double": {"type": "number"},
    "float": {"type": "number"},
    "integer": {"type": "integer"},
    "int": {"type": "integer", "format": "int32"},
    "long": {"type": "integer", "format": "int64"},
}


class XsdComponents:
    """The global types and elements of one XSD as OpenAPI component schemas,
    named ``<prefix><XSD name>``; references between them are ``$ref``s."""

    def __init__(self, path: Path, prefix: str, ref_base: str = "#/components/schemas/") -> None:
        self.schema = xmlschema.XMLSchema(str(path))
        self.namespace = self.schema.target_namespace or None
        self.prefix = prefix
        self.ref_base = ref_base

    def ref(self, local_name: str) -> dict:
        return {"$ref": self.ref_base + self.prefix + local_name}

    def schemas(self) -> dict[str, dict]:
        out: dict[str, dict] = {}
        for name, xsd_type in self.schema.types.items():
            out[self.prefix + name] = self._simple_inline(xsd_type) if xsd_type.is_simple() else self._type(xsd_type)
        for name, element in self.schema.elements.items():
            if (self.prefix + name) in out:
                raise ValueError(f"{name} is both a global type and a global element; give them prefixes")
            # The type's schema itself, not allOf [$ref]: the 2.1 entities are recursive
            # (User > Attribute > User), and Swagger UI's resolver refuses allOf cycles.
            body = self._type(element.type)
            out[self.prefix + name] = {**body, "xml": self._xml(name)}
        return out

    def _xml(self, name: str) -> dict:
        xml = {"name": name}
        if self.namespace:
            xml["namespace"] = self.namespace
        return xml

    # -- types -----------------------------------------------------------------
    def _type(self, xsd_type) -> dict:
        if xsd_type.is_simple():
            return self._simple(xsd_type)
        if xsd_type.has_simple_content():
            # Text plus attributes: OpenAPI has no place for the text; describe the
            # attributes and let the XSD carry the rest.
            return self._object(xsd_type, with_elements=False)
        return self._object(xsd_type)

    def _simple(self, xsd_type) -> dict:
        local_name = xsd_type.local_name
        if xsd_type.name and self.schema.types.get(local_name) is xsd_type:
            return self.ref(local_name)
        return self._simple_inline(xsd_type)

    def _simple_inline(self, xsd_type) -> dict:
        if getattr(xsd_type, "item_type", None) is not None:  # xs:list
            return {"type": "string"}
        primitive = xsd_type.primitive_type
        local = primitive.local_name if primitive is not None else "string"
        schema: dict[str, Any] = dict(_PRIMITIVES.get(local, {"type": "string"}))
        if getattr(xsd_type, "enumeration", None):
            schema["enum"] = list(xsd_type.enumeration)
        patterns = getattr(xsd_type, "patterns", None)
        if patterns:
            # XSD patterns match the whole value; JSON Schema's do not unless anchored.
            schema["pattern"] = "^(?:" + ")$|^(?:".join(p for p in patterns.regexps) + ")$"
        return schema

    def _object(self, xsd_type, with_elements: bool = True) -> dict:
        properties: dict[str, dict] = {}
        required: list[str] = []
        open_content = False
        for name, attribute in xsd_type.attributes.items():
            if name is None:  # anyAttribute
                continue
            schema = self._simple(attribute.type)
            properties[attribute.local_name] = (
                {**schema, "xml": {"attribute": True}}
                if "$ref" not in schema
                else {"allOf": [schema], "xml": {"attribute": True}}
            )
            if attribute.use == "required":
                required.append(attribute.local_name)
        if with_elements and isinstance(xsd_type.content, XsdGroup):
            for particle, low, high in _particles(xsd_type.content, 1, 1):
                if isinstance(particle, XsdAnyElement):
                    open_content = True
                    continue
                properties[particle.local_name] = self._element_property(particle, low, high)
                if low > 0:
                    required.append(particle.local_name)
        schema = {"type": "object", "properties": properties}
        if required:
            schema["required"] = required
        if not open_content:
            schema["additionalProperties"] = False
        if xsd_type.name is not None and self.namespace:
            schema["xml"] = {"namespace": self.namespace}
        return schema

    def _element_property(self, element: XsdElement, low: int, high: int | None) -> dict:
        if element.ref is not None:
            item = self.ref(element.local_name)  # a global element: its component carries xml.name
        elif (type_name := element.type.local_name) is not None and self.schema.types.get(type_name) is element.type:
            item = self.ref(type_name)
        else:
            item = self._type(element.type)
        if high == 1:
            return item
        array: dict = {"type": "array", "items": item}
        if low:
            array["minItems"] = low
        if high is not None:
            array["maxItems"] = high
        return array


def _particles(group: XsdGroup, low: int, high: int | None):
    """Yield (element or wildcard, min occurs, max occurs) with the enclosing groups'
    occurrences folded in (``low``/``high``: what surrounds ``group``); a choice
    between several branches makes each of them optional."""
    group_low = group.min_occurs * low
    group_high = None if high is None or group.max_occurs is None else group.max_occurs * high
    if group.model == "choice" and len(group) > 1:
        group_low = 0
    for particle in group:
        if isinstance(particle, XsdGroup):
            yield from _particles(particle, group_low, group_high)
            continue
        p_high = None if group_high is None or particle.max_occurs is None else particle.max_occurs * group_high
        yield particle, particle.min_occurs * group_low, p_high
