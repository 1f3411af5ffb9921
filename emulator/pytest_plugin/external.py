"""``--emulator-url``: the tests talk to an emulator running elsewhere (a sidecar).

No server is started; each test gets its own namespace (``X-Emulator-Namespace``,
in ``handle.headers``) on the external emulator, deleted after the test. The
handle's helpers only use the control API over HTTP, so they behave the same as
in-process.
"""

from __future__ import annotations

import itertools
import os
import uuid
from pathlib import Path

import pytest

from ..scenarios import Baseline
from .handle import EmulatorCallError, EmulatorHandle
from .options import configured_scenarios, control_token

_names = itertools.count(1)


def test_namespace() -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return f"pytest-{worker}-{next(_names)}-{uuid.uuid4().hex[:8]}"


test_namespace.__test__ = False  # a helper, not a test


def external_handle(url: str, request: pytest.FixtureRequest, baseline: Baseline,
                    search: list[Path]) -> EmulatorHandle:
    return EmulatorHandle(url, namespace=test_namespace(), baseline=baseline,
                          token=control_token(request.config), search=search)


async def prepare_namespace(handle: EmulatorHandle, request: pytest.FixtureRequest) -> None:
    """The configured scenarios (replacing what the namespace starts with) and a DFS token."""
    for index, path in enumerate(configured_scenarios(request.config)):
        await handle.load_scenario(path, replace=index == 0)
    try:
        handle._dfs_token = await handle.mint_dfs_token()
    except EmulatorCallError:
        handle._dfs_token = None  # no DFS (or no default tenant) on that emulator


async def drop_namespace(handle: EmulatorHandle) -> None:
    await handle._control.call("DELETE", f"/namespaces/{handle.namespace}", ok=(200, 404))
