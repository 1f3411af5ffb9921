"""How an emulator is configured: command line, environment, or code (tests)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
DEFAULT_SCENARIO = PROJECT_SCENARIOS / "default.yaml"


@dataclass(frozen=True)
class EmulatorConfig:
    host: str = "127.0.0.1"
    port: int = 8080
    scenarios: tuple[Path, ...] = field(default_factory=lambda: (DEFAULT_SCENARIO,))
    # Bodies above this get the API's own error document (413), never a partial read.
    max_body_bytes: int = 1024 * 1024
    access_log: bool = False

    @classmethod
    def from_environment(cls, environ: dict[str, str] | None = None, **overrides) -> "EmulatorConfig":
        """EMULATOR_HOST, EMULATOR_PORT, EMULATOR_SCENARIOS (separated by the OS path
        separator or commas); explicit overrides (command-line values) win."""
        environ = os.environ if environ is None else environ
        values: dict = {}
        if environ.get("EMULATOR_HOST"):
            values["host"] = environ["EMULATOR_HOST"]
        if environ.get("EMULATOR_PORT"):
            values["port"] = int(environ["EMULATOR_PORT"])
        if environ.get("EMULATOR_SCENARIOS"):
            parts = environ["EMULATOR_SCENARIOS"].replace(os.pathsep, ",").split(",")
            values["scenarios"] = tuple(Path(part.strip()) for part in parts if part.strip())
        values.update({key: value for key, value in overrides.items() if value is not None})
        if "scenarios" in values:
            values["scenarios"] = tuple(Path(p) for p in values["scenarios"])
        return cls(**values)
