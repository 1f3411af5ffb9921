"""A sorted set of keys that is cheap to insert into and cheap to fork.

A plain sorted list costs O(n) per insertion (the tail moves) and O(n) for the
first write after a fork (the whole list is copied). Here the keys live in
chunks of at most ``2 * LOAD`` keys, with a list of each chunk's largest key to
find the right one by bisection. An insertion moves at most one chunk's keys;
after ``fork()`` both sides share every chunk and copy only the chunk they write
to (plus the short list of chunks), so the first write after a reset costs
about ``LOAD`` key copies whatever the size.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from typing import Any

from .untracked import untrack

LOAD = 256


def _untracked(keys: list) -> list:
    """Chunks hold keys (strings, numbers, tuples of those): nothing that leads
    back to a list, so the cyclic collector need not scan them (gctuning.py)."""
    untrack(keys)
    return keys


class SortedKeys:
    __slots__ = ("_chunks", "_maxes", "_shared", "_lists_owned", "_length")

    def __init__(self, keys: Iterable[Any] = ()) -> None:
        ordered = sorted(set(keys))
        self._chunks: list[list] = _untracked(
            [_untracked(ordered[start : start + LOAD]) for start in range(0, len(ordered), LOAD)]
        )
        self._maxes: list = _untracked([chunk[-1] for chunk in self._chunks])
        self._shared: set[int] = set()  # ids of the chunks another fork also holds
        self._lists_owned = True  # False: _chunks and _maxes themselves are shared
        self._length = len(ordered)

    def fork(self) -> SortedKeys:
        twin = SortedKeys.__new__(SortedKeys)
        twin._chunks, twin._maxes, twin._length = self._chunks, self._maxes, self._length
        shared = {id(chunk) for chunk in self._chunks}
        self._shared, twin._shared = shared, set(shared)
        self._lists_owned = twin._lists_owned = False
        return twin

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator:
        for chunk in self._chunks:
            yield from chunk

    def _own_lists(self) -> None:
        if not self._lists_owned:
            self._chunks, self._maxes = _untracked(list(self._chunks)), _untracked(list(self._maxes))
            self._lists_owned = True

    def _writable(self, position: int) -> list:
        """The chunk at ``position``, copied first if another fork holds it too."""
        self._own_lists()
        chunk = self._chunks[position]
        if self._shared and id(chunk) in self._shared:
            self._shared.discard(id(chunk))
            chunk = self._chunks[position] = _untracked(list(chunk))
        return chunk

    def add(self, key: Any) -> None:
        maxes = self._maxes
        if not maxes:
            self._own_lists()
            self._chunks.append(_untracked([key]))
            self._maxes.append(key)
            self._length = 1
            return
        position = bisect.bisect_left(maxes, key)
        if position == len(maxes):
            position -= 1
        chunk = self._chunks[position]
        at = bisect.bisect_left(chunk, key)
        if at < len(chunk) and chunk[at] == key:
            return
        chunk = self._writable(position)
        chunk.insert(at, key)
        self._maxes[position] = chunk[-1]
        self._length += 1
        if len(chunk) > 2 * LOAD:
            half = _untracked(chunk[LOAD:])
            del chunk[LOAD:]
            self._chunks.insert(position + 1, half)
            self._maxes[position] = chunk[-1]
            self._maxes.insert(position + 1, half[-1])

    def discard(self, key: Any) -> None:
        position = bisect.bisect_left(self._maxes, key)
        if position == len(self._maxes):
            return
        chunk = self._chunks[position]
        at = bisect.bisect_left(chunk, key)
        if at == len(chunk) or chunk[at] != key:
            return
        chunk = self._writable(position)
        del chunk[at]
        self._length -= 1
        if chunk:
            self._maxes[position] = chunk[-1]
        else:
            del self._chunks[position]
            del self._maxes[position]

    def starting_at(self, low: Any) -> Iterator:
        """Keys >= ``low``, in order."""
        chunks = self._chunks
        position = bisect.bisect_left(self._maxes, low)
        if position == len(chunks):
            return
        chunk = chunks[position]
        yield from chunk[bisect.bisect_left(chunk, low) :]
        for chunk in chunks[position + 1 :]:
            yield from chunk
