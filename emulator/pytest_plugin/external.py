"""``--emulator-url``: the tests talk to an emulator running elsewhere (a sidecar).

No server is started and no scenario file is read here: the sidecar's loaded
scenarios are the starting state. Each test gets its own namespace
(``X-Emulator-Namespace``, in ``handle.headers``) on the sidecar, forked from its
baseline and deleted after the test; credentials, scenario keys (``id_of``) and
DFS tokens come from the sidecar's control API, so the same test passes
in-process and against a sidecar. Scenarios configured with
``--emulator-scenario`` / ``emulator_scenarios`` replace that starting state (a
built-in name is loaded by the sidecar, a file is sent to it).
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import queue
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from ..testing.handle import CONTROL, EmulatorCallError, EmulatorHandle
from .options import control_token, scenario_entries

_names = itertools.count(1)


def namespace_name() -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return f"pytest-{worker}-{next(_names)}-{uuid.uuid4().hex[:8]}"


def check_reachable(url: str, token: str | None, timeout: float = 5.0) -> None:
    """One clear line before any test runs, instead of a traceback per test."""
    request = urllib.request.Request(
        url + CONTROL + "/health", headers={"Authorization": f"Bearer {token}"} if token else {}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            health = json.load(response)
    except (OSError, ValueError) as error:
        reason = getattr(error, "reason", None) or error
        raise pytest.UsageError(
            f"--emulator-url {url}: no emulator answers there ({reason}); start it "
            f"(`emulator --port PORT`, or the Docker image) or fix the URL "
            f"(--emulator-url, ini emulator_url, env EMULATOR_URL)"
        ) from None
    if not isinstance(health, dict) or health.get("status") != "ok":
        raise pytest.UsageError(
            f"--emulator-url {url}: {CONTROL}/health answered {health!r}, not an emulator that is ready"
        )


def external_handle(url: str, request: pytest.FixtureRequest, search: list[Path]) -> EmulatorHandle:
    return EmulatorHandle(url, namespace=namespace_name(), token=control_token(request.config), search=search)


# What every namespace forked from the sidecar's baseline shares, fetched by the
# first test and reused by the rest: (control URL, scenarios) -> (credentials, DFS
# token, when it was minted). A test that changes its namespace's credentials or
# revokes its token changes only its own world.
_shared: dict[tuple, tuple[tuple[str, str] | None, str | None, float]] = {}
DFS_TOKEN_REUSE_SECONDS = 300.0  # well inside a token's lifetime (default 1 h) on the sidecar's clock


async def prepare_namespace(handle: EmulatorHandle, request: pytest.FixtureRequest) -> None:
    """The configured scenarios (replacing the sidecar's), then what the test's
    helpers need from the sidecar: CustomerID credentials and a DFS token. With no
    scenarios configured and no control token, this costs no request after the
    first test: the namespace is made by the test's first request that names it."""
    root = Path(str(request.config.rootpath))
    entries = scenario_entries(request.config)
    for index, entry in enumerate(entries):
        given = Path(entry) if Path(entry).is_absolute() else root / entry
        await handle.load_scenario(given if given.is_file() else entry, replace=index == 0)
    if not entries and control_token(request.config):
        await handle.control("POST", "/reset")  # with a token, only a control request makes a namespace
    key = (handle.url, tuple(entries))
    known = _shared.get(key)
    if known is None or time.monotonic() - known[2] > DFS_TOKEN_REUSE_SECONDS:
        known = _shared[key] = (await _credentials(handle), await _dfs_token(handle), time.monotonic())
    credentials, handle._dfs_token, _ = known
    if credentials is not None:
        handle.use_credentials(*credentials)


async def _credentials(handle: EmulatorHandle) -> tuple[str, str] | None:
    try:
        answer = await handle.control("GET", "/customerid/credentials")
    except EmulatorCallError:
        return None  # no CustomerID on that emulator
    if not answer["credentials"]:
        return None
    first = answer["credentials"][0]
    return first["username"], first["password"]


async def _dfs_token(handle: EmulatorHandle) -> str | None:
    try:
        return await handle.mint_dfs_token()
    except EmulatorCallError:
        return None  # no DFS (or no default tenant) on that emulator


class _NamespaceReaper:
    """Deletes finished tests' namespaces on the sidecar from a background thread,
    over one kept-alive connection: a test does not wait for its namespace to go,
    and the sidecar never holds more than the running tests' and a few behind."""

    def __init__(self) -> None:
        self.queue: queue.Queue = queue.Queue()
        self.thread: threading.Thread | None = None

    def drop(self, url: str, namespace: str, headers: dict[str, str]) -> None:
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="emulator-namespace-reaper", daemon=True)
            self.thread.start()
        self.queue.put((url, namespace, headers))

    def _run(self) -> None:
        connections: dict[str, http.client.HTTPConnection] = {}
        while True:
            url, namespace, headers = self.queue.get()
            try:
                self._delete(connections, url, namespace, headers)
            finally:
                self.queue.task_done()

    @staticmethod
    def _delete(connections: dict, url: str, namespace: str, headers: dict[str, str]) -> None:
        parts = urllib.parse.urlsplit(url)
        path = f"{parts.path.rstrip('/')}{CONTROL}/namespaces/{urllib.parse.quote(namespace, safe='')}"
        for _attempt in range(2):  # a kept-alive connection the server closed meanwhile: once more, anew
            connection = connections.get(url)
            if connection is None:
                kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
                connection = connections[url] = kind(parts.netloc, timeout=10)
            try:
                connection.request("DELETE", path, headers=headers)
                connection.getresponse().read()
                return
            except (OSError, http.client.HTTPException):
                connection.close()
                del connections[url]
        # Not deleted: the sidecar drops idle namespaces itself (namespace_idle_seconds)

    def flush(self, timeout: float = 10.0) -> None:
        """Wait (bounded) until every queued deletion was sent: the session's end."""
        deadline = time.monotonic() + timeout
        while self.queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.01)


_reaper = _NamespaceReaper()


def drop_namespace_later(handle: EmulatorHandle) -> None:
    _reaper.drop(handle.url, handle.namespace or "", dict(handle._control.headers))


def flush_namespace_drops() -> None:
    _reaper.flush()
