"""identity-emulator: a stateful stand-in server for the Ubisecure CustomerID REST
API (1.0, 1.2, 2.0, 2.1) and the DFS Admin Services API, for contract testing.

- ``emulator`` / ``python -m emulator`` (emulator.cli): serve both APIs on built-in
  or your own scenarios; ``validate``, ``endpoints``, ``scenarios``, ``healthcheck``;
  contract drift with ``record``, ``compare``, ``scenario from-cassette`` (emulator.drift).
- ``create_app(EmulatorConfig(...))``: the aiohttp application, to embed.
- The pytest plugin (emulator.pytest_plugin, a ``pytest11`` entry point): the
  ``emulator``, ``emulator_sync`` and ``emulator_compare`` fixtures, in-process or against a sidecar
  (``pip install 'identity-emulator[pytest]'``).
- ``/__emulator/``: the control API (reset, scenarios, snapshots, faults, journal,
  clock, namespaces, scenario keys, records) and the dashboard.

``__version__`` here is the package's one version source (pyproject.toml reads it).
"""

__version__ = "0.1.0"

__all__ = ["EmulatorConfig", "create_app", "__version__"]


def __getattr__(name: str):
    """``from emulator import create_app`` without importing the server for every
    ``import emulator.<anything>`` (pytest loads the plugin in every run)."""
    if name == "create_app":
        from .app import create_app

        return create_app
    if name == "EmulatorConfig":
        from .config import EmulatorConfig

        return EmulatorConfig
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
