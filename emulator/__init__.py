"""A stateful emulator of the Ubisecure CustomerID REST API (and, in time, the DFS
Admin Services API) for contract testing."""

__version__ = "0.1.0"

from .app import create_app  # noqa: E402
from .config import EmulatorConfig  # noqa: E402

__all__ = ["EmulatorConfig", "create_app", "__version__"]
