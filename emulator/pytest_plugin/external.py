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

import itertools
import json
import os
import urllib.error
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


async def prepare_namespace(handle: EmulatorHandle, request: pytest.FixtureRequest) -> None:
    """The configured scenarios (replacing the sidecar's), then what the test's
    helpers need from the sidecar: CustomerID credentials and a DFS token."""
    root = Path(str(request.config.rootpath))
    for index, entry in enumerate(scenario_entries(request.config)):
        given = Path(entry) if Path(entry).is_absolute() else root / entry
        await handle.load_scenario(given if given.is_file() else entry, replace=index == 0)
    try:
        answer = await handle.control("GET", "/customerid/credentials")
        if answer["credentials"]:
            first = answer["credentials"][0]
            handle.use_credentials(first["username"], first["password"])
    except EmulatorCallError:
        pass  # no CustomerID on that emulator
    try:
        handle._dfs_token = await handle.mint_dfs_token()
    except EmulatorCallError:
        handle._dfs_token = None  # no DFS (or no default tenant) on that emulator


async def drop_namespace(handle: EmulatorHandle) -> None:
    await handle._control.call("DELETE", f"/namespaces/{handle.namespace}", ok=(200, 404))
