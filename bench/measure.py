"""The bench's instruments: servers started under bench.probe, wrk runs with a
per-run Lua script, server CPU and RSS from /proc, control calls over one
keep-alive connection."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class Server:
    """A server process under bench.probe, with its GC probe file."""

    def __init__(self, kind: str, arguments: list[str], health_path: str, directory: Path) -> None:
        """Emulators keep their baseline cache (emulator/baselinecache.py) in
        ``directory``: empty at the start of a bench run, so each set-up's first
        start loads from the scenarios and a second one may read the cache."""
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.gc_file = directory / f"gc-{kind}-{self.port}.json"
        self._gc_sequence = 0
        command = [sys.executable, "-m", "bench.probe", kind]
        command += [str(self.port)] if kind == "bare" else ["--quiet", "--port", str(self.port), *arguments]
        environment = {
            **os.environ,
            "BENCH_GC_FILE": str(self.gc_file),
            "EMULATOR_CACHE_DIR": str(directory / "baseline-cache"),
        }
        started = time.perf_counter()
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        self.ready_s = self._wait(self.base + health_path, started)

    def _wait(self, url: str, started: float) -> float:
        while True:
            try:
                with urllib.request.urlopen(url, timeout=1):
                    return time.perf_counter() - started
            except OSError:
                if self.process.poll() is not None:
                    raise SystemExit(f"bench: server exited: {self.process.stderr.read().decode()[-2000:]}") from None
                if time.perf_counter() - started > 300:
                    raise SystemExit(f"bench: {url} did not come up") from None
                time.sleep(0.005)

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime

    def rss_mib(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def gc_report(self) -> dict:
        """GC pauses since the previous call (the probe answers SIGUSR1)."""
        self._gc_sequence += 1
        self.process.send_signal(signal.SIGUSR1)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                report = json.loads(self.gc_file.read_text())
                if report["sequence"] == self._gc_sequence:
                    return report
            except (OSError, ValueError):
                pass
            time.sleep(0.01)
        return {"max_pause_ms": None, "collections": None}

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def lua_script(
    method: str, path: str, headers: dict[str, str], body: str | None, unique_body: str | None, run_tag: str
) -> str:
    """``{n}`` in ``unique_body`` or in ``path`` becomes a number unique to the request."""

    def quoted(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [f"wrk.method = {quoted(method)}"]
    lines += [f"wrk.headers[{quoted(name)}] = {quoted(value)}" for name, value in headers.items()]
    if body is not None:
        lines.append(f"wrk.body = {quoted(body)}")
    if unique_body is not None or "{n}" in path:
        lines.append(f"""
counter = 0
body_template = {quoted(unique_body) if unique_body is not None else "nil"}
path_template = {quoted(path)}
request = function()
  counter = counter + 1
  local unique = "{run_tag}x" .. counter
  local body = body_template and body_template:gsub("{{n}}", unique) or nil
  local path = path_template:gsub("{{n}}", unique)
  return wrk.format(nil, path, nil, body)
end""")
    lines.append("""
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %.1f %.1f %.1f\\n", summary.requests, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration, latency:percentile(50), latency:percentile(99), latency.max))
end""")
    return "\n".join(lines)


def run_wrk(
    server: Server,
    path: str,
    seconds: float,
    connections: int,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: str | None = None,
    unique_body: str | None = None,
    run_tag: str = "r",
) -> dict:
    """One wrk run; also the server's CPU seconds over it."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua_script(method, path, headers or {}, body, unique_body, run_tag))
    cpu_before = server.cpu_seconds()
    try:
        output = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{max(1, round(seconds))}s",
                "--timeout",
                "10s",
                "-s",
                script.name,
                server.base + path,
            ],
            capture_output=True,
            text=True,
        ).stdout
    finally:
        os.unlink(script.name)
    cpu = server.cpu_seconds() - cpu_before
    found = re.search(r"RESULT (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) (\S+)", output)
    if found is None:
        raise SystemExit(f"bench: wrk failed on {method} {path}: {output[-1000:]}")
    requests, status_errors, socket_errors, duration_us, p50, p99, worst = found.groups()
    requests = int(requests)
    return {
        "requests": requests,
        "rps": requests / (int(duration_us) / 1e6),
        "non2xx": int(status_errors),
        "socket_errors": int(socket_errors),
        "p50_ms": float(p50) / 1000,
        "p99_ms": float(p99) / 1000,
        "max_ms": float(worst) / 1000,
        "cpu_us_per_request": cpu * 1e6 / requests if requests else None,
    }


class Control:
    """Control-API and single requests over one keep-alive connection, timed."""

    def __init__(self, server: Server) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)

    def call(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes, float]:
        started = time.perf_counter()
        self.connection.request(method, path, body=body, headers=headers or {})
        response = self.connection.getresponse()
        data = response.read()
        return response.status, data, time.perf_counter() - started

    def json(self, method: str, path: str, document: dict | None = None) -> dict:
        body = json.dumps(document).encode() if document is not None else None
        status, data, _ = self.call(method, path, body, {"Content-Type": "application/json"} if body else None)
        if status >= 300:
            raise SystemExit(f"bench: {method} {path} answered {status}: {data[:500]!r}")
        return json.loads(data) if data else {}

    def timed(
        self,
        rounds: int,
        method: str,
        path,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        before=None,
        after=None,
    ) -> dict:
        """``path`` may be a function of the round number; ``before``/``after`` run untimed."""
        samples = []
        for number in range(rounds):
            if before is not None:
                before(number)
            status, data, seconds = self.call(method, path(number) if callable(path) else path, body, headers)
            if status >= 300:
                raise SystemExit(f"bench: {method} {path} answered {status}: {data[:500]!r}")
            samples.append(seconds)
            if after is not None:
                after(number)
        return {"median_ms": statistics.median(samples) * 1000, "p99_ms": percentile(samples, 0.99) * 1000}

    def close(self) -> None:
        self.connection.close()
