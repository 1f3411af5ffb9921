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
# --contract: what happens when an answer breaks the API's published contract (docs/contract.md)
CONTRACT_MODES = ("off", "warn", "strict")

NUMERIC = {
    "journal_limit": int,
    "journal_body_bytes": int,
    "fault_max_hold_seconds": float,
    "max_namespaces": int,
    "fault_seed": int,
    "namespace_idle_seconds": float,
    "namespace_expire_seconds": float,
    "memory_budget_bytes": int,
    "max_snapshots": int,
    "max_faults": int,
    "connection_idle_seconds": float,
    "body_read_seconds": float,
    "max_body_bytes": int,
}
# The limits docs/limits.md lists: command-line --NAME-WITH-DASHES, env EMULATOR_NAME.
LIMITS = (
    "max_body_bytes",
    "max_namespaces",
    "namespace_idle_seconds",
    "namespace_expire_seconds",
    "memory_budget_bytes",
    "max_snapshots",
    "max_faults",
    "connection_idle_seconds",
    "body_read_seconds",
    "journal_body_bytes",
    "fault_max_hold_seconds",
)


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
    # Namespaces alive at once, the default one included (docs/limits.md: who may create
    # them, and which are evicted to make room).
    max_namespaces: int = 1000
    # A namespace unused this long may be evicted (least recently used first) to make
    # room for a new one; unused this long it is dropped.
    namespace_idle_seconds: float = 5.0
    namespace_expire_seconds: float = 3600.0
    # One budget for what clients make the process hold: journal entries (bodies plus
    # a fixed overhead) across all namespaces, snapshots and faults.
    memory_budget_bytes: int = 512 * 1024 * 1024
    max_snapshots: int = 100  # per namespace
    max_faults: int = 100  # per namespace
    # An open connection with no request in progress (or one whose request head is
    # still arriving) is closed after this long; a request body must arrive within
    # body_read_seconds.
    connection_idle_seconds: float = 75.0
    body_read_seconds: float = 30.0
    # When set, control endpoints other than health need "Authorization: Bearer <token>".
    control_token: str | None = None
    # Browser origins allowed to call both APIs and the control API (CORS); empty: CORS off.
    cors_origins: tuple[str, ...] = ()
    # Validate every emulated-API answer against the XSDs / OpenAPI schemas: off, warn, strict.
    contract: str = "off"

    def __post_init__(self) -> None:
        if self.contract not in CONTRACT_MODES:
            raise ValueError(f"contract={self.contract!r}: one of {', '.join(CONTRACT_MODES)}")

    @classmethod
    def from_environment(cls, environ: dict[str, str] | None = None, **overrides) -> EmulatorConfig:
        """EMULATOR_HOST, EMULATOR_PORT, EMULATOR_SCENARIOS (separated by the OS path
        separator or commas), EMULATOR_CONTROL_TOKEN, EMULATOR_CORS, EMULATOR_JOURNAL_LIMIT,
        EMULATOR_CONTRACT, ...;
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
        if environ.get("EMULATOR_CORS"):
            from .server.cors import parse_origins  # imports aiohttp: the command line imports this module first

            values["cors_origins"] = parse_origins(environ["EMULATOR_CORS"])
        if environ.get("EMULATOR_CONTROL_TOKEN"):
            values["control_token"] = environ["EMULATOR_CONTROL_TOKEN"]
        if environ.get("EMULATOR_CONTRACT"):
            values["contract"] = environ["EMULATOR_CONTRACT"].strip().lower()
        for name, kind in NUMERIC.items():
            if environ.get(f"EMULATOR_{name.upper()}"):
                values[name] = _number(environ, f"EMULATOR_{name.upper()}", kind)
        values.update({key: value for key, value in overrides.items() if value is not None})
        if "scenarios" in values:
            values["scenarios"] = tuple(Path(p) for p in values["scenarios"])
        return cls(**values)
