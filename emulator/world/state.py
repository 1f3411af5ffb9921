"""Worlds and namespaces: isolated copies of the emulated systems' state.

A **world** is one store fork plus its settings, clock, scenario keys and the
per-API models built on it. A **namespace** is what a client works in: a world
plus its own faults, journal and snapshots. Requests without the
``X-Emulator-Namespace`` header use the default namespace; a request naming
another one gets it, created on first use as a fresh fork of the loaded baseline,
which costs O(collections), not O(entities). Reset, snapshots and restore are
forks too.

Nobody can lock others out with namespaces (docs/limits.md): with a control token
set only callers holding it create them; at ``max_namespaces`` the least recently
used namespace idle for ``namespace_idle_seconds`` makes room, and one unused for
``namespace_expire_seconds`` is dropped. What namespaces hold (journals,
snapshots, faults) is charged to the one memory budget (emulator/budget.py).
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from ..api import EmulatedApi
from ..config import EmulatorConfig
from ..store.core import Store
from .budget import LimitReached, MemoryBudget, snapshot_bytes
from .clock import Clock
from .faults import FaultSet, operation_codes
from .journal import Journal
from .scenarios import Baseline, empty_store, load_documents

NAMESPACE_HEADER = "X-Emulator-Namespace"
DEFAULT_NAMESPACE = "default"
NAMESPACE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}\Z")
SNAPSHOT_ID = NAMESPACE_NAME  # the same alphabet and length (a path segment, a log word)
INVALID_NAME = f"invalid {NAMESPACE_HEADER}: 1-128 characters of A-Z a-z 0-9 . _ : - (starting with a letter or digit)"


class NamespaceError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class World:
    def __init__(
        self,
        store: Store,
        settings: dict[str, Any],
        apis: dict[str, Any],
        clock: Clock,
        keys: Mapping[tuple[str, str], str],
        files: tuple[str, ...],
    ) -> None:
        self.store = store
        self.settings = settings  # api name -> that API's (immutable) settings object
        self.clock = clock
        self.keys = keys  # (kind, scenario key) -> id; replaced, never mutated
        self.files = files  # the scenarios this world was loaded from, in order
        self.apis = apis
        self.models = {name: api.build_model(store, settings[name], clock) for name, api in apis.items()}

    def fork(self) -> World:
        """An independent copy (snapshots, restore): O(collections)."""
        return World(self.store.fork(), dict(self.settings), self.apis, self.clock.copy(), self.keys, self.files)


class Snapshot:
    def __init__(self, snapshot_id: str, world: World) -> None:
        self.id = snapshot_id
        self.world = world
        self.created = time.time()
        self.bytes = snapshot_bytes(world.store.counts())

    def to_json(self) -> dict[str, Any]:
        from .journal import iso_time

        return {
            "id": self.id,
            "created": iso_time(self.created),
            "scenarios": list(self.world.files),
            "counts": {name: api.summary_counts(self.world.store) for name, api in self.world.apis.items()},
        }


class Namespace:
    def __init__(self, name: str, state: EmulatorState) -> None:
        config = state.config
        self.name = name
        self.state = state
        self.world = state.baseline_world()
        self.faults = FaultSet(
            tuple(state.apis),
            config.fault_max_hold_seconds,
            config.fault_seed,
            budget=state.budget,
            max_faults=config.max_faults,
            operations=state.operation_codes,
        )
        self.journal = Journal(config.journal_limit, config.journal_body_bytes, state.budget)
        self.snapshots: dict[str, Snapshot] = {}
        self.created = time.time()
        self.last_used = time.monotonic()
        self._snapshot_numbers = 0

    def reset(self, keep: frozenset[str] = frozenset()) -> None:
        self.world = self.state.baseline_world()
        if "faults" not in keep:
            self.faults.clear()
        if "journal" not in keep:
            self.journal.clear()
        # Snapshots are explicit saves: they survive a reset (DELETE removes them).

    def save_snapshot(self, snapshot_id: str | None = None) -> Snapshot:
        """LimitReached (nothing saved) past max_snapshots or the memory budget."""
        if snapshot_id is None:
            while True:
                self._snapshot_numbers += 1
                snapshot_id = f"s{self._snapshot_numbers}"
                if snapshot_id not in self.snapshots:
                    break
        limit = self.state.config.max_snapshots
        if snapshot_id not in self.snapshots and len(self.snapshots) >= limit:
            raise LimitReached(f"namespace {self.name} holds {limit} snapshots, the most it may; delete some")
        snapshot = Snapshot(snapshot_id, self.world.fork())
        self.state.budget.charge("snapshot_bytes", snapshot.bytes)
        self.delete_snapshot(snapshot_id)
        self.snapshots[snapshot_id] = snapshot
        return snapshot

    def delete_snapshot(self, snapshot_id: str) -> bool:
        snapshot = self.snapshots.pop(snapshot_id, None)
        if snapshot is None:
            return False
        self.state.budget.release("snapshot_bytes", snapshot.bytes)
        return True

    def release(self) -> None:
        """Give back everything this namespace holds (deleted, evicted or expired)."""
        self.journal.close_watchers()
        self.journal.clear()
        self.faults.clear()
        for snapshot_id in list(self.snapshots):
            self.delete_snapshot(snapshot_id)

    def load_scenarios(self, sources: list[tuple[str, dict]], replace: bool) -> None:
        """Load scenario documents on top of this namespace's state (or instead of
        it). They load into a fork that replaces the world only when everything
        loaded: on a ScenarioError nothing has changed."""
        current = self.world
        apis = self.state.apis
        if replace:
            store = empty_store(apis.values())
            settings = {name: api.default_settings() for name, api in apis.items()}
            keys: Mapping[tuple[str, str], str] = {}
            files: tuple[str, ...] = ()
        else:
            store, settings, keys, files = current.store.fork(), dict(current.settings), current.keys, current.files
        keys = load_documents(sources, apis.values(), store, settings, keys, current.clock)
        self.world = World(store, settings, apis, current.clock, keys, files + tuple(name for name, _ in sources))

    def restore(self, snapshot: Snapshot) -> None:
        # One assignment: a request sees the old world or the new, never a mix.
        self.world = snapshot.world.fork()


class EmulatorState:
    """Everything one emulator instance holds; hung on the app, never global."""

    def __init__(self, apis: list[EmulatedApi], baseline: Baseline, config: EmulatorConfig | None = None) -> None:
        self.apis: dict[str, EmulatedApi] = {api.name: api for api in apis}
        self.baseline = baseline
        self.config = config or EmulatorConfig()
        self.hits: Counter = Counter()  # (api, operation code, version) -> requests served, all namespaces
        self.operation_codes = operation_codes(apis)  # what a fault's match.operation may name
        self.started = time.monotonic()
        self.budget = MemoryBudget(
            self.config.memory_budget_bytes, lambda: [namespace.journal for namespace in self.namespaces.values()]
        )
        self.default = Namespace(DEFAULT_NAMESPACE, self)
        self.namespaces: dict[str, Namespace] = {DEFAULT_NAMESPACE: self.default}

    def baseline_world(self) -> World:
        baseline = self.baseline
        return World(baseline.store.fork(), dict(baseline.settings), self.apis, Clock(), baseline.keys, baseline.files)

    # The default namespace's world, for code that does not care about namespaces.
    @property
    def world(self) -> World:
        return self.default.world

    def reset(self, keep: frozenset[str] = frozenset()) -> None:
        self.default.reset(keep)

    def renew(self) -> None:
        """As if just started: only the default namespace, forked from the baseline,
        no faults, journal, snapshots or endpoint hits (the pytest plugin, per test)."""
        self.hits.clear()
        for namespace in self.namespaces.values():
            namespace.release()
        self.default = Namespace(DEFAULT_NAMESPACE, self)
        self.namespaces = {DEFAULT_NAMESPACE: self.default}

    def namespace_for(self, request: web.Request, create: bool | None = None) -> Namespace:
        """The namespace the request names. ``create``: may an unknown one be made
        (default: only when no control token is set; the control API passes True for
        callers that gave the token)."""
        name = request.headers.get(NAMESPACE_HEADER)
        if name is None:
            return self.default
        namespace = self.namespaces.get(name)
        if namespace is not None:
            namespace.last_used = time.monotonic()
            return namespace
        if create is None:
            create = self.config.control_token is None
        if not create:
            if not NAMESPACE_NAME.match(name):
                raise NamespaceError(400, INVALID_NAME)
            raise NamespaceError(
                403,
                f"no namespace {name!r}: with a control token set, namespaces are "
                "created by control requests that carry it (e.g. POST /__emulator/reset)",
            )
        return self.create_namespace(name)

    def create_namespace(self, name: str) -> Namespace:
        if not NAMESPACE_NAME.match(name):
            raise NamespaceError(400, INVALID_NAME)
        self._make_room()
        namespace = self.namespaces[name] = Namespace(name, self)
        return namespace

    def _make_room(self) -> None:
        """Drop expired namespaces; at the cap, evict the least recently used idle one."""
        config = self.config
        now = time.monotonic()
        expired = [
            namespace
            for namespace in self.namespaces.values()
            if namespace is not self.default and now - namespace.last_used >= config.namespace_expire_seconds
        ]
        for namespace in expired:
            self._drop(namespace)
            self.budget.expired_namespaces += 1
        if len(self.namespaces) < config.max_namespaces:
            return
        idle = [
            namespace
            for namespace in self.namespaces.values()
            if namespace is not self.default and now - namespace.last_used >= config.namespace_idle_seconds
        ]
        if not idle:
            raise NamespaceError(
                503,
                f"{config.max_namespaces} namespaces, the most there may be, are all in use "
                f"(each within {config.namespace_idle_seconds:g} s); retry shortly, or "
                "DELETE /__emulator/namespaces/NAME the ones no longer used",
            )
        self._drop(min(idle, key=lambda namespace: namespace.last_used))
        self.budget.evicted_namespaces += 1

    def _drop(self, namespace: Namespace) -> None:
        del self.namespaces[namespace.name]
        namespace.release()

    def delete_namespace(self, name: str) -> bool:
        if name == DEFAULT_NAMESPACE:
            raise NamespaceError(409, "the default namespace cannot be deleted; reset it instead")
        namespace = self.namespaces.get(name)
        if namespace is None:
            return False
        self._drop(namespace)
        return True

    def world_for(self, request: web.Request) -> World:
        return self.namespace_for(request).world


STATE = web.AppKey("emulator_state", EmulatorState)
