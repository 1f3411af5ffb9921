"""Moved to emulator.testing.codeflow (usable without pytest); kept so imports of this path still work."""

from ..testing.codeflow import CodeFlowHelpers, LoginFailed  # noqa: F401
