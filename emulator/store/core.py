"""The in-memory store shared by every emulated API.

A :class:`Store` holds typed :class:`Collection` s of immutable records keyed by id.
Each collection keeps the secondary indexes its queries need, so a lookup costs the
size of its answer, never the size of the store.

Two properties matter for a contract-testing emulator:

* **Cheap copies.** ``Store.fork()`` returns an independent store in O(number of
  collections): rows and index buckets are layered dicts (``layered.py``), a shared
  base under a small per-fork overlay of changes, so neither the fork nor the
  first write after it copies what the store holds. Reset (fork the loaded
  baseline), snapshots and per-test isolation are all built on it.
* **Atomic writes.** Handlers run without awaiting between reads and writes, so no
  other request can observe a half-done operation. ``Store.transaction()`` adds an
  undo log on top: if an operation raises half-way, every write it made is rolled
  back, so a bug or a late validation error can never leave a partial write.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from .layered import ABSENT, DELETED, LayeredDict
from .sortedkeys import SortedKeys
from .untracked import ACYCLIC_TYPES, untrack

Record = TypeVar("Record")
KeyFunction = Callable[[Any], Iterable[Hashable]]


@dataclass(frozen=True)
class IndexSpec:
    """How to derive index keys from a record.

    ``keys`` returns every key the record is filed under (zero, one or several: a
    multi-valued attribute files a user under each value). ``ordered`` additionally
    keeps the distinct string keys sorted, which serves prefix searches.
    """

    name: str
    keys: KeyFunction
    ordered: bool = False
    # The record fields ``keys`` reads. When a replace leaves them all equal, the
    # index is not touched: updating a user's mobile number does not re-file the
    # user by organization and status.
    fields: tuple[str, ...] = ()

    @functools.cached_property
    def read_fields(self) -> Callable[[Any], Any] | None:
        return operator.attrgetter(*self.fields) if self.fields else None


class _Buckets:
    """key -> the ids of the records filed under it (optionally with the keys kept
    sorted), shared after a fork: the dict is layered (a write goes to this side's
    overlay), each set and each chunk of the sorted keys are copied by whichever
    side writes to them first.

    A key with one record holds the bare id, not a set: most keys of a text index
    (an email, a login, an id) name one record, and a one-element set costs 216
    bytes and a place among the objects the garbage collector scans."""

    __slots__ = ("_buckets", "_owned_keys", "_sorted", "_pending")

    def __init__(self, ordered: bool) -> None:
        self._buckets = LayeredDict()  # key -> id, or set of ids (two or more)
        self._owned_keys: set[Hashable] | None = None  # None: every set is ours
        self._sorted: SortedKeys | None = SortedKeys() if ordered else None
        self._pending: list | None = None  # bulk load: keys to sort in once, at the end

    def fork(self) -> _Buckets:
        twin = _Buckets.__new__(_Buckets)
        twin._buckets = self._buckets.fork()
        twin._sorted = self._sorted.fork() if self._sorted is not None else None
        twin._pending = None
        self._owned_keys, twin._owned_keys = set(), set()
        return twin

    def _own_set(self, key: Hashable, ids: set) -> set:
        if self._owned_keys is None or key in self._owned_keys:
            return ids
        ids = self._buckets[key] = set(ids)
        untrack(ids)
        self._owned_keys.add(key)
        return ids

    def add(self, key: Hashable, record_id: Hashable) -> None:
        buckets = self._buckets
        filed = buckets.get(key)
        if filed is None:
            buckets[key] = record_id
            if self._sorted is not None:
                if self._pending is not None:
                    self._pending.append(key)
                else:
                    self._sorted.add(key)
        elif type(filed) is set:
            self._own_set(key, filed).add(record_id)
        elif filed != record_id:
            ids = buckets[key] = {filed, record_id}
            untrack(ids)  # ids only: never part of a cycle, and a big one is costly to scan
            if self._owned_keys is not None:
                self._owned_keys.add(key)

    def remove(self, key: Hashable, record_id: Hashable) -> None:
        filed = self._buckets.get(key)
        if filed is None:
            return
        if type(filed) is set:
            if record_id not in filed:
                return
            ids = self._own_set(key, filed)
            ids.discard(record_id)
            if len(ids) == 1:
                self._buckets[key] = next(iter(ids))
                if self._owned_keys is not None:
                    self._owned_keys.discard(key)
            return
        if filed != record_id:
            return
        del self._buckets[key]
        if self._owned_keys is not None:
            self._owned_keys.discard(key)
        if self._sorted is not None:
            if self._pending is not None and key in self._pending:
                self._pending.remove(key)
            else:
                self._sorted.discard(key)

    def defer_sorting(self, deferred: bool) -> None:
        if self._sorted is None:
            return
        if deferred:
            if self._pending is None:
                self._pending = []
            return
        pending, self._pending = self._pending, None
        if pending:
            self._sorted = SortedKeys([*self._sorted, *pending])

    def get(self, key: Hashable) -> set | frozenset:
        filed = self._buckets.get(key)
        if filed is None:
            return _EMPTY
        return filed if type(filed) is set else frozenset((filed,))

    def starting_with(self, prefix: str) -> Iterator[Iterable]:
        if self._sorted is None:
            return
        buckets = self._buckets
        for key in self._sorted.starting_at(prefix):
            if not key.startswith(prefix):
                return
            filed = buckets[key]
            yield filed if type(filed) is set else (filed,)

    def keys(self) -> Iterable[Hashable]:
        return self._buckets


def _scoped(key: Hashable) -> tuple[Hashable, str]:
    """A scoped index's key is ``(scope, text)``."""
    return cast("tuple[Hashable, str]", key)


