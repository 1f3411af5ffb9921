"""How an emulator is configured: command line, environment, or code (tests)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
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
# --cors / EMULATOR_CORS: "*" means any origin (emulator.server.cors applies the list)
ANY_ORIGIN = "*"
OPAQUE_ORIGIN = "null"  # sandboxed frames, file: and data: pages: any page can send it
_ORIGIN = re.compile(r"^[a-z][a-z0-9+.-]*://[^/?#\s]+$")

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


ANY_HOST = "*"
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})


def host_name(value: str) -> str:
    """A Host header (or a configured name) without its port: ``[::1]:8080`` -> ``[::1]``."""
    value = value.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        return value[: end + 1] if end > 0 else value
    return value.split(":", 1)[0].rstrip(".")


def parse_hosts(text: str) -> tuple[str, ...]:
    """``emulator,ci.example`` (or ``*``) -> host names, ports dropped."""
    names = (host_name(part) for part in text.split(","))
    return tuple(dict.fromkeys(name for name in names if name))


def is_loopback(host: str) -> bool:
    return host in ("localhost", "::1", "[::1]") or host.startswith("127.")


@dataclass(frozen=True)
class EmulatorConfig:
    host: str = "127.0.0.1"
    port: int = 8080
    # An HTTPS listener beside HTTP on this port (0: a free one); None: HTTP only.
    # Its certificate comes from the local CA in ca_dir (default: ca/ in the cache
    # directory); docs/oauth.md, "HTTPS".
    https_port: int | None = None
    ca_dir: Path | None = None
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
    # Host names (the Host header, any port) the control API answers to besides the
    # loopback names; "*": any. Empty: loopback names when listening on loopback,
    # any name otherwise (a sidecar reached as http://emulator:8080). docs/limits.md.
    allowed_hosts: tuple[str, ...] = ()
    # Browser origins allowed to call both APIs and the control API (CORS); empty: CORS off.
    cors_origins: tuple[str, ...] = ()
    # Validate every emulated-API answer against the XSDs / OpenAPI schemas: off, warn, strict.
    contract: str = "off"

    def __post_init__(self) -> None:
        if self.contract not in CONTRACT_MODES:
            raise ValueError(f"contract={self.contract!r}: one of {', '.join(CONTRACT_MODES)}")
        if self.control_token is not None and not self.control_token.strip():
            raise ValueError(
                "--control-token / EMULATOR_CONTROL_TOKEN is empty: an empty token would leave the control API "
                "open; give a token, or unset it for a control API without one"
            )

    @property
    def control_hosts(self) -> frozenset[str] | None:
        """The Host names the control API answers to; None: any (docs/limits.md)."""
        if ANY_HOST in self.allowed_hosts:
            return None
        if not self.allowed_hosts and not is_loopback(self.host):
            return None  # all interfaces or a named address: whatever name reaches it
        return LOOPBACK_HOSTS | frozenset(self.allowed_hosts)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None, **overrides) -> EmulatorConfig:
        """EMULATOR_HOST, EMULATOR_PORT, EMULATOR_HTTPS_PORT, EMULATOR_CA_DIR, EMULATOR_SCENARIOS
        (separated by the OS path separator or commas), EMULATOR_CONTROL_TOKEN, EMULATOR_CORS, EMULATOR_JOURNAL_LIMIT,
        EMULATOR_CONTRACT, EMULATOR_ALLOWED_HOSTS, ...;
        explicit overrides (command-line values) win."""
        if environ is None:
            environ = os.environ
        values: dict = {}
        if environ.get("EMULATOR_HOST"):
            values["host"] = environ["EMULATOR_HOST"]
        if environ.get("EMULATOR_PORT"):
            values["port"] = _number(environ, "EMULATOR_PORT", int)
        if environ.get("EMULATOR_HTTPS_PORT"):
            values["https_port"] = _number(environ, "EMULATOR_HTTPS_PORT", int)
        if environ.get("EMULATOR_CA_DIR"):
            values["ca_dir"] = Path(environ["EMULATOR_CA_DIR"].strip())
        if environ.get("EMULATOR_SCENARIOS"):
            parts = environ["EMULATOR_SCENARIOS"].replace(os.pathsep, ",").split(",")
            values["scenarios"] = tuple(Path(part.strip()) for part in parts if part.strip())
        if environ.get("EMULATOR_SCENARIO_DIR"):
            values["scenario_dir"] = Path(environ["EMULATOR_SCENARIO_DIR"])
        if environ.get("EMULATOR_CORS"):
            values["cors_origins"] = parse_origins(environ["EMULATOR_CORS"])
        if "EMULATOR_CONTROL_TOKEN" in environ:  # set but empty is refused, not ignored
            values["control_token"] = environ["EMULATOR_CONTROL_TOKEN"]
        if environ.get("EMULATOR_ALLOWED_HOSTS"):
            values["allowed_hosts"] = parse_hosts(environ["EMULATOR_ALLOWED_HOSTS"])
        if environ.get("EMULATOR_CONTRACT"):
            values["contract"] = environ["EMULATOR_CONTRACT"].strip().lower()
        for name, kind in NUMERIC.items():
            if environ.get(f"EMULATOR_{name.upper()}"):
                values[name] = _number(environ, f"EMULATOR_{name.upper()}", kind)
        values.update({key: value for key, value in overrides.items() if value is not None})
        if "scenarios" in values:
            values["scenarios"] = tuple(Path(p) for p in values["scenarios"])
        if "ca_dir" in values:
            values["ca_dir"] = Path(values["ca_dir"])
        return cls(**values)


def parse_origins(text: str | None) -> tuple[str, ...]:
    """``https://app.example,http://localhost:3000`` (or ``*``) -> normalized origins;
    anything that is not an origin (a path, a trailing slash is forgiven) is refused."""
    if not text:
        return ()
    origins = []
    for part in text.split(","):
        origin = part.strip().rstrip("/").lower()
        if not origin:
            continue
        if origin == OPAQUE_ORIGIN:
            raise ValueError(
                "--cors / EMULATOR_CORS: the origin null (sandboxed frames, file: and data: pages) is never allowed: "
                "any page can send it; serve the page from an http(s) origin and allow that"
            )
        if origin != ANY_ORIGIN and not _ORIGIN.match(origin):
            raise ValueError(
                f"--cors / EMULATOR_CORS: {part.strip()!r} is not an origin (scheme://host[:port], or * for any)"
            )
        origins.append(origin)
    return tuple(dict.fromkeys(origins))
