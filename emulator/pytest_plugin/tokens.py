"""Moved to emulator.testing.tokens (usable without pytest); kept so imports of this path still work."""

from ..testing.tokens import TokenHelpers  # noqa: F401
