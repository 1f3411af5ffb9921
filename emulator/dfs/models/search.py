"""Paging and sorting shared by the three searches (identities, members, participants)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import BadRequest


def page_bounds(page: int | None, page_size: int | None, default_size: int, max_size: int) -> tuple[int, int]:
    """``Page`` is 1-based; 0 or absent (the .NET default) means the first page and
    a PageSize of 0 or absent the default size (docs/fidelity.md, **chosen**)."""
    page = page or 1
    page_size = page_size or default_size
    if page < 0 or page_size < 0:
        raise BadRequest("Page and PageSize may not be negative")
    return page, min(page_size, max_size)


def sort_matches(
    matches: list,
    render_row: Callable[[Any], dict],
    cheap_keys: Mapping[str, Callable[[Any], Any]],
    sort_by: str | None,
    sort_order: str | None,
    default_sort: str,
) -> list:
    """Sort matched records by one scalar property of their rendered rows
    (case-insensitive name), nulls first ascending. ``cheap_keys`` reads a property
    straight from the record, so a search over 20,000 identities does not render
    20,000 rows; any other property falls back to rendering."""
    name = default_sort
    if sort_by and matches:
        sample = render_row(matches[0])
        found = {key.casefold(): key for key in sample}.get(sort_by.casefold())
        if found is None:
            raise BadRequest(f"SortBy {sort_by!r} is not a property of the results")
        name = found
        if isinstance(sample.get(name), (list, dict)):
            raise BadRequest(f"SortBy {sort_by!r} is not a sortable property")
    if not matches:
        return matches
    read = cheap_keys.get(name) or (lambda match: render_row(match).get(name))

    def key(match):
        value = read(match)
        if value is None:
            return (0, "")
        return (1, value.casefold() if isinstance(value, str) else value)

    return sorted(matches, key=key, reverse=(sort_order == "Descending"))


def page_of(ordered: list, render_row: Callable[[Any], dict], page: int, page_size: int) -> tuple[list[dict], int, int]:
    """Cut one page of sorted matches and render only it. -> (rows, page count, total)."""
    total = len(ordered)
    page_count = math.ceil(total / page_size) if page_size else 0
    start = (page - 1) * page_size
    return [render_row(match) for match in ordered[start : start + page_size]], page_count, total