class _Index:
    """One secondary index. An ordered index files records under ``(scope, text)``
    keys (for example ``("email", "maija@example.org")``) and keeps one sorted,
    separately copied partition per scope, so a write copies only the attribute it
    touches and a prefix search walks only one attribute's values."""

    __slots__ = ("spec", "_plain", "_scopes", "_scopes_owned", "_owned_scopes", "_deferred")

    def __init__(self, spec: IndexSpec) -> None:
        self.spec = spec
        self._plain = None if spec.ordered else _Buckets(ordered=False)
        self._scopes: dict[Hashable, _Buckets] = {}
        self._scopes_owned = True
        self._owned_scopes: set[Hashable] | None = None
        self._deferred = False

    def fork(self) -> _Index:
        twin = _Index.__new__(_Index)
        twin.spec = self.spec
        twin._deferred = False
        twin._plain = self._plain.fork() if self._plain is not None else None
        twin._scopes = self._scopes
        for side in (self, twin):
            side._scopes_owned = False
            side._owned_scopes = set()
        return twin

    def export(self) -> tuple:
        return self._plain, self._scopes

    def load(self, state: tuple) -> None:
        self._plain, self._scopes = state
        self._scopes_owned, self._owned_scopes = True, None

    def _scope(self, scope: Hashable, create: bool) -> _Buckets | None:
        partition = self._scopes.get(scope)
        if self._owned_scopes is not None and scope not in self._owned_scopes and (partition or create):
            if not self._scopes_owned:
                self._scopes = dict(self._scopes)
                self._scopes_owned = True
            partition = partition.fork() if partition is not None else _Buckets(ordered=True)
            self._scopes[scope] = partition
            self._owned_scopes.add(scope)
        elif partition is None and create:
            partition = self._scopes[scope] = _Buckets(ordered=True)
        if partition is not None and self._deferred:
            partition.defer_sorting(True)
        return partition

    def add(self, key: Hashable, record_id: Hashable) -> None:
        if self._plain is not None:
            self._plain.add(key, record_id)
        else:
            scope, text = _scoped(key)
            partition = self._scope(scope, create=True)
            assert partition is not None  # create=True always gives one
            partition.add(text, record_id)

    def remove(self, key: Hashable, record_id: Hashable) -> None:
        if self._plain is not None:
            self._plain.remove(key, record_id)
        else:
            scope, text = _scoped(key)
            partition = self._scope(scope, create=False)
            if partition is not None:
                partition.remove(text, record_id)

    def replace(self, record_id: Hashable, previous: Any, record: Any) -> None:
        """Re-file a record, touching only the keys that changed."""
        if previous is None or record is None:  # an insert or a delete: no keys to compare
            # add and remove are idempotent, so a key listed twice needs no de-duplication
            if record is not None:
                for key in self.spec.keys(record):
                    self.add(key, record_id)
            elif previous is not None:
                for key in self.spec.keys(previous):
                    self.remove(key, record_id)
            return
        read_fields = self.spec.read_fields
        if read_fields is not None and read_fields(previous) == read_fields(record):
            return
        old_keys = set(self.spec.keys(previous))
        new_keys = set(self.spec.keys(record))
        for key in old_keys - new_keys:
            self.remove(key, record_id)
        for key in new_keys - old_keys:
            self.add(key, record_id)

    def defer_sorting(self, deferred: bool) -> None:
        self._deferred = deferred
        if not deferred:
            for partition in self._scopes.values():
                partition.defer_sorting(False)

    def get(self, key: Hashable) -> set | frozenset:
        if self._plain is not None:
            return self._plain.get(key)
        scope, text = _scoped(key)
        partition = self._scopes.get(scope)
        return partition.get(text) if partition is not None else _EMPTY

    def prefixed(self, scope: Hashable, prefix: str) -> Iterator[Iterable]:
        """Buckets of keys ``(scope, text)`` whose text starts with ``prefix``."""
        if self._plain is not None:
            raise TypeError(f"index {self.spec.name!r} is not ordered")
        partition = self._scopes.get(scope)
        return partition.starting_with(prefix) if partition is not None else iter(())

    def keys(self) -> Iterable[Hashable]:
        if self._plain is not None:
            return self._plain.keys()
        return [(scope, text) for scope, partition in self._scopes.items() for text in partition.keys()]


