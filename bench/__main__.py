"""``make bench``: throughput, latency and memory of real emulator operations,
measured with wrk next to a bare aiohttp app on the same machine and settings.

    python -m bench [--seconds 10] [--connections 32] [--bulk] [--only GET105,...]

``--bulk`` loads the built-in bulk-50k scenario on top of the default scenario, so the
numbers show whether per-request work depends on the store's size.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AUTH = "Basic " + base64.b64encode(b"restuser:secret").decode()
BASE = "/customerid-rest/services/2.1"
MAIJA = "aaaaaaaa-0000-4000-8000-000000000001"
MATTI = "aaaaaaaa-0000-4000-8000-000000000002"
ACME = "11111111-1111-4111-8111-111111111111"
ACME_SUPPORT_USERS = f"/organizations/{ACME}/users"
ADMIN_IDENTITY = "01000000-0000-0000-0000-000000000000"  # DFS tenant admin in the default scenario

# (code, method, path, wrk body) - real operations on the default scenario's data
OPERATIONS = [
    ("GET105", "GET", f"{BASE}/users/{MAIJA}", None),
    ("GET107", "GET", f"{BASE}/organizations/{ACME}", None),
    ("GET111", "GET", f"{BASE}/mandates/bbbbbbbb-0000-4000-8000-000000000001", None),
    ("GET104", "GET", f"{BASE}/users?login=maija.virt&exactMatch=false", None),  # prefix, one match
    ("GET113", "GET", f"{BASE}{ACME_SUPPORT_USERS}?department=Management", None),
    ("GET117", "GET", f"{BASE}/users/{MATTI}/roles", None),
    ("PUT103", "PUT", f"{BASE}/users/{MATTI}?mobile=%2B358401111111&department=Sales", None),
    ("PATCH124", "PATCH", f"{BASE}/users/{MATTI}", "firstname=Matti"),
    # DFS: JSON bodies, a Bearer token minted at start
    ("get /v1.0/identities/{id}", "GET", f"/v1.0/identities/{ADMIN_IDENTITY}", None),
    ("post /v1.0/identities/search", "POST", "/v1.0/identities/search", '{\\"Page\\":1,\\"PageSize\\":10}'),
    ("patch /v1.3/identities/{id}", "PATCH", f"/v1.3/identities/{ADMIN_IDENTITY}",
     '{\\"Description\\":\\"bench\\",\\"UpdateProperties\\":[\\"Description\\"]}'),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"bench: {url} did not come up")


def mint_dfs_token(base_url: str) -> str:
    request = urllib.request.Request(base_url + "/__emulator/dfs/token", data=b"{}", method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.load(response)["access_token"]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def wrk_script(method: str, body: str | None, authorization: str) -> str:
    lines = [f'wrk.method = "{method}"', f'wrk.headers["Authorization"] = "{authorization}"']
    if body is not None:
        content_type = "application/json" if body.startswith("{") else "application/x-www-form-urlencoded"
        lines.append(f'wrk.headers["Content-Type"] = "{content_type}"')
        lines.append(f'wrk.body = "{body}"')
    lines.append("""
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %.1f %.1f %.1f\\n", summary.requests, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration, latency:percentile(50), latency:percentile(99), latency.max))
end""")
    return "\n".join(lines)


def run_wrk(url: str, method: str, body: str | None, seconds: int, connections: int,
            authorization: str = AUTH) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(wrk_script(method, body, authorization))
    try:
        output = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", script.name, url],
                                capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    requests, status_errors, socket_errors, duration_us, p50, p99, worst = \
        re.search(r"RESULT (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) (\S+)", output).groups()
    return {"rps": int(requests) / (int(duration_us) / 1e6), "non2xx": int(status_errors),
            "socket_errors": int(socket_errors), "p50_ms": float(p50) / 1000, "p99_ms": float(p99) / 1000,
            "max_ms": float(worst) / 1000}


def start(command: list[str], health_url: str) -> subprocess.Popen:
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_until_up(health_url)
    return process


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--bulk", action="store_true", help="add the built-in bulk-50k scenario (50,000 users)")
    parser.add_argument("--only", help="comma-separated operation codes")
    arguments = parser.parse_args()
    if shutil.which("wrk") is None:
        print("bench: needs wrk (Debian: apt-get install wrk)", file=sys.stderr)
        return 2

    port = free_port()
    bare = start([sys.executable, "bench/bare.py", str(port)], f"http://127.0.0.1:{port}/hello")
    try:
        run_wrk(f"http://127.0.0.1:{port}/hello", "GET", None, 2, arguments.connections)  # warm-up
        baseline = run_wrk(f"http://127.0.0.1:{port}/hello", "GET", None, arguments.seconds, arguments.connections)
    finally:
        stop(bare)

    port = free_port()
    scenarios = ["--scenario", "default"]  # built-in scenario names
    if arguments.bulk:
        scenarios += ["--scenario", "bulk-50k"]
    emulator = start([sys.executable, "-m", "emulator", "--quiet", "--port", str(port), *scenarios],
                     f"http://127.0.0.1:{port}/__emulator/health")
    rows = []
    try:
        rss_start = rss_mib(emulator.pid)
        dfs_authorization = "Bearer " + mint_dfs_token(f"http://127.0.0.1:{port}")
        selected = arguments.only.split(",") if arguments.only else None
        for code, method, path, body in OPERATIONS:
            if selected and code not in selected:
                continue
            url = f"http://127.0.0.1:{port}{path}"
            authorization = dfs_authorization if path.startswith("/v") else AUTH
            run_wrk(url, method, body, 1, arguments.connections, authorization)  # warm-up
            rows.append((code, method, run_wrk(url, method, body, arguments.seconds, arguments.connections,
                                               authorization)))
        rss_end = rss_mib(emulator.pid)
    finally:
        stop(emulator)

    print(f"wrk -t1 -c{arguments.connections} -d{arguments.seconds}s on {os.cpu_count()} cores"
          f"{' with 50,000 extra users' if arguments.bulk else ''}")
    print(f"{'operation':<32}{'req/s':>10}{'x bare':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'non-2xx':>9}")
    print(f"{'bare GET':<32}{baseline['rps']:>10.0f}{1:>8.2f}{baseline['p50_ms']:>9.2f}{baseline['p99_ms']:>9.2f}"
          f"{baseline['max_ms']:>9.2f}{baseline['non2xx']:>9}")
    for code, method, result in rows:
        label = code if code[0].islower() else f"{code} {method}"  # DFS codes name their method
        print(f"{label:<32}{result['rps']:>10.0f}{result['rps'] / baseline['rps']:>8.2f}"
              f"{result['p50_ms']:>9.2f}{result['p99_ms']:>9.2f}{result['max_ms']:>9.2f}{result['non2xx']:>9}")
    print(f"emulator RSS: {rss_start:.1f} MiB at start, {rss_end:.1f} MiB after the run")
    failed = [code for code, _, result in rows if result["non2xx"] or result["socket_errors"]]
    if failed:
        print(f"bench: non-2xx answers or socket errors in {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
