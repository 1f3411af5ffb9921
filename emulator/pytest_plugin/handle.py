"""Moved to emulator.testing.handle (usable without pytest); kept so imports of this path still work."""

from ..testing.handle import (  # noqa: F401
    CONTROL,
    Clock,
    EmulatorCallError,
    EmulatorHandle,
    FaultHandle,
    UnknownScenarioKey,
    fault_document,
    scenario_body,
)
