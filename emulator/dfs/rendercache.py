"""Rendered answers kept per world, reused while what they were rendered from is
unchanged.

Records in the store are immutable (a change puts a new object), so an answer
rendered from a few records stays right while the store still holds those
objects (or equal ones). An answer that also looks records up (a member by identity, a role by
id) names the collections it reads: it stays right while none of them has been
written since. Nothing is invalidated; a stale entry simply fails the check."""

from __future__ import annotations

from typing import Any, Callable, Hashable

from ..store import Collection

MAX_ENTRIES = 4096  # per world: a cache for the records a suite asks for again and again


class RenderCache:
    __slots__ = ("_entries",)

    def __init__(self) -> None:
        self._entries: dict[Hashable, tuple[tuple, tuple[int, ...], bytes]] = {}

    def get(self, key: Hashable, records: tuple[Any, ...], reads: tuple[Collection, ...],
            render: Callable[[], bytes]) -> bytes:
        """``render()``'s bytes, or the ones kept under ``key`` if they were
        rendered from the same ``records`` while the collections in ``reads``
        had the write counts they have now."""
        writes = tuple([collection.writes for collection in reads])
        entry = self._entries.get(key)
        # Tuple equality tries identity first; records equal by value render alike.
        if entry is not None and entry[1] == writes and entry[0] == records:
            return entry[2]
        body = render()
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[key] = (records, writes, body)
        return body
