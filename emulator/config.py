"""How an emulator is configured: command line, environment, or code (tests)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .builtin_scenarios import BUILTIN_DIRECTORY

DEFAULT_SCENARIO = BUILTIN_DIRECTORY / "default.yaml"  # the built-in "default" (package data)
# Where names such as "bulk-50k" are looked up first (EMULATOR_SCENARIO_DIR); the
# built-ins are always found after it.
PROJECT_SCENARIOS = BUILTIN_DIRECTORY

# EMULATOR_<NAME> environment variables read as numbers
_NUMERIC = {"journal_limit": int, "journal_body_bytes": int, "fault_max_hold_seconds": float,
            "max_namespaces": int, "fault_seed": int}


def _number(environ, variable: str, kind: type) -> int | float:
    text = environ[variable]
    try:
        return kind(text.strip())
    except ValueError:
        expected = "an integer" if kind is int else "a number"
        raise ValueError(f"{variable}={text!r}: must be {expected} (unset it to use the default)") from None


@dataclass(frozen=True)
class EmulatorConfig:
    host: str = "127.0.0.1"
    port: int = 8080
    scenarios: tuple[Path, ...] = field(default_factory=lambda: (DEFAULT_SCENARIO,))
    # Bodies above this get the API's own error document (413), never a partial read.
    max_body_bytes: int = 1024 * 1024
    # Where scenario names ("bulk-50k") are looked up before the built-ins
    # (--scenario, EMULATOR_SCENARIOS, POST /__emulator/scenarios {"name": ...}).
    scenario_dir: Path = PROJECT_SCENARIOS
    # Requests kept per namespace in the journal (0: no journal); older ones are evicted.
    journal_limit: int = 1000
    # Request and response bodies are kept up to this many bytes in the journal.
    journal_body_bytes: int = 4096
    # Longest a delay or timeout fault holds a request (a shared sidecar must not hang).
    fault_max_hold_seconds: float = 30.0
    # Seeds the random source of faults posted without their own seed.
    fault_seed: int | None = None
    max_namespaces: int = 1000
    # When set, control endpoints other than health need "Authorization: Bearer <token>".
    control_token: str | None = None

    @classmethod
    def from_environment(cls, environ: dict[str, str] | None = None, **overrides) -> "EmulatorConfig":
        """EMULATOR_HOST, EMULATOR_PORT, EMULATOR_SCENARIOS (separated by the OS path
        separator or commas), EMULATOR_CONTROL_TOKEN, EMULATOR_JOURNAL_LIMIT, ...;
        explicit overrides (command-line values) win."""
        environ = os.environ if environ is None else environ
        values: dict = {}
        if environ.get("EMULATOR_HOST"):
            values["host"] = environ["EMULATOR_HOST"]
        if environ.get("EMULATOR_PORT"):
            values["port"] = _number(environ, "EMULATOR_PORT", int)
        if environ.get("EMULATOR_SCENARIOS"):
            parts = environ["EMULATOR_SCENARIOS"].replace(os.pathsep, ",").split(",")
            values["scenarios"] = tuple(Path(part.strip()) for part in parts if part.strip())
        if environ.get("EMULATOR_SCENARIO_DIR"):
            values["scenario_dir"] = Path(environ["EMULATOR_SCENARIO_DIR"])
        if environ.get("EMULATOR_CONTROL_TOKEN"):
            values["control_token"] = environ["EMULATOR_CONTROL_TOKEN"]
        for name, kind in _NUMERIC.items():
            if environ.get(f"EMULATOR_{name.upper()}"):
                values[name] = _number(environ, f"EMULATOR_{name.upper()}", kind)
        values.update({key: value for key, value in overrides.items() if value is not None})
        if "scenarios" in values:
            values["scenarios"] = tuple(Path(p) for p in values["scenarios"])
        return cls(**values)
