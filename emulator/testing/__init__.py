"""The emulator as a test dependency, with or without pytest.

- ``running()`` / ``running_async()`` (embedded.py): the emulator in-process as a
  context manager, for unittest, scripts and notebooks (docs/embedding.md).
- ``EmulatorHandle`` (handle.py) and ``SyncEmulatorHandle`` (sync_handle.py): what
  a test holds: URLs, ready auth (tokens.py), the control API as helpers. The
  pytest plugin's fixtures give the same handles.

Nothing here imports pytest.

May import: ``emulator.app`` and everything below it (beside ``emulator.drift``); the
pytest plugin builds on this package, never the other way round.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["EmulatorCallError", "EmulatorHandle", "SyncEmulatorHandle", "running", "running_async"]

_WHERE = {
    "running": "embedded",
    "running_async": "embedded",
    "EmulatorHandle": "handle",
    "EmulatorCallError": "handle",
    "SyncEmulatorHandle": "sync_handle",
}


def __getattr__(name: str) -> Any:
    """Imported when asked for: ``import emulator.testing`` stays light."""
    if name in _WHERE:
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
