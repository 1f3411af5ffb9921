"""``SyncEmulatorHandle``: what a plain ``def`` test gets from ``emulator_sync``:
the async handle's helpers as ordinary calls, run on a loop in a background thread
(which also serves the in-process emulator, so blocking clients can reach it)."""

from __future__ import annotations

import asyncio
import inspect
import threading

from .excerpt import JOURNAL_IN_REPORT
from .handle import EmulatorHandle, FaultHandle


class _Portal:
    """A loop in a background thread: runs the in-process emulator for sync tests
    and the sync handle's coroutines."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="emulator-loop", daemon=True)
        self.thread.start()

    def run(self, coroutine, timeout: float = 60):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


class SyncClock:
    def __init__(self, handle: SyncEmulatorHandle) -> None:
        self._clock, self._run = handle._async.clock, handle._portal.run

    def get(self) -> dict:
        return self._run(self._clock.get())

    def now(self) -> str:
        return self._run(self._clock.now())

    def set(self, now: str | None = None, *, freeze: bool | None = None) -> dict:
        return self._run(self._clock.set(now, freeze=freeze))

    def freeze(self, now: str | None = None) -> dict:
        return self._run(self._clock.freeze(now))

    def unfreeze(self) -> dict:
        return self._run(self._clock.unfreeze())

    def advance(self, seconds: float) -> dict:
        return self._run(self._clock.advance(seconds))


class SyncFault:
    """``emulator_sync.fault(...)`` adds the fault at once; as a context manager it
    is removed on exit."""

    def __init__(self, fault: FaultHandle, run) -> None:
        self._fault, self._run = fault, run
        run(fault.add())
        self.id, self.info = fault.id, fault.info

    def remove(self) -> None:
        self._run(self._fault.remove())

    def status(self) -> dict | None:
        return self._run(self._fault.status())

    def __enter__(self) -> SyncFault:
        return self

    def __exit__(self, *exc_info) -> None:
        self.remove()


class SyncEmulatorHandle:
    """``emulator_sync``: the same attributes and helpers as ``emulator``, as plain calls."""

    def __init__(self, handle: EmulatorHandle, portal: _Portal) -> None:
        self._async, self._portal = handle, portal
        self.url, self.headers, self.namespace = handle.url, handle.headers, handle.namespace
        self.clock = SyncClock(self)

    def __getattr__(self, name: str):
        """The async handle's attributes (auth_headers, credentials, bearer_headers,
        dfs_headers, customerid_url, dfs_token, id_of, model, state, app, ...),
        its coroutine methods as blocking calls."""
        value = getattr(self._async, name)
        if inspect.iscoroutinefunction(value):
            return lambda *args, **kwargs: self._portal.run(value(*args, **kwargs))
        return value

    def fault(self, **spec) -> SyncFault:
        return SyncFault(self._async.fault(**spec), self._portal.run)

    def wait_for(self, operation: str | None = None, *, count: int = 1, timeout: float = 10.0, **match) -> list[dict]:
        """As the async handle's, blocking (the call's own bound: the wait's, plus slack)."""
        return self._portal.run(self._async.wait_for(operation, count=count, timeout=timeout, **match), timeout + 30)

    def recent_journal(self, limit: int = JOURNAL_IN_REPORT) -> list[dict]:
        return self._async.recent_journal(limit)

    def recent_har(self) -> dict:
        return self._async.recent_har()
