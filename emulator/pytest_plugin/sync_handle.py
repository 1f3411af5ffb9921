"""Moved to emulator.testing.sync_handle (usable without pytest); kept so imports of this path still work."""

from ..testing.sync_handle import SyncClock, SyncEmulatorHandle, SyncFault  # noqa: F401
