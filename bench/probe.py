"""Runs a server under measurement: ``python -m bench.probe emulator ARGS...`` or
``python -m bench.probe bare PORT``.

It adds what an outside observer cannot see: garbage-collector pauses, timed by
``gc.callbacks`` (start and stop of every collection). On SIGUSR1 the server
writes what it saw since the previous SIGUSR1 to ``$BENCH_GC_FILE`` (JSON) and
starts counting afresh, so the bench can attribute pauses to one workload.
"""

from __future__ import annotations

import gc
import json
import os
import runpy
import signal
import sys
import time


class GcProbe:
    def __init__(self, path: str) -> None:
        self.path = path
        self.sequence = 0
        self.started = 0.0
        self.started_cpu = 0.0
        self._clear()

    def _clear(self) -> None:
        self.max_ms = 0.0
        self.max_cpu_ms = 0.0  # the same pauses in CPU time: without the time other processes took
        self.total_ms = 0.0
        self.collections = [0, 0, 0]
        self.max_by_generation = [0.0, 0.0, 0.0]

    def callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self.started = time.perf_counter()
            self.started_cpu = time.thread_time()
            return
        pause = (time.perf_counter() - self.started) * 1000
        self.max_cpu_ms = max(self.max_cpu_ms, (time.thread_time() - self.started_cpu) * 1000)
        generation = info["generation"]
        self.collections[generation] += 1
        self.total_ms += pause
        self.max_ms = max(self.max_ms, pause)
        self.max_by_generation[generation] = max(self.max_by_generation[generation], pause)

    def dump(self, *_signal) -> None:
        self.sequence += 1
        report = {
            "sequence": self.sequence,
            "max_pause_ms": round(self.max_ms, 3),
            "max_pause_cpu_ms": round(self.max_cpu_ms, 3),
            "total_pause_ms": round(self.total_ms, 3),
            "collections": self.collections,
            "max_pause_ms_by_generation": [round(value, 3) for value in self.max_by_generation],
        }
        temporary = self.path + ".tmp"
        with open(temporary, "w") as file:
            json.dump(report, file)
        os.replace(temporary, self.path)
        self._clear()


def main() -> int:
    what, arguments = sys.argv[1], sys.argv[2:]
    path = os.environ.get("BENCH_GC_FILE")
    if path:
        probe = GcProbe(path)
        gc.callbacks.append(probe.callback)
        signal.signal(signal.SIGUSR1, probe.dump)
    if what == "bare":
        sys.argv = ["bare", *arguments]
        runpy.run_module("bench.bare", run_name="__main__")  # serves until stopped
        return 0
    from emulator.cli import main as emulator_main

    return emulator_main(arguments)


if __name__ == "__main__":
    sys.exit(main())
