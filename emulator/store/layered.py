"""A dict that forks in O(1) and whose first write after a fork costs O(1).

The store's rows and index buckets are shared between a world and its forks
(reset, snapshots, namespaces). A plain dict shared copy-on-write makes the
first write after a fork copy all of it: 50,000 users' rows for one changed
mobile number. A :class:`LayeredDict` keeps a **base** dict, shared and never
written once shared, under a small **overlay** of what changed since: writes go
to the overlay, reads look there first, a deletion of a base key is a
tombstone. A fork shares the base and copies only the overlay, when one side
first writes to it. When the overlay outgrows the base, a fork first folds the
two into a new base, so the overlay stays no bigger than the writes made since,
and no chain of layers ever forms.

The dicts are kept untracked by the cyclic garbage collector (``gctuning.untrack``):
they hold records and ids, which never lead back to them, and a collection that
meets a dict of 100,000 rows visits every one (a 44 ms generation-1 pause in a
write run, before).

It iterates in the order a plain dict would: base keys in place (replaced
values too), then keys added since, in the order they were added; a base key
deleted and added again moves to the end, as it would in a dict.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator
from gc import is_tracked
from itertools import chain
from typing import Any

from .untracked import untrack

DELETED: Any = object()  # an overlay value: the base's entry is gone
ABSENT: Any = object()


class LayeredDict:
    __slots__ = ("base", "overlay", "_owned", "_moved", "_length", "_tombstones")

    def __init__(self, base: dict | None = None) -> None:
        self.base: dict = base if base is not None else {}  # read-only once shared
        self.overlay: dict = {}  # key -> value, or DELETED for a base key removed
        untrack(self.base)
        self._owned = True  # False: the overlay (and _moved) are shared with a fork
        self._moved: set = set()  # base keys deleted and added again: they iterate at the end
        self._length = len(self.base)
        self._tombstones = 0  # DELETED values in the overlay

    def fork(self) -> LayeredDict:
        if len(self.overlay) > len(self.base):
            self._fold()
        twin = LayeredDict.__new__(LayeredDict)
        twin.base, twin.overlay, twin._moved, twin._length = self.base, self.overlay, self._moved, self._length
        twin._tombstones = self._tombstones
        self._owned = twin._owned = False
        return twin

    def _fold(self) -> None:
        """Overlay and base become one new base (the old one may be shared)."""
        self.base = dict(self.items())
        untrack(self.base)
        self.overlay, self._moved, self._owned, self._tombstones = {}, set(), True, 0

    def _own(self) -> dict:
        if not self._owned:
            self.overlay, self._moved, self._owned = dict(self.overlay), set(self._moved), True
            untrack(self.overlay)
        return self.overlay

    # -- reads ---------------------------------------------------------------------
    def get(self, key: Hashable, default: Any = None) -> Any:
        value = self.overlay.get(key, ABSENT)
        if value is ABSENT:
            return self.base.get(key, default)
        return default if value is DELETED else value

    def __getitem__(self, key: Hashable) -> Any:
        value = self.get(key, ABSENT)
        if value is ABSENT:
            raise KeyError(key)
        return value

    def __contains__(self, key: Hashable) -> bool:
        value = self.overlay.get(key, ABSENT)
        if value is ABSENT:
            return key in self.base
        return value is not DELETED

    def __len__(self) -> int:
        return self._length

    def _in_place(self) -> bool:
        """Every base key is still there, in its place: the overlay only replaces
        base values and adds keys, so iterating can run at C speed."""
        return not self._tombstones and not self._moved

    def _added(self) -> Iterable[Hashable]:
        base = self.base
        return [key for key in self.overlay if key not in base]

    def items(self) -> Iterator[tuple[Hashable, Any]]:
        overlay, base = self.overlay, self.base
        if not overlay:
            return iter(base.items())
        if self._in_place():
            values = map(overlay.get, base.keys(), base.values())  # the overlay's value, else the base's
            return chain(zip(base.keys(), values), [(key, overlay[key]) for key in self._added()])
        return self._items_moved()

    def _items_moved(self) -> Iterator[tuple[Hashable, Any]]:
        overlay, base, moved = self.overlay, self.base, self._moved
        for key, value in base.items():
            changed = overlay.get(key, ABSENT)
            if changed is ABSENT:
                yield key, value
            elif changed is not DELETED and key not in moved:
                yield key, changed
        for key, value in overlay.items():
            if value is not DELETED and (key in moved or key not in base):
                yield key, value

    def __iter__(self) -> Iterator[Hashable]:
        if not self.overlay:
            return iter(self.base)
        if self._in_place():
            return chain(self.base, self._added())
        return (key for key, _ in self.items())

    def keys(self) -> Iterator[Hashable]:
        return iter(self)

    def values(self) -> Iterator[Any]:
        overlay, base = self.overlay, self.base
        if not overlay:
            return iter(base.values())
        if self._in_place():
            return chain(map(overlay.get, base.keys(), base.values()), [overlay[key] for key in self._added()])
        return (value for _, value in self.items())

    # -- writes --------------------------------------------------------------------
    def __setitem__(self, key: Hashable, value: Any) -> None:
        overlay = self._own()
        previous = overlay.get(key, ABSENT)
        if previous is DELETED:  # a base key back after a deletion: at the end, as in a dict
            del overlay[key]
            self._moved.add(key)
            self._length += 1
            self._tombstones -= 1
        elif previous is ABSENT and key not in self.base:
            self._length += 1
        overlay[key] = value
        if is_tracked(overlay):  # a record (a collectable type) tracks the dict again; an id does not
            untrack(overlay)  # (the check costs a fifth of the call it saves, on every index write)

    def __delitem__(self, key: Hashable) -> None:
        if key not in self:
            raise KeyError(key)
        overlay = self._own()
        if key in self.base:
            overlay[key] = DELETED
            self._tombstones += 1
        else:
            del overlay[key]
        self._length -= 1

    def __reduce__(self):
        return LayeredDict, (self.flat(),)  # the sentinels would not survive a pickle

    def flat(self) -> dict:
        """A plain dict of the same items (to pickle)."""
        return self.base if not self.overlay else dict(self.items())
