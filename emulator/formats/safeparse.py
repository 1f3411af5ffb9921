"""Bounded JSON, YAML and XML parsing for everything a client (or a scenario file) sends.

Every JSON and YAML entry point goes through here so that a hostile document is
refused *before* anything is built: the size, the nesting depth and (for YAML) the
number of aliases and the size the document would have with its aliases expanded
are checked first. An error never quotes the document, so a bomb cannot come
back as an 800 MB error body.

YAML is checked on the event stream of the C parser (iterative, so deep nesting
cannot overflow the C stack the way libyaml's recursive composer does) and only
then composed, with the C loader when present (about 8x faster than the
pure-Python one, which matters to start-up time). JSON refuses NaN and
Infinity, which are not JSON and which nothing downstream can render back.

XML (load_xml) is read by expat directly, refusing DTDs and entity declarations
(as defusedxml does) and elements nested or counted beyond the limits *while*
parsing, so a 600 KB body opening 200,000 elements is refused at the 65th.
defusedxml's parser is the pure-Python one, whose handlers are bound methods of
itself: every document it read became a reference cycle holding the whole
(partial) tree until a full collection, which gctuning used to freeze instead
(1.28 GiB held for good after 300 such bodies; docs/limits.md).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element, TreeBuilder
from xml.parsers import expat

from .packagedata import yaml_loader


@dataclass(frozen=True)
class ParseLimits:
    max_bytes: int = 1024 * 1024
    max_depth: int = 64
    max_aliases: int = 100
    # Nodes that aliases add when expanded (a billion-laughs document is a few hundred
    # bytes and billions of nodes); the document's own nodes are bounded by its size.
    max_alias_nodes: int = 100_000
    # Elements in an XML document: each is a Python object of ~100 bytes, so a 1 MiB
    # body of ``<a/>`` would otherwise build 260,000 of them.
    max_elements: int = 10_000


# Request bodies (control API, DFS, CustomerID JSON; aiohttp has already refused bodies
# over max_body_bytes) and scenario files read at start-up or reload: files may be
# larger, never deeper or more aliased.
BODY_LIMITS = ParseLimits(max_bytes=64 * 1024 * 1024)
FILE_LIMITS = ParseLimits(max_bytes=256 * 1024 * 1024)


class UnsafeDocument(ValueError):
    """A document refused before or while parsing; ``where`` is a line/column or ''."""

    def __init__(self, problem: str, where: str = "") -> None:
        super().__init__(f"{problem} ({where})" if where else problem)
        self.problem, self.where = problem, where


# -- JSON -------------------------------------------------------------------------------

_JSON_SKIP_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_JSON_BRACKETS = re.compile(r"[\[\]{}]")


def _refuse_constant(name: str) -> Any:
    raise UnsafeDocument(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise UnsafeDocument(f"{text[:40]} is outside the range of a number")
    return value


class JsonFloat(float):
    """A number written with a fraction or exponent: never an integer, so ``1.0`` fails
    a schema's ``"type": "integer"`` in jsonschema and fastjsonschema alike (both ask
    ``is_integer()``), as .NET refuses 1.0 for an Int32."""

    __slots__ = ()

    def is_integer(self) -> bool:
        return False


def _json_float(text: str) -> float:
    value = JsonFloat(text)
    if not math.isfinite(value):
        raise UnsafeDocument(f"{text[:40]} is outside the range of a number")
    return value


def _bounded_text(data: bytes | str, limits: ParseLimits) -> str:
    """The document as text: within the size limit, and UTF-8 when given as bytes."""
    if len(data) > limits.max_bytes:
        raise UnsafeDocument(f"the document is larger than {limits.max_bytes} bytes")
    if isinstance(data, str):
        return data
    try:
        return bytes(data).decode("utf-8")
    except UnicodeDecodeError as error:
        raise UnsafeDocument("the document is not valid UTF-8", f"byte {error.start}") from None


def json_depth_ok(text: str, max_depth: int) -> bool:
    """True when no array/object nesting in ``text`` goes deeper than ``max_depth``.
    Cheap for ordinary bodies: only a document with more brackets than the limit is
    scanned (brackets inside strings do not count)."""
    if text.count("[") + text.count("{") <= max_depth:
        return True
    depth = 0
    for match in _JSON_BRACKETS.finditer(_JSON_SKIP_STRINGS.sub('""', text)):
        if match.group() in "[{":
            depth += 1
            if depth > max_depth:
                return False
        else:
            depth -= 1
    return True


# Built once: json.loads with these options would build a decoder per document.
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_finite_float)
_STRICT_INTEGER_DECODER = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_json_float)


def load_json(data: bytes | str, limits: ParseLimits = BODY_LIMITS, *, strict_integers: bool = False) -> Any:
    """Parse a JSON document within ``limits``; raises UnsafeDocument (a ValueError).
    ``strict_integers``: numbers written as ``1.0`` or ``1e0`` come back as JsonFloat,
    which a JSON Schema ``integer`` refuses."""
    text = _bounded_text(data, limits)
    if not json_depth_ok(text, limits.max_depth):
        raise UnsafeDocument(f"the document nests deeper than {limits.max_depth} levels")
    try:
        if text.startswith("\ufeff"):  # as json.loads refuses it (a decoder alone would say "Expecting value")
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
        return (_STRICT_INTEGER_DECODER if strict_integers else _DECODER).decode(text)
    except UnsafeDocument:
        raise
    except json.JSONDecodeError as error:
        raise UnsafeDocument(f"not valid JSON: {error.msg}", f"line {error.lineno}, column {error.colno}") from None
    except RecursionError:  # pragma: no cover - the depth check comes first
        raise UnsafeDocument(f"the document nests deeper than {limits.max_depth} levels") from None
    except ValueError as error:  # e.g. an integer longer than Python converts
        raise UnsafeDocument(f"not valid JSON: {str(error)[:200]}") from None


# -- YAML -------------------------------------------------------------------------------


def _mark(error) -> str:
    mark = getattr(error, "problem_mark", None)
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""


def _yaml_refusal(error, limits: ParseLimits) -> UnsafeDocument:
    """A PyYAML error in the emulator's words. libyaml >= 0.2.6 (PyYAML 6.0.4's wheels)
    refuses deep nesting itself ("exceeded maximum nesting depth"), reading ahead of the
    events check_yaml counts: that is the emulator's depth refusal, worded as without it."""
    problem = getattr(error, "problem", None) or "syntax error"
    if re.search(r"nest|depth", problem, re.I):
        return UnsafeDocument(f"the document nests deeper than {limits.max_depth} levels", _mark(error))
    return UnsafeDocument(f"not valid YAML: {problem}", _mark(error))


