"""Worlds: isolated copies of the emulated systems' state.

A world is one store fork plus its clock and the per-API models built on it. The
emulator starts with one world forked from the loaded baseline; reset replaces it
with a fresh fork, which costs O(collections), not O(entities).
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from aiohttp import web

from .clock import Clock
from .scenarios import Baseline
from .store import Store


class World:
    def __init__(self, store: Store, settings: dict[str, Any], apis: dict[str, Any], clock: Clock) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.models = {name: api.build_model(store, settings[name], clock) for name, api in apis.items()}


class EmulatorState:
    """Everything one emulator instance holds; hung on the app, never global."""

    def __init__(self, apis: list, baseline: Baseline) -> None:
        self.apis = {api.name: api for api in apis}
        self.baseline = baseline
        self.hits: Counter = Counter()  # (api, operation code, version) -> requests served
        self.started = time.monotonic()
        self.world = self._new_world()

    def _new_world(self) -> World:
        return World(self.baseline.store.fork(), self.baseline.settings, self.apis, Clock())

    def reset(self) -> None:
        self.world = self._new_world()

    def world_for(self, request: web.Request) -> World:
        return self.world

    def api_for_path(self, path: str):
        for api in self.apis.values():
            if path.startswith(api.url_prefixes):
                return api
        return None


STATE = web.AppKey("emulator_state", EmulatorState)
