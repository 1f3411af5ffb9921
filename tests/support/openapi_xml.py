"""Checking an XML answer against an OpenAPI document as an OpenAPI-aware client
would read it: the document's ``xml`` objects map elements and attributes onto a
JSON instance (child element = property, repeated one = array, ``xml.attribute``
= attribute), which is then validated with jsonschema. Unknown elements and
attributes land in the instance too, so a closed schema refuses them."""

from __future__ import annotations

import jsonschema
from defusedxml.ElementTree import fromstring


def _local(tag: str) -> tuple[str | None, str]:
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return None, tag


class OpenApiXml:
    def __init__(self, document: dict) -> None:
        self.document = document
        self.schemas = document["components"]["schemas"]

    def resolve(self, schema: dict) -> dict:
        """Follow $ref and single-branch allOf, keeping the outermost xml object."""
        xml = schema.get("xml")
        while True:
            if "$ref" in schema:
                schema = self.schemas[schema["$ref"].rsplit("/", 1)[1]]
            elif "allOf" in schema and len(schema["allOf"]) == 1 and "properties" not in schema:
                xml = xml or schema.get("xml")
                schema = schema["allOf"][0]
            else:
                break
            xml = xml or schema.get("xml")
        return {**schema, "xml": xml} if xml else schema

    def root_schema(self, body: bytes, schema: dict) -> tuple[object, dict]:
        """The root element and the branch of ``schema`` (oneOf of elements) naming it."""
        root = fromstring(body)
        namespace, local = _local(root.tag)
        for branch in schema.get("oneOf", [schema]):
            xml = self.resolve(branch).get("xml") or {}
            if xml.get("name") == local and xml.get("namespace") == namespace:
                return root, branch
        raise AssertionError(f"root element {root.tag} is none of the document's answers")

    def instance(self, element, schema: dict):
        schema = self.resolve(schema)
        properties = schema.get("properties")
        if properties is None:
            text = element.text or ""
            if schema.get("type") == "boolean" and text in ("true", "false"):
                return text == "true"
            if schema.get("type") == "integer" and text.isdigit():
                return int(text)
            return text
        out: dict = {}
        for name, value in element.attrib.items():
            out[_local(name)[1]] = value
        for child in element:
            _, local = _local(child.tag)
            prop = properties.get(local)
            if prop is None:
                out[local] = child.text
                continue
            prop = self.resolve(prop)
            if prop.get("type") == "array":
                out.setdefault(local, []).append(self.instance(child, prop["items"]))
            else:
                out[local] = self.instance(child, prop)
        return out

    def validate(self, body: bytes, schema: dict) -> dict:
        root, branch = self.root_schema(body, schema)
        instance = self.instance(root, branch)
        jsonschema.validate(
            instance, {**branch, "components": self.document["components"]}, cls=jsonschema.Draft202012Validator
        )
        return instance

    def validate_json(self, data, schema: dict) -> None:
        jsonschema.validate(
            data, {**schema, "components": self.document["components"]}, cls=jsonschema.Draft202012Validator
        )