def check_yaml(text: str, limits: ParseLimits) -> None:
    """Walk the event stream: depth, alias count and expanded size, nothing built."""
    aliases = total = added = 0  # total: nodes so far, each alias counted at its anchor's size
    sizes: dict[str, int] = {}  # anchor -> nodes it expands to
    open_at: list[tuple[int, str | None]] = []  # (total when opened, anchor) per open collection
    import yaml  # here, not at the top: a start that reads no scenario file needs no PyYAML

    opening = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
    closing = (yaml.SequenceEndEvent, yaml.MappingEndEvent)
    try:
        for parsed in yaml.parse(text, Loader=yaml_loader()):
            event: Any = parsed  # the type test below is by class identity, which mypy does not narrow
            kind = type(event)
            if kind is yaml.ScalarEvent:
                total += 1
                if event.anchor is not None:
                    sizes[event.anchor] = 1
                continue
            if kind in opening:
                if len(open_at) >= limits.max_depth:
                    raise UnsafeDocument(
                        f"the document nests deeper than {limits.max_depth} levels", f"line {event.start_mark.line + 1}"
                    )
                open_at.append((total, event.anchor))
                continue
            if kind in closing:
                opened, anchor = open_at.pop()
                total += 1
                if anchor is not None:
                    sizes[anchor] = total - opened
            elif kind is yaml.AliasEvent:
                aliases += 1
                if aliases > limits.max_aliases:
                    raise UnsafeDocument(
                        f"the document uses more than {limits.max_aliases} aliases", f"line {event.start_mark.line + 1}"
                    )
                size = sizes.get(event.anchor, 1)
                total += size
                added += size
                if added > limits.max_alias_nodes:
                    raise UnsafeDocument(
                        f"the document's aliases expand to more than {limits.max_alias_nodes} nodes",
                        f"line {event.start_mark.line + 1}",
                    )
    except yaml.YAMLError as error:
        raise _yaml_refusal(error, limits) from None


