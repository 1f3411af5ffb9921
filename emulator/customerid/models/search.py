"""Attribute searches (GET104, GET113, GET106): every filter is answered from an
index, and the candidate sets are intersected smallest first, so a query costs the
size of its matches, not of the store."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ...store.core import Collection
from .collections import fold


@dataclass(frozen=True)
class AttributeFilter:
    name: str
    value: str


def text_matches(collection: Collection, name: str, value: str, exact: bool) -> set:
    """Ids whose attribute ``name`` equals (exact) or starts with ``value``,
    ignoring case. The returned set may be the index's own: do not mutate it."""
    key = fold(value)
    if exact:
        return collection.lookup("attribute", (name, key))
    return collection.lookup_prefix("attribute", name, key)


def intersect(candidate_sets: Iterable[set]) -> set:
    ordered = sorted(candidate_sets, key=len)
    if not ordered:
        return set()
    result = set(ordered[0])
    for candidates in ordered[1:]:
        if not result:
            break
        result &= candidates
    return result


def search(collection: Collection, filters: list[AttributeFilter], exact: bool) -> set:
    return intersect(text_matches(collection, f.name, f.value, exact) for f in filters)
