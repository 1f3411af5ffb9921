"""``make bench-reset``: how long a reset takes, on the default scenario and with
50,000 extra users, and how long the server takes from start to its first
healthy answer.

    python -m bench.reset [--rounds 2000]

Reset is measured twice: in-process (``EmulatorState.reset()`` plus the first
write after it, which pays the copy-on-write of what it touches) and over HTTP
(``POST /__emulator/reset`` from a client, as a test suite calls it).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import urllib.request

from emulator.app import default_apis
from emulator.customerid.models import UserChanges
from emulator.world.scenarios import load_baseline
from emulator.world.state import EmulatorState

from .measure import ROOT, free_port

MAIJA = "aaaaaaaa-0000-4000-8000-000000000001"
SCENARIOS = {
    "default scenario": ["default"],  # built-in scenario names
    "default + 50,000 users": ["default", "bulk-50k"],
}


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def in_process(files: list[str], rounds: int) -> dict:
    apis = default_apis()
    started = time.perf_counter()
    baseline = load_baseline(files, apis)
    load_seconds = time.perf_counter() - started
    state = EmulatorState(apis, baseline)
    resets, first_writes = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        state.reset()
        resets.append(time.perf_counter() - started)
        model = state.world.models["customerid"]
        changes = UserChanges()
        changes.fields["mobile"] = "+358401234567"
        started = time.perf_counter()
        with model.store.transaction():
            model.update_user(MAIJA, changes)
        first_writes.append(time.perf_counter() - started)
    users = len(baseline.store["customerid.users"])
    return {"users": users, "load_s": load_seconds, "reset": resets, "first_write": first_writes}


def over_http(files: list[str], rounds: int) -> dict:
    port = free_port()
    command = [sys.executable, "-m", "emulator", "--quiet", "--port", str(port)]
    for name in files:
        command += ["--scenario", name]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    health = f"http://127.0.0.1:{port}/__emulator/health"
    while True:
        try:
            with urllib.request.urlopen(health, timeout=1):
                break
        except OSError:
            if process.poll() is not None or time.perf_counter() - started > 120:
                raise SystemExit("bench: the emulator did not come up") from None
            time.sleep(0.005)
    startup = time.perf_counter() - started
    try:
        timings = []
        request = urllib.request.Request(f"http://127.0.0.1:{port}/__emulator/reset", method="POST")
        for _ in range(rounds):
            started = time.perf_counter()
            with urllib.request.urlopen(request) as response:
                response.read()
            timings.append(time.perf_counter() - started)
    finally:
        stop(process)
    return {"startup_s": startup, "reset": timings}


def micros(samples: list[float]) -> str:
    return f"median {statistics.median(samples) * 1e6:7.0f} µs   p99 {percentile(samples, 0.99) * 1e6:7.0f} µs"


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench.reset")
    parser.add_argument("--rounds", type=int, default=2000)
    arguments = parser.parse_args()
    for label, files in SCENARIOS.items():
        local = in_process(files, arguments.rounds)
        remote = over_http(files, min(arguments.rounds, 500))
        print(
            f"{label} ({local['users']:,} users; scenario load {local['load_s']:.2f} s; "
            f"start to first healthy answer {remote['startup_s'] * 1000:.0f} ms)"
        )
        print(f"  reset, in process          {micros(local['reset'])}")
        print(f"  first write after reset    {micros(local['first_write'])}")
        print(f"  POST /__emulator/reset     {micros(remote['reset'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