def load_yaml(data: bytes | str, limits: ParseLimits = BODY_LIMITS) -> Any:
    """Parse a YAML document within ``limits``; raises UnsafeDocument (a ValueError)."""
    data = _bounded_text(data, limits)
    check_yaml(data, limits)
    import yaml

    try:
        return yaml.load(data, Loader=yaml_loader())
    except yaml.YAMLError as error:
        raise _yaml_refusal(error, limits) from None
    except (ValueError, OverflowError) as error:  # a timestamp or number no Python type holds
        raise UnsafeDocument(f"not valid YAML: {str(error)[:200]}") from None


def load_document(data: bytes | str, content_type: str = "", limits: ParseLimits = BODY_LIMITS) -> Any:
    """A body that is JSON (by content type, or starting with ``{``) or else YAML."""
    start = data.lstrip()[:1]
    if "json" in content_type or start in ("{", b"{"):
        return load_json(data, limits)
    return load_yaml(data, limits)


# -- XML --------------------------------------------------------------------------------


class _XmlRefused(Exception):
    """Raised inside expat's callbacks to stop the parse; never leaves this module."""


def _qualified(name: str) -> str:
    """expat's ``namespace}local`` (namespace_separator="}") as ElementTree's ``{namespace}local``."""
    return "{" + name if "}" in name else name


def _build_xml(data: bytes | str, limits: ParseLimits) -> tuple[Element | None, str, str]:
    """(root, '', '') or (None, problem, where). Builds with expat and the C TreeBuilder;
    nothing here refers back to the parser, so whatever it built is freed by reference
    counting as soon as the caller drops it, refused or not."""
    builder = TreeBuilder()
    depth = elements = 0

    def start(tag: str, attributes: dict[str, str]) -> None:
        nonlocal depth, elements
        depth += 1
        elements += 1
        if depth > limits.max_depth:
            raise _XmlRefused(f"the document nests deeper than {limits.max_depth} levels")
        if elements > limits.max_elements:
            raise _XmlRefused(f"the document has more than {limits.max_elements} elements")
        builder.start(_qualified(tag), {_qualified(name): value for name, value in attributes.items()})

    def end(tag: str) -> None:
        nonlocal depth
        depth -= 1
        builder.end(_qualified(tag))

    def refuse_declarations(*_: object) -> Any:  # Any: expat types some of these handlers as returning int
        raise _XmlRefused("XML documents with DTDs or entity declarations are not accepted")

    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = refuse_declarations
    parser.EntityDeclHandler = refuse_declarations
    parser.UnparsedEntityDeclHandler = refuse_declarations
    parser.ExternalEntityRefHandler = refuse_declarations
    problem = where = ""
    try:
        parser.Parse(data, True)
    except _XmlRefused as refusal:
        problem, where = str(refusal), f"line {parser.CurrentLineNumber}, column {parser.CurrentColumnNumber + 1}"
    except expat.ExpatError as error:
        problem, where = (
            f"not well-formed XML: {expat.ErrorString(error.code)}",
            f"line {error.lineno}, column {error.offset + 1}",
        )
    finally:
        # expat holds the callbacks, the callbacks the builder and its open elements:
        # let go of them here rather than wherever the exception's frames end up.
        parser.StartElementHandler = parser.EndElementHandler = parser.CharacterDataHandler = None
    if problem:
        return None, problem, where
    return builder.close(), "", ""


def load_xml(data: bytes | str, limits: ParseLimits = BODY_LIMITS) -> Element:
    """Parse an XML document within ``limits`` (size, depth, element count; no DTD, no
    entity declarations); raises UnsafeDocument (a ValueError). The refusal is raised
    outside any ``except`` block, so it carries no context or traceback pointing at the
    parser and the partial tree."""
    if len(data) > limits.max_bytes:
        raise UnsafeDocument(f"the document is larger than {limits.max_bytes} bytes")
    root, problem, where = _build_xml(data, limits)
    if root is None:
        raise UnsafeDocument(problem, where)
    return root
