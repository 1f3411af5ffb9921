"""Paging and sorting shared by the three searches (identities, members, participants)."""

from __future__ import annotations

import math

from ..errors import BadRequest


def page_bounds(page: int | None, page_size: int | None, default_size: int, max_size: int) -> tuple[int, int]:
    """``Page`` is 1-based; 0 or absent (the .NET default) means the first page and
    a PageSize of 0 or absent the default size (docs/fidelity.md, **chosen**)."""
    page = page or 1
    page_size = page_size or default_size
    if page < 0 or page_size < 0:
        raise BadRequest("Page and PageSize may not be negative")
    return page, min(page_size, max_size)


def sort_and_page(items: list[dict], sort_by: str | None, sort_order: str | None, default_sort: str,
                  page: int, page_size: int) -> tuple[list[dict], int, int]:
    """Sort rendered items by one of their scalar properties (case-insensitive name),
    nulls first ascending; then cut the page. -> (page items, page count, total)."""
    name = default_sort
    if sort_by:
        lookup = {key.casefold(): key for key in (items[0] if items else {})}
        name = lookup.get(sort_by.casefold())
        if name is None and items:
            raise BadRequest(f"SortBy {sort_by!r} is not a property of the results")
    if name is not None and items:
        if isinstance(items[0].get(name), (list, dict)):
            raise BadRequest(f"SortBy {sort_by!r} is not a sortable property")

        def key(item):
            value = item.get(name)
            if value is None:
                return (0, "")
            return (1, value.casefold() if isinstance(value, str) else value)

        items = sorted(items, key=key, reverse=(sort_order == "Descending"))
    total = len(items)
    page_count = math.ceil(total / page_size) if page_size else 0
    start = (page - 1) * page_size
    return items[start:start + page_size], page_count, total
