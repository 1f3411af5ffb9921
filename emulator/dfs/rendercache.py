"""Rendered answers kept per world, reused while what they were rendered from is
unchanged.

Records in the store are immutable (a change puts a new object), so an answer
rendered from a few records stays right while the store still holds those
objects (or equal ones). An answer that also looks records up (a member by
identity, a role by id) names the collections it reads: it stays right while
none of them has been written since. Nothing is invalidated; a stale entry
simply fails the check."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from ..store.core import Collection

# Per world (so per namespace): the records a suite asks for again and again.
MAX_ENTRIES = 4096
MAX_BYTES = 4 * 1024 * 1024  # all answers kept; one larger than MAX_BYTES // 64 is not kept
MAX_ANSWER_BYTES = MAX_BYTES // 64


class RenderCache:
    __slots__ = ("_entries", "_bytes")

    def __init__(self) -> None:
        self._entries: dict[Hashable, tuple[tuple, tuple[int, ...], bytes]] = {}
        self._bytes = 0

    def get(
        self, key: Hashable, records: tuple[Any, ...], reads: tuple[Collection, ...], render: Callable[[], bytes]
    ) -> bytes:
        """``render()``'s bytes, or the ones kept under ``key`` if they were
        rendered from the same ``records`` while the collections in ``reads``
        had the write counts they have now."""
        writes = tuple([collection.writes for collection in reads])
        entry = self._entries.get(key)
        # Tuple equality tries identity first; records equal by value render alike.
        if entry is not None and entry[1] == writes and entry[0] == records:
            return entry[2]
        body = render()
        if len(body) > MAX_ANSWER_BYTES:
            return body
        if len(self._entries) >= MAX_ENTRIES or self._bytes + len(body) > MAX_BYTES:
            self._entries.clear()
            self._bytes = 0
        replaced = self._entries.get(key)
        if replaced is not None:
            self._bytes -= len(replaced[2])
        self._entries[key] = (records, writes, body)
        self._bytes += len(body)
        return body