_EMPTY: frozenset = frozenset()


class Collection(Generic[Record]):
    """Records of one kind, keyed by id, with their secondary indexes."""

    def __init__(self, kind: str, indexes: Iterable[IndexSpec] = ()) -> None:
        self.kind = kind
        self._rows = LayeredDict()  # record id -> record
        self._indexes = {spec.name: _Index(spec) for spec in indexes}
        self._journal: list | None = None  # the owning store's undo log, when in a transaction
        self.writes = 0  # puts and deletes so far (a fork starts from its origin's count)

    def fork(self) -> Collection[Record]:
        twin = Collection.__new__(Collection)
        twin.kind = self.kind
        twin._rows = self._rows.fork()
        twin._indexes = {name: index.fork() for name, index in self._indexes.items()}
        twin._journal = None
        twin.writes = self.writes
        return twin

    def export(self) -> tuple:
        return self._rows.flat(), {name: index.export() for name, index in self._indexes.items()}, self.writes

    def load(self, state: tuple) -> None:
        rows, indexes, self.writes = state
        self._rows = LayeredDict(rows)
        for name, index_state in indexes.items():
            self._indexes[name].load(index_state)

    # -- reads -------------------------------------------------------------------
    def get(self, record_id: Hashable) -> Record | None:
        rows = self._rows  # LayeredDict.get, inlined: every request reads records by id
        record = rows.overlay.get(record_id, ABSENT)
        if record is ABSENT:
            return rows.base.get(record_id)
        return None if record is DELETED else record

    def __getitem__(self, record_id: Hashable) -> Record:
        """A record that must be there: its id came from an index, or from a reference
        the model keeps whole (an access row's role). KeyError otherwise."""
        record = self.get(record_id)
        if record is None:
            raise KeyError(record_id)
        return record

    def __contains__(self, record_id: Hashable) -> bool:
        return record_id in self._rows

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[Record]:
        return iter(self._rows.values())

    def ids(self) -> Iterable[Hashable]:
        """Every id, in insertion order (sized, and answers ``in``)."""
        return self._rows

    def lookup(self, index: str, key: Hashable) -> set:
        """Ids filed under ``key`` in ``index``. Do not mutate the returned set."""
        # A miss is the shared frozenset _EMPTY; typed ``set`` for callers, which only read it.
        return self._indexes[index].get(key)  # type: ignore[return-value]

    def lookup_prefix(self, index: str, scope: Hashable, prefix: str) -> set:
        """Ids filed under any key ``(scope, text)`` with text starting with prefix."""
        result: set = set()
        for bucket in self._indexes[index].prefixed(scope, prefix):
            result.update(bucket)
        return result

    def ordered_buckets(self, index: str, scope: Hashable, prefix: str = "") -> Iterator[Iterable]:
        """Ids filed under keys ``(scope, text)`` (text starting with ``prefix``),
        one group per key, in key order: a walk that stops when it has enough."""
        return self._indexes[index].prefixed(scope, prefix)

    def index_keys(self, index: str) -> Iterable[Hashable]:
        return self._indexes[index].keys()

    def find(self, index: str, key: Hashable) -> list[Record]:
        rows = self._rows
        return [rows[record_id] for record_id in self._indexes[index].get(key)]

    # -- writes ------------------------------------------------------------------
    def put(self, record_id: Hashable, record: Record) -> None:
        """Insert or replace. Records are immutable: replace, never mutate."""
        self.writes += 1
        previous = self._rows.get(record_id)
        if self._journal is not None:
            self._journal.append((self, record_id, previous))
        self._rows[record_id] = record
        if type(record) in ACYCLIC_TYPES:
            untrack(record)
        for index in self._indexes.values():
            index.replace(record_id, previous, record)

    def delete(self, record_id: Hashable) -> Record | None:
        previous = self._rows.get(record_id)
        if previous is None:
            return None
        self.writes += 1
        if self._journal is not None:
            self._journal.append((self, record_id, previous))
        del self._rows[record_id]
        for index in self._indexes.values():
            index.replace(record_id, previous, None)
        return previous

    def defer_sorting(self, deferred: bool) -> None:
        for index in self._indexes.values():
            index.defer_sorting(deferred)

    def _restore(self, record_id: Hashable, previous: Record | None) -> None:
        journal, self._journal = self._journal, None
        try:
            if previous is None:
                self.delete(record_id)
            else:
                self.put(record_id, previous)
        finally:
            self._journal = journal


