"""Command-line emulators started by tests: output read line by line, health, SIGTERM."""

import json
import os
import queue
import shlex
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


class Server:
    """A command-line emulator; its output is read line by line in a thread."""

    def __init__(self, command: list[str], port: int, env: dict | None = None) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        environment = {key: value for key, value in os.environ.items() if not key.startswith("EMULATOR_")}
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**environment, **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def wait_for(self, predicate, seconds: float = 20.0) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                continue
            if line is None:
                raise AssertionError("emulator exited:\n" + "\n".join(self.seen))
            self.seen.append(line)
            if predicate(line):
                return line
        raise AssertionError("not printed in time:\n" + "\n".join(self.seen))

    def health(self) -> dict:
        with urllib.request.urlopen(self.url + "/__emulator/health", timeout=5) as response:
            return json.load(response)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        return self.process.wait()


def make_run_command(port: int) -> list[str]:
    """The command `make run PORT=...` runs (its last recipe line, from make -n)."""
    result = subprocess.run(["make", "-n", "run", f"PORT={port}"], cwd=ROOT, capture_output=True, text=True, check=True)
    line = [line for line in result.stdout.splitlines() if " -m emulator " in line][-1]
    command = shlex.split(line)
    assert command[0].endswith("/python")
    return [sys.executable, *command[1:]]
