"""Operation lookup by path segments, built once at startup from the endpoint tables.

aiohttp's router tries every resource that shares a path prefix, one regular
expression each; with a few dozen operations under ``/users/`` that was the
biggest single cost of a request. Here a request costs the number of its own path
segments, however many operations are mounted, and a miss says whether the path
is unknown (404) or the method is (405, with the methods that would work).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

Target = TypeVar("Target")


@dataclass
class _Leaf(Generic[Target]):
    by_method: dict[str, tuple[Target, tuple[str, ...]]] = field(default_factory=dict)


@dataclass
class _Node(Generic[Target]):
    literal: dict[str, _Node[Target]] = field(default_factory=dict)
    wildcard: _Node[Target] | None = None
    tail: _Node[Target] | None = None  # a {name:path} parameter: the rest of the path
    leaf: _Leaf[Target] | None = None


@dataclass(frozen=True, slots=True)
class RouteMatch(Generic[Target]):
    target: Target
    path_params: dict[str, str]


@dataclass(frozen=True, slots=True)
class MethodNotAllowed:
    allowed: tuple[str, ...]


TAIL_SUFFIX = ":path}"


def is_tail(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith(TAIL_SUFFIX)


def _segments(path: str) -> list[str]:
    # "/a/b/" -> ["a", "b", ""]: a trailing slash is a segment of its own, so
    # "/users" and "/users/" are distinct routes, as the endpoint tables list them.
    return path[1:].split("/")


class PathRouter(Generic[Target]):
    """Templates like ``/customerid-rest/services/2.1/users/{userId}/roles``; a
    ``{name}`` segment matches any non-empty segment. Literal segments win over
    wildcards, with backtracking, so ``/organizations/{id}`` and
    ``/organizations/{id}/users`` coexist with any literal sibling.

    A last segment ``{name:path}`` is a tail: it matches one or more non-empty
    segments (1.x entity names, ``org/ORG/SUB``) and its value is them joined with
    ``/``; a trailing slash is absorbed (``org/ORG/`` is ``ORG``). Literals and
    one-segment wildcards win over a tail."""

    def __init__(self) -> None:
        self._root: _Node[Target] = _Node()

    def add(self, template: str, method: str, target: Target) -> None:
        node = self._root
        names: list[str] = []
        segments = _segments(template)
        for position, segment in enumerate(segments):
            if is_tail(segment):
                if position != len(segments) - 1:
                    raise ValueError(f"{template}: a {{name:path}} parameter must be the last segment")
                names.append(segment[1 : -len(TAIL_SUFFIX)])
                if node.tail is None:
                    node.tail = _Node()
                node = node.tail
            elif segment.startswith("{") and segment.endswith("}"):
                names.append(segment[1:-1])
                if node.wildcard is None:
                    node.wildcard = _Node()
                node = node.wildcard
            else:
                node = node.literal.setdefault(segment, _Node())
        if node.leaf is None:
            node.leaf = _Leaf()
        if method in node.leaf.by_method:
            raise ValueError(f"{method} {template} is defined twice")
        node.leaf.by_method[method] = (target, tuple(names))

    def match(self, method: str, path: str) -> RouteMatch[Target] | MethodNotAllowed | None:
        """The route, a MethodNotAllowed naming what the path serves, or None."""
        values: list[str] = []
        leaf = self._find(self._root, _segments(path), 0, values)
        if leaf is None:
            return None
        found = leaf.by_method.get(method)
        if found is None and method == "HEAD":
            found = leaf.by_method.get("GET")  # as JAX-RS does: a GET without its body
        if found is None:
            return MethodNotAllowed(self._allowed(leaf))
        target, names = found
        return RouteMatch(target, dict(zip(names, values)))

    @staticmethod
    def _allowed(leaf: _Leaf[Target]) -> tuple[str, ...]:
        methods = set(leaf.by_method) | {"OPTIONS"}
        if "GET" in methods:
            methods.add("HEAD")
        return tuple(sorted(methods))

    def _find(self, node: _Node[Target], segments: list[str], index: int, values: list[str]) -> _Leaf[Target] | None:
        if index == len(segments):
            return node.leaf
        segment = segments[index]
        child = node.literal.get(segment)
        if child is not None:
            leaf = self._find(child, segments, index + 1, values)
            if leaf is not None:
                return leaf
        if node.wildcard is not None and segment:
            values.append(segment)
            leaf = self._find(node.wildcard, segments, index + 1, values)
            if leaf is not None:
                return leaf
            values.pop()
        if node.tail is not None and node.tail.leaf is not None:
            rest = segments[index:]
            if rest and rest[-1] == "" and len(rest) > 1:
                rest = rest[:-1]  # a trailing slash
            if all(rest):
                values.append("/".join(rest))
                return node.tail.leaf
        return None
