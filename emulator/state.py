"""Worlds and namespaces: isolated copies of the emulated systems' state.

A **world** is one store fork plus its settings, clock, scenario keys and the
per-API models built on it. A **namespace** is what a client works in: a world
plus its own faults, journal and snapshots. Requests without the
``X-Emulator-Namespace`` header use the default namespace; a request naming
another one gets it, created on first use as a fresh fork of the loaded baseline,
which costs O(collections), not O(entities). Reset, snapshots and restore are
forks too.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from typing import Any

from aiohttp import web

from .clock import Clock
from .config import EmulatorConfig
from .faults import FaultSet, operation_codes
from .journal import Journal
from .scenarios import Baseline, empty_store, load_documents
from .store import Store

NAMESPACE_HEADER = "X-Emulator-Namespace"
DEFAULT_NAMESPACE = "default"
NAMESPACE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")


class NamespaceError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class World:
    def __init__(self, store: Store, settings: dict[str, Any], apis: dict[str, Any], clock: Clock,
                 keys: dict[tuple[str, str], str], files: tuple[str, ...]) -> None:
        self.store = store
        self.settings = settings  # api name -> that API's (immutable) settings object
        self.clock = clock
        self.keys = keys  # (kind, scenario key) -> id; replaced, never mutated
        self.files = files  # the scenarios this world was loaded from, in order
        self.apis = apis
        self.models = {name: api.build_model(store, settings[name], clock) for name, api in apis.items()}

    def fork(self) -> "World":
        """An independent copy (snapshots, restore): O(collections)."""
        return World(self.store.fork(), dict(self.settings), self.apis, self.clock.copy(), self.keys, self.files)


class Snapshot:
    def __init__(self, snapshot_id: str, world: World) -> None:
        self.id = snapshot_id
        self.world = world
        self.created = time.time()

    def to_json(self) -> dict[str, Any]:
        from .journal import iso_time

        return {"id": self.id, "created": iso_time(self.created), "scenarios": list(self.world.files),
                "counts": {name: api.summary_counts(self.world.store) for name, api in self.world.apis.items()}}


class Namespace:
    def __init__(self, name: str, state: "EmulatorState") -> None:
        config = state.config
        self.name = name
        self.state = state
        self.world = state.baseline_world()
        self.faults = FaultSet(tuple(state.apis), config.fault_max_hold_seconds, config.fault_seed,
                               state.operation_codes)
        self.journal = Journal(config.journal_limit, config.journal_body_bytes)
        self.snapshots: dict[str, Snapshot] = {}
        self.created = time.time()
        self._snapshot_numbers = 0

    def reset(self, keep: frozenset[str] = frozenset()) -> None:
        self.world = self.state.baseline_world()
        if "faults" not in keep:
            self.faults.clear()
        if "journal" not in keep:
            self.journal.clear()
        # Snapshots are explicit saves: they survive a reset (DELETE removes them).

    def save_snapshot(self, snapshot_id: str | None = None) -> Snapshot:
        if snapshot_id is None:
            while True:
                self._snapshot_numbers += 1
                snapshot_id = f"s{self._snapshot_numbers}"
                if snapshot_id not in self.snapshots:
                    break
        snapshot = self.snapshots[snapshot_id] = Snapshot(snapshot_id, self.world.fork())
        return snapshot

    def load_scenarios(self, sources: list[tuple[str, dict]], replace: bool) -> None:
        """Load scenario documents on top of this namespace's state (or instead of
        it). They load into a fork that replaces the world only when everything
        loaded: on a ScenarioError nothing has changed."""
        current = self.world
        apis = self.state.apis
        if replace:
            store = empty_store(apis.values())
            settings = {name: api.default_settings() for name, api in apis.items()}
            keys: dict = {}
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

    def __init__(self, apis: list, baseline: Baseline, config: EmulatorConfig | None = None) -> None:
        self.apis = {api.name: api for api in apis}
        self.baseline = baseline
        self.config = config or EmulatorConfig()
        self.hits: Counter = Counter()  # (api, operation code, version) -> requests served, all namespaces
        self.operation_codes = operation_codes(apis)  # what a fault's match.operation may name
        self.started = time.monotonic()
        self.default = Namespace(DEFAULT_NAMESPACE, self)
        self.namespaces: dict[str, Namespace] = {DEFAULT_NAMESPACE: self.default}

    def baseline_world(self) -> World:
        baseline = self.baseline
        return World(baseline.store.fork(), dict(baseline.settings), self.apis, Clock(), baseline.keys,
                     baseline.files)

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
        self.default = Namespace(DEFAULT_NAMESPACE, self)
        self.namespaces = {DEFAULT_NAMESPACE: self.default}

    def namespace_for(self, request: web.Request) -> Namespace:
        name = request.headers.get(NAMESPACE_HEADER)
        if name is None:
            return self.default
        namespace = self.namespaces.get(name)
        return namespace if namespace is not None else self.create_namespace(name)

    def create_namespace(self, name: str) -> Namespace:
        if not NAMESPACE_NAME.match(name):
            raise NamespaceError(400, f"invalid {NAMESPACE_HEADER} {name!r}: 1-128 characters of "
                                      "A-Z a-z 0-9 . _ : - (starting with a letter or digit)")
        if len(self.namespaces) > self.config.max_namespaces:
            raise NamespaceError(503, f"too many namespaces ({self.config.max_namespaces}); "
                                      "DELETE /__emulator/namespaces/NAME the ones no longer used")
        namespace = self.namespaces[name] = Namespace(name, self)
        return namespace

    def delete_namespace(self, name: str) -> bool:
        if name == DEFAULT_NAMESPACE:
            raise NamespaceError(409, "the default namespace cannot be deleted; reset it instead")
        return self.namespaces.pop(name, None) is not None

    def world_for(self, request: web.Request) -> World:
        return self.namespace_for(request).world


STATE = web.AppKey("emulator_state", EmulatorState)
