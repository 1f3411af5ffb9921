"""What a test suite pays per test: generated pytest suites run in this process's
interpreter, each at two sizes, so that a test's marginal cost is read apart from
the session's set-up (interpreter, plugin, baseline, server):

    per-test cost = (duration(N tests) - duration(n tests)) / (N - n)

and the fixture's cost per test is that of a suite minus that of the floor (plain
async tests, no fixture). Durations are pytest's own ("N passed in X s"), the
median of ``repeats`` runs. Rows: no fixture; ``emulator`` with no call; with one
GET105 (aiohttp); ``emulator_sync`` with one GET105 (requests) — in-process and
against a sidecar (``emulator --port``), with ``-n 0`` and ``-n 2``.

    python -m bench.suites [--tests 300] [--repeats 3] [--json suites.json]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from .measure import Server

BODIES = {
    "floor": ("async def test_{i}():\n    pass\n", None),
    "fixture, no call": ("async def test_{i}(emulator):\n    pass\n", None),
    "fixture + GET105 (aiohttp)": (
        "async def test_{i}(emulator):\n"
        "    async with aiohttp.ClientSession() as http:\n"
        "        async with http.get(emulator.customerid_url() + '/users/' + MAIJA,"
        " headers=emulator.auth_headers) as response:\n"
        "            assert response.status == 200\n",
        "import aiohttp\n",
    ),
    "sync fixture + GET105 (requests)": (
        "def test_{i}(emulator_sync):\n"
        "    response = SESSION.get(emulator_sync.customerid_url() + '/users/' + MAIJA,"
        " headers=emulator_sync.auth_headers)\n"
        "    assert response.status_code == 200\n",
        "import requests\nSESSION = requests.Session()\n",
    ),
}
MAIJA = "aaaaaaaa-0000-4000-8000-000000000001"  # a user of the default scenario
INI = "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"
DURATION = re.compile(r"(\d+) passed[^\n]* in ([0-9.]+)s")


def write_suite(directory: Path, kind: str, count: int) -> Path:
    body, prelude = BODIES[kind]
    path = directory / f"test_{re.sub(r'[^a-z0-9]+', '_', kind)}_{count}.py"
    head = f"MAIJA = {MAIJA!r}\n" + (prelude or "")
    path.write_text(head + "\n".join(body.format(i=i) for i in range(count)), encoding="utf-8")
    return path


def pytest_seconds(directory: Path, path: Path, workers: int, url: str | None) -> float:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)]
    command += ["-p", "xdist", "-n", str(workers)] if workers else ["-p", "no:xdist"]
    if url:
        command += ["--emulator-url", url]
    result = subprocess.run(command, cwd=directory, capture_output=True, text=True, timeout=600)
    found = DURATION.search(result.stdout)
    if result.returncode != 0 or found is None:
        raise SystemExit(f"bench.suites: {path.name} failed:\n{result.stdout[-3000:]}\n{result.stderr[-2000:]}")
    return float(found.group(2))


def measure(tests: int, repeats: int, workers_list: tuple[int, ...] = (0, 2)) -> dict:
    small = max(10, tests // 10)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-suites-") as temporary:
        directory = Path(temporary)
        (directory / "pytest.ini").write_text(INI, encoding="utf-8")
        sidecar = Server("emulator", [], "/__emulator/health", directory)
        try:
            for mode, url in (("in-process", None), ("sidecar", sidecar.base)):
                for workers in workers_list:
                    floor = None
                    for kind in BODIES:
                        if kind == "floor" and mode == "sidecar":
                            continue  # no emulator involved: the in-process floor serves both
                        big, little = write_suite(directory, kind, tests), write_suite(directory, kind, small)
                        durations = [
                            (
                                pytest_seconds(directory, big, workers, url),
                                pytest_seconds(directory, little, workers, url),
                            )
                            for _ in range(repeats)
                        ]
                        whole = statistics.median(d[0] for d in durations)
                        marginal_ms = statistics.median((d[0] - d[1]) / (tests - small) * 1000 for d in durations)
                        if kind == "floor":
                            floor = marginal_ms
                        rows.append(
                            {
                                "mode": mode,
                                "workers": workers,
                                "suite": kind,
                                "tests": tests,
                                "seconds": whole,
                                "tests_per_s": tests / whole,
                                "ms_per_test": marginal_ms,
                                "fixture_ms_per_test": None if floor is None else marginal_ms - floor,
                            }
                        )
                    if mode == "in-process":
                        floors = {r["workers"]: r["ms_per_test"] for r in rows if r["suite"] == "floor"}
                    else:
                        for row in rows:
                            if row["mode"] == "sidecar" and row["workers"] == workers:
                                row["fixture_ms_per_test"] = row["ms_per_test"] - floors[workers]
        finally:
            sidecar.stop()
    return {"tests": tests, "small": small, "repeats": repeats, "rows": rows}


def print_suites(report: dict) -> None:
    print(
        f"\nPer-test cost: generated suites of {report['tests']} tests (marginal cost from "
        f"{report['tests']} vs {report['small']} tests, median of {report['repeats']} runs)"
    )
    header = f"{'mode':<11}{'-n':>3}  {'suite':<34}{'tests/s':>9}{'ms/test':>9}{'fixture ms/test':>17}"
    print(header)
    print("-" * len(header))
    for row in report["rows"]:
        fixture = "" if row["fixture_ms_per_test"] is None else f"{row['fixture_ms_per_test']:.2f}"
        print(
            f"{row['mode']:<11}{row['workers']:>3}  {row['suite']:<34}{row['tests_per_s']:>9.0f}"
            f"{row['ms_per_test']:>9.2f}{fixture:>17}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench.suites", description=__doc__.split("\n\n")[0])
    parser.add_argument("--tests", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", default=None)
    arguments = parser.parse_args()
    report = measure(arguments.tests, arguments.repeats)
    print_suites(report)
    if arguments.json:
        Path(arguments.json).write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
