"""Answers of expensive read queries (a search's matches, sorted), kept until the
next write to the store.

Paging through a search asks the same question again and again with another
page number: sorting 100,000 identities for every page of ten would make each
page cost the whole result. The cache is per world (each fork builds its own
models, so its own cache), forgets everything at the first write (any
collection's), and bounds what it holds by entries and by total items."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar, cast

from .core import Store

Answer = TypeVar("Answer", bound=Sequence)


class QueryCache:
    def __init__(self, store: Store, max_entries: int = 64, max_items: int = 250_000) -> None:
        self._store = store
        self._max_entries, self._max_items = max_entries, max_items
        self._entries: OrderedDict[Hashable, tuple[Sequence, int]] = OrderedDict()
        self._items = 0
        self._writes = -1

    def get(self, key: Hashable, compute: Callable[[], Answer], weight: Callable[[Answer], int] = len) -> Answer:
        """The cached answer for ``key``, or ``compute()`` (kept if its ``weight``,
        by default its length, fits). Callers must not mutate what they get."""
        writes = self._store.writes()
        if writes != self._writes:
            self._entries.clear()
            self._items, self._writes = 0, writes
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
            return cast(Answer, entry[0])  # what compute() gave for this key
        answer = compute()
        items = weight(answer)
        if items <= self._max_items:
            self._entries[key] = (answer, items)
            self._items += items
            while len(self._entries) > self._max_entries or self._items > self._max_items:
                _, (_, evicted) = self._entries.popitem(last=False)
                self._items -= evicted
        return answer
