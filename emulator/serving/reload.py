"""``--reload-scenarios``: watch the scenario files and reload them on change.

Polls modification times (no dependency, works on every file system and in
containers with bind mounts). A change loads the whole set of files into a new
baseline in a worker thread; only when that succeeded are the baseline and a
fresh world swapped in, in one synchronous step on the event loop, so a request
sees the old state or the new, never a mix. A file that does not load (bad YAML,
schema, reference) keeps the old state and reports file, path and problem.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path

from ..world.scenarios import Baseline, ScenarioError, load_baseline
from ..world.state import EmulatorState

Signature = tuple[tuple[int, int] | None, ...]


def signature(paths: tuple[Path, ...]) -> Signature:
    """(mtime in ns, size) of each file; None for one that cannot be read."""
    result: list[tuple[int, int] | None] = []
    for path in paths:
        try:
            stat = os.stat(path)
            result.append((stat.st_mtime_ns, stat.st_size))
        except OSError:
            result.append(None)
    return tuple(result)


class ScenarioWatcher:
    def __init__(
        self,
        state: EmulatorState,
        paths: tuple[Path, ...],
        report: Callable[[str, dict], None],
        interval: float = 0.5,
        settle: float = 0.1,
    ) -> None:
        self.state = state
        self.paths = tuple(paths)
        self.report = report  # (event, details) -> None: the CLI prints it as text or JSON
        self.interval = interval
        self.settle = settle  # an editor may write a file in several steps: wait until it stops changing
        self.seen = signature(self.paths)
        self.reloads = 0

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            await self.check()

    async def check(self) -> bool:
        """Reload if a file changed since the last look; True when the state was swapped."""
        current = signature(self.paths)
        if current == self.seen:
            return False
        while True:  # settle: the same signature twice in a row
            await asyncio.sleep(self.settle)
            again = signature(self.paths)
            if again == current:
                break
            current = again
        self.seen = current
        apis = list(self.state.apis.values())
        loop = asyncio.get_running_loop()
        try:
            baseline: Baseline = await loop.run_in_executor(None, load_baseline, self.paths, apis)
        except ScenarioError as error:
            self.report(
                "reload-failed",
                {
                    "file": error.file,
                    "path": error.path,
                    "problem": error.problem,
                    "message": f"{error}; keeping the previous state",
                },
            )
            return False
        self.swap(baseline)
        self.reloads += 1
        self.report("reloaded", {"scenarios": list(baseline.files)})
        return True

    def swap(self, baseline: Baseline) -> None:
        # No await in here: requests see the old baseline and world, or the new ones.
        self.state.baseline = baseline
        self.state.reset()