class Store:
    """A named set of collections plus a little free-form state (counters, clock)."""

    def __init__(self, collections: Iterable[Collection] = ()) -> None:
        self._collections: dict[str, Collection] = {}
        for collection in collections:
            self.add_collection(collection)
        self._undo: list | None = None

    def add_collection(self, collection: Collection) -> Collection:
        if collection.kind in self._collections:
            raise ValueError(f"collection {collection.kind!r} already exists")
        self._collections[collection.kind] = collection
        return collection

    def __getitem__(self, kind: str) -> Collection:
        return self._collections[kind]

    def __contains__(self, kind: str) -> bool:
        return kind in self._collections

    def kinds(self) -> list[str]:
        return list(self._collections)

    def export_state(self) -> dict:
        """Every collection's rows and index contents, without the index definitions
        (functions): plain data to pickle. ``import_state`` puts it back."""
        if self._undo is not None:
            raise RuntimeError("cannot export a store inside a transaction")
        return {kind: collection.export() for kind, collection in self._collections.items()}

    def import_state(self, state: dict) -> None:
        """Fill this store's empty collections, defined as the exporter's were."""
        if set(state) != set(self._collections):
            raise ValueError("the exported state has other collections than this store")
        for kind, collection_state in state.items():
            self._collections[kind].load(collection_state)

    def writes(self) -> int:
        """Grows with every write to any collection: a cheap "has anything changed"."""
        return sum(collection.writes for collection in self._collections.values())

    def counts(self) -> dict[str, int]:
        return {kind: len(collection) for kind, collection in self._collections.items()}

    def fork(self) -> Store:
        """An independent copy; O(collections + indexes), copy-on-write after."""
        if self._undo is not None:
            raise RuntimeError("cannot fork a store inside a transaction")
        twin = Store.__new__(Store)
        twin._collections = {kind: c.fork() for kind, c in self._collections.items()}
        twin._undo = None
        return twin

    @contextmanager
    def bulk_load(self) -> Iterator[Store]:
        """Loading many records: ordered indexes append and sort once at the end
        instead of inserting in order one by one."""
        for collection in self._collections.values():
            collection.defer_sorting(True)
        try:
            yield self
        finally:
            for collection in self._collections.values():
                collection.defer_sorting(False)

    def transaction(self) -> _Transaction | _NestedTransaction:
        """All-or-nothing: any exception rolls back every write made inside
        (``with store.transaction(): ...``). Nested, the outermost one decides."""
        return _Transaction(self) if self._undo is None else _NestedTransaction(self)


class _Transaction:
    """A context manager class, not @contextmanager: every write request opens one
    or two, and a generator per transaction was a visible share of a write."""

    __slots__ = ("_store",)

    def __init__(self, store: Store) -> None:
        self._store = store

    def __enter__(self) -> Store:
        store = self._store
        undo: list = []
        store._undo = undo
        for collection in store._collections.values():
            collection._journal = undo
        return store

    def __exit__(self, kind, error, traceback) -> None:
        store = self._store
        undo = store._undo
        assert undo is not None  # set by __enter__
        try:
            if kind is not None:
                for collection, record_id, previous in reversed(undo):
                    collection._restore(record_id, previous)
        finally:
            store._undo = None
            for collection in store._collections.values():
                collection._journal = None


class _NestedTransaction:
    __slots__ = ("_store",)

    def __init__(self, store: Store) -> None:
        self._store = store

    def __enter__(self) -> Store:
        return self._store

    def __exit__(self, kind, error, traceback) -> None:
        return None
