"""Pact's XML matching qualifies the names of namespaced elements (``$['<namespace>:User']``),
while consumer libraries (pact-python's XML builder, pact-js) write their rules and generators
on plain names (``$.User.Id.#text``): on a document with a default namespace, as every
CustomerID document is, those never apply, and the verifier compares values exactly
(pact-foundation/pact-js#632). ``emulator pact verify`` rewrites such paths in the pact files
it reads to the qualified form the verifier looks for, taking the namespaces from the
interaction's own example body; nothing else in the pact changes (docs/pact.md)."""

from __future__ import annotations

import re
from typing import Any
from xml.etree import ElementTree

SEGMENT = re.compile(r"\['([^']*)'\]|\.([^.\[]+)|\[(\d+|\*)\]")


def _segments(path: str) -> list[str] | None:
    if not path.startswith("$"):
        return None
    rest, found = path[1:], []
    while rest:
        match = SEGMENT.match(rest)
        if match is None:
            return None
        found.append(match.group(1) or match.group(2) or f"[{match.group(3)}]")
        rest = rest[match.end() :]
    return found


def qualify_path(path: str, root: ElementTree.Element) -> str:
    segments = _segments(path)
    if not segments:
        return path
    qualified, elements = "$", [root]
    for index, segment in enumerate(segments):
        if segment.startswith("[") or segment in ("#text", "*") or segment.startswith("@"):
            qualified += segment if segment.startswith("[") else f"['{segment}']"
            continue
        candidates = [root] if index == 0 else [child for element in elements for child in element]
        matches = [element for element in candidates if element.tag.rsplit("}", 1)[-1] == segment.split(":")[-1]]
        if not matches:
            return path  # not a path into this document: leave it alone
        elements = matches
        tag = matches[0].tag
        qualified += f"['{tag[1:].replace('}', ':', 1)}']" if tag.startswith("{") else f".{segment}"
    return qualified


def qualify_interaction(interaction: dict[str, Any]) -> bool:
    """Rewrite the XML bodies' rule and generator paths of one interaction; True if any changed."""
    changed = False
    for part in ("request", "response"):
        message = interaction.get(part) or {}
        body = message.get("body")
        if not isinstance(body, dict) or "xml" not in str(body.get("contentType", "")) or body.get("encoded"):
            continue
        try:
            root = ElementTree.fromstring(str(body.get("content", "")))
        except ElementTree.ParseError:
            continue
        if not root.tag.startswith("{"):
            continue
        for section in (message.get("matchingRules") or {}, message.get("generators") or {}):
            rules = section.get("body")
            if isinstance(rules, dict):
                rewritten = {qualify_path(path, root): rule for path, rule in rules.items()}
                changed |= list(rewritten) != list(rules)
                section["body"] = rewritten
    return changed
