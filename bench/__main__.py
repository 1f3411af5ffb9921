"""``make bench``: throughput, latency, server CPU, memory and GC pauses of real
emulator operations, next to a bare aiohttp app measured in the same run.

    python -m bench [--seconds 10] [--connections 32] [--quick] [--only TEXT,...]
                    [--json bench-results.json]

The workloads are the table in bench/workloads.py. The bare app stays up for the
whole run and its reference request (GET, or a small POST for writes) is measured
right before each row, so a ratio compares two numbers taken seconds apart on a
machine other work shares. Then the state operations: start-up (bare app and
emulator), ready time and RSS with 100,000 users, reset, snapshot, restore, a new
namespace and the first write after a reset.

``--quick`` (``make bench BENCH_ARGS=--quick``): 2-second rows, the 60-second
write run cut to 6 × 2 s, fewer rounds of the state operations.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from .measure import ROOT, Control, Server, percentile, run_wrk
from .workloads import AUTH, BASE, MAIJA, SETUPS, WORKLOADS, Setup, Workload

REFERENCES = {"GET": ("GET", None), "POST": ("POST", "<x/>")}


def emulator_arguments(setup: Setup, extra: tuple[str, ...], directory: Path) -> list[str]:
    arguments = [*extra]
    for file in setup.files(directory):
        arguments += ["--scenario", file]
    return arguments


def run_workload(
    workload: Workload, emulator: Server, bare: Server, seconds: float, connections: int, headers: dict[str, str]
) -> dict:
    control = Control(emulator)
    try:
        if workload.fault is not None:
            control.json("DELETE", "/__emulator/faults")
            control.json("POST", "/__emulator/faults", workload.fault)
    finally:
        control.close()
    method, body = REFERENCES[workload.reference]
    reference = run_wrk(
        bare,
        "/hello",
        seconds / workload.slices if workload.slices > 1 else seconds,
        connections,
        method=method,
        body=body,
    )
    kwargs = dict(method=workload.method, headers=headers, body=workload.body, unique_body=workload.unique_body)
    run_wrk(emulator, workload.path, 1, connections, run_tag=f"w{time.monotonic_ns()}", **kwargs)  # warm-up
    emulator.gc_report()  # forget the warm-up's collections
    rss_before = emulator.rss_mib()
    slices = [
        run_wrk(
            emulator,
            workload.path,
            seconds / workload.slices,
            connections,
            run_tag=f"s{number}t{time.monotonic_ns()}",
            **kwargs,
        )
        for number in range(workload.slices)
    ]
    gc_report = emulator.gc_report()
    requests = sum(part["requests"] for part in slices)
    cpu = [part["cpu_us_per_request"] for part in slices if part["cpu_us_per_request"] is not None]
    wrong = sum(part["non2xx"] for part in slices) if workload.expect is None else 0
    result = {
        "name": workload.name,
        "connections": connections,
        "setup": workload.setup,
        "method": workload.method,
        "path": workload.path,
        "reference": workload.reference,
        "reference_rps": reference["rps"],
        "reference_p99_ms": reference["p99_ms"],
        "reference_cpu_us": reference["cpu_us_per_request"],
        "requests": requests,
        "rps": sum(part["rps"] for part in slices) / len(slices),
        "ratio": (sum(part["rps"] for part in slices) / len(slices)) / reference["rps"],
        "p50_ms": max(part["p50_ms"] for part in slices),
        "p99_ms": max(part["p99_ms"] for part in slices),
        "max_ms": max(part["max_ms"] for part in slices),
        "cpu_us_per_request": sum(cpu) / len(cpu) if cpu else None,
        # the same comparison in CPU per request: less moved by other processes than req/s
        "cpu_ratio": reference["cpu_us_per_request"] / (sum(cpu) / len(cpu)) if cpu else None,
        "rss_mib": emulator.rss_mib(),
        "rss_growth_mib": emulator.rss_mib() - rss_before,
        "gc_max_pause_ms": gc_report["max_pause_ms"],
        "gc_max_pause_cpu_ms": gc_report.get("max_pause_cpu_ms"),
        "gc_collections": gc_report["collections"],
        "non2xx": wrong,
        "socket_errors": sum(part["socket_errors"] for part in slices),
    }
    if workload.expect is not None:
        result["unexpected_status"] = (
            requests - sum(part["non2xx"] for part in slices) if workload.expect >= 300 else None
        )
    if workload.slices > 1:
        result["slices"] = [{key: part[key] for key in ("rps", "p50_ms", "p99_ms")} for part in slices]
        result["last_to_first"] = slices[-1]["rps"] / slices[0]["rps"]
    return result


def state_operations(emulator: Server, rounds: int) -> dict:
    """Control operations over HTTP (one keep-alive connection), on the current set-up."""
    control = Control(emulator)
    user = f"{BASE}/users/{MAIJA}"
    put = f"{user}?mobile=%2B358401111111"
    try:
        control.json("DELETE", "/__emulator/faults")
        results = {
            "reset": control.timed(rounds, "POST", "/__emulator/reset"),
            "snapshot": control.timed(
                rounds, "POST", "/__emulator/snapshots", b'{"id": "bench"}', {"Content-Type": "application/json"}
            ),
            "restore": control.timed(rounds, "POST", "/__emulator/snapshots/bench/restore"),
            "new_namespace": _namespace_timing(control, rounds, user),
            "write_steady": control.timed(rounds, "PUT", put, headers={"Authorization": AUTH}),
            "first_write_after_reset": control.timed(
                rounds,
                "PUT",
                put,
                headers={"Authorization": AUTH},
                before=lambda n: control.call("POST", "/__emulator/reset"),
            ),
        }
    finally:
        control.close()
    return results


def _namespace_timing(control: Control, rounds: int, path: str) -> dict:
    """A request naming a namespace not seen before (it is created as a fork of the baseline)."""
    samples = []
    for number in range(rounds):
        name = f"bench-{number}"
        status, data, seconds = control.call("GET", path, headers={"Authorization": AUTH, "X-Emulator-Namespace": name})
        if status != 200:
            raise SystemExit(f"bench: GET105 in a new namespace answered {status}: {data[:300]!r}")
        samples.append(seconds)
        control.call("DELETE", f"/__emulator/namespaces/{name}")
    return {"median_ms": sorted(samples)[len(samples) // 2] * 1000, "p99_ms": percentile(samples, 0.99) * 1000}


def startup(directory: Path, rounds: int) -> dict:
    """The first emulator start fills the baseline cache; the median is of starts that read it.
    The emulator's bytecode is compiled first, as pip compiles it when it installs the package
    (the bare app's aiohttp has its own): a source tree run with PYTHONDONTWRITEBYTECODE=1
    would otherwise compile every module of the emulator at every start (~0.1 s)."""
    compileall.compile_dir(ROOT / "emulator", quiet=1)
    bare_times, emulator_times = [], []
    for _ in range(rounds):
        bare = Server("bare", [], "/hello", directory)
        bare_times.append(bare.ready_s)
        bare.stop()
        emulator = Server(
            "emulator", emulator_arguments(SETUPS["default"], (), directory), "/__emulator/health", directory
        )
        emulator_times.append(emulator.ready_s)
        emulator.stop()
    bare_s, emulator_s = sorted(bare_times)[rounds // 2], sorted(emulator_times)[rounds // 2]
    return {
        "bare_ms": bare_s * 1000,
        "emulator_ms": emulator_s * 1000,
        "ratio": emulator_s / bare_s,
        "emulator_first_ms": emulator_times[0] * 1000,
    }


def first_write_in_process(rounds: int) -> dict:
    from .reset import in_process

    local = in_process(list(SETUPS["users-50k"].scenarios), rounds)
    return {
        "users": local["users"],
        "reset_median_ms": sorted(local["reset"])[rounds // 2] * 1000,
        "first_write_median_ms": sorted(local["first_write"])[rounds // 2] * 1000,
        "first_write_p99_ms": percentile(local["first_write"], 0.99) * 1000,
    }


def print_report(report: dict) -> None:
    print(
        f"\n{report['command']}  ({report['cores']} cores, wrk -t1 -c{report['connections']}, "
        f"{report['seconds']} s per row, event loop {report['event_loop']})"
    )
    header = (
        f"{'workload':<44}{'req/s':>8}{'x bare':>8}{'CPU x':>7}{'p50 ms':>8}{'p99 ms':>8}{'CPU µs':>8}"
        f"{'bare µs':>8}{'RSS MiB':>9}{'GC max ms':>12}"
    )
    print(header)
    print("-" * len(header))
    for row in report["workloads"]:
        name = row["name"] + (f" [-c{row['connections']}]" if row["connections"] != report["connections"] else "")
        gc_max = (
            "-" if row["gc_max_pause_ms"] is None else f"{row['gc_max_pause_ms']:.1f}/{row['gc_max_pause_cpu_ms']:.1f}"
        )
        print(
            f"{name[:43]:<44}{row['rps']:>8.0f}{row['ratio']:>8.2f}{row['cpu_ratio'] or 0:>7.2f}{row['p50_ms']:>8.2f}"
            f"{row['p99_ms']:>8.2f}{row['cpu_us_per_request'] or 0:>8.0f}{row['reference_cpu_us'] or 0:>8.0f}"
            f"{row['rss_mib']:>9.0f}{gc_max:>12}"
        )
        for number, part in enumerate(row.get("slices") or ()):
            print(
                f"{'  slice ' + str(number + 1):<44}{part['rps']:>8.0f}{'':>15}{part['p50_ms']:>8.2f}"
                f"{part['p99_ms']:>8.2f}"
            )
        if "last_to_first" in row:
            print(f"{'  last slice / first slice':<44}{row['last_to_first']:>16.2f}")
    print(
        "x bare: req/s against the bare app's, measured right before the row; CPU x: the bare app's CPU per "
        "request over the emulator's"
    )
    print()
    start = report.get("startup")
    if start:
        print(
            f"start-up, default scenario: emulator {start['emulator_ms']:.0f} ms, bare app {start['bare_ms']:.0f} ms "
            f"({start['ratio']:.2f} x bare; first start, filling the baseline cache: "
            f"{start['emulator_first_ms']:.0f} ms)"
        )
    for name, setup in report["setups"].items():
        cold = (
            f" (first start, filling the baseline cache: {setup['cold_ready_s']:.2f} s)"
            if "cold_ready_s" in setup
            else ""
        )
        print(f"set-up {name:<12} ready in {setup['ready_s']:.2f} s{cold}, RSS {setup['rss_mib']:.0f} MiB at start")
    if "per_user_kib" in report:
        print(f"memory per stored user: {report['per_user_kib']:.2f} KiB (users-100k minus default, / 100,000)")
    if "per_organization_kib" in report:
        print(
            f"memory per created organization: {report['per_organization_kib']:.2f} KiB (RSS growth over "
            f"the POST100 run)"
        )
    for name, timing in report.get("state_operations", {}).items():
        print(
            f"{name.replace('_', ' '):<32} median {timing['median_ms']:7.3f} ms   p99 {timing['p99_ms']:7.3f} ms"
            f"   (over HTTP, 50,000 users)"
        )
    if "first_write_in_process" in report:
        local = report["first_write_in_process"]
        print(
            f"{'first write after reset':<32} median {local['first_write_median_ms']:7.3f} ms   p99 "
            f"{local['first_write_p99_ms']:7.3f} ms   (in process, {local['users']:,} users)"
        )
    print(
        f"GC pause max over all workloads: {report['gc_max_pause_ms']:.1f} ms wall clock, "
        f"{report['gc_max_pause_cpu_ms']:.1f} ms CPU (GC max column: wall/CPU; wall includes time the "
        f"process waited for a core)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10, help="per row (default 10)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--quick", action="store_true", help="2 s rows, fewer rounds: for iterating")
    parser.add_argument("--only", help="comma-separated parts of workload names; skips the state operations")
    parser.add_argument("--no-state", action="store_true", help="skip start-up and state operations")
    parser.add_argument("--json", default="bench-results.json", help="where to write the results")
    parser.add_argument("--no-suites", action="store_true", help="skip the per-test cost of generated pytest suites")
    arguments = parser.parse_args()
    if shutil.which("wrk") is None:
        print("bench: needs wrk (Debian: apt-get install wrk)", file=sys.stderr)
        return 2
    seconds = 2 if arguments.quick else arguments.seconds
    rounds = 50 if arguments.quick else 300
    selected = [
        w
        for w in WORKLOADS
        if not arguments.only or any(part.strip().lower() in w.name.lower() for part in arguments.only.split(","))
    ]
    with_state = not arguments.only and not arguments.no_state
    from emulator.serving.eventloop import loop_name

    event_loop = f"{loop_name()} (the bare app: asyncio)"
    report: dict = {
        "command": "python -m bench " + " ".join(sys.argv[1:]),
        "cores": os.cpu_count(),
        "connections": arguments.connections,
        "seconds": seconds,
        "event_loop": event_loop,
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "workloads": [],
        "setups": {},
    }
    with tempfile.TemporaryDirectory(prefix="bench-") as temporary:
        directory = Path(temporary)
        if with_state:
            report["startup"] = startup(directory, 3 if arguments.quick else 5)
        bare = Server("bare", [], "/hello", directory)
        try:
            run_wrk(bare, "/hello", 1, arguments.connections)  # warm-up
            groups: dict[tuple, list[Workload]] = {}
            for workload in selected:
                groups.setdefault((workload.setup, workload.args), []).append(workload)
            if with_state:
                groups.setdefault(("users-50k", ()), [])
                groups.setdefault(("users-100k", ()), [])
            for (setup_name, extra), workloads in groups.items():
                setup = SETUPS[setup_name]
                emulator = Server(
                    "emulator", emulator_arguments(setup, extra, directory), "/__emulator/health", directory
                )
                label = setup_name + ("".join(" " + a for a in extra))
                report["setups"][label] = {"ready_s": emulator.ready_s, "rss_mib": emulator.rss_mib()}
                if with_state and setup_name == "users-100k":  # the second start reads the baseline cache
                    emulator.stop()
                    emulator = Server(
                        "emulator", emulator_arguments(setup, extra, directory), "/__emulator/health", directory
                    )
                    report["setups"][label].update(
                        cold_ready_s=report["setups"][label]["ready_s"],
                        ready_s=emulator.ready_s,
                        rss_mib=emulator.rss_mib(),
                    )
                print(f"bench: {label} ready in {emulator.ready_s:.2f} s", file=sys.stderr)
                try:
                    headers = {"Authorization": AUTH}
                    if any(w.auth == "dfs" for w in workloads):
                        control = Control(emulator)
                        headers_dfs = {
                            "Authorization": "Bearer "
                            + control.json("POST", "/__emulator/dfs/token", setup.dfs_token)["access_token"]
                        }
                        control.close()
                    for workload in workloads:
                        row_headers = dict(headers_dfs if workload.auth == "dfs" else headers)
                        if workload.content_type:
                            row_headers["Content-Type"] = workload.content_type
                        row_seconds = seconds * workload.slices if arguments.quick else (workload.seconds or seconds)
                        print(f"bench: {workload.name} ({row_seconds:.0f} s)", file=sys.stderr)
                        row = run_workload(
                            workload,
                            emulator,
                            bare,
                            row_seconds,
                            workload.connections or arguments.connections,
                            row_headers,
                        )
                        report["workloads"].append(row)
                        if workload.name.startswith("POST100") and row["requests"]:
                            report["per_organization_kib"] = row["rss_growth_mib"] * 1024 / row["requests"]
                    if with_state and setup_name == "users-50k":
                        report["state_operations"] = state_operations(emulator, rounds)
                finally:
                    emulator.stop()
        finally:
            bare.stop()
    if with_state and not arguments.no_suites:
        from .suites import measure as measure_suites

        print("bench: generated pytest suites (per-test cost)", file=sys.stderr)
        report["suites"] = measure_suites(100 if arguments.quick else 300, 1 if arguments.quick else 3)
    if with_state:
        report["first_write_in_process"] = first_write_in_process(200 if arguments.quick else 1000)
        if "users-100k" in report["setups"] and "default" in report["setups"]:
            report["per_user_kib"] = (
                (report["setups"]["users-100k"]["rss_mib"] - report["setups"]["default"]["rss_mib"]) * 1024 / 100_000
            )
    pauses = [row["gc_max_pause_ms"] for row in report["workloads"] if row["gc_max_pause_ms"] is not None]
    report["gc_max_pause_ms"] = max(pauses, default=0.0)
    report["gc_max_pause_cpu_ms"] = max((row["gc_max_pause_cpu_ms"] or 0.0 for row in report["workloads"]), default=0.0)
    print_report(report)
    if "suites" in report:
        from .suites import print_suites

        print_suites(report["suites"])
    Path(arguments.json).write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"results written to {arguments.json}")
    bad = [
        row["name"]
        for row in report["workloads"]
        if row["non2xx"] or row["socket_errors"] or row.get("unexpected_status")
    ]
    if bad:
        print(f"bench: unexpected answers or socket errors in: {', '.join(bad)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
