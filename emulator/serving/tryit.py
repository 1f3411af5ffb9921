"""Ready-to-paste curl lines for a running emulator (``--print-curl``, used by
``make run``): each API's own lines (its ``try_it`` hook), then the control API's."""

from __future__ import annotations

from ..api import HasTryIt
from ..world.state import EmulatorState


def client_base_url(host: str, port: int) -> str:
    """The URL a client on this machine uses for a server bound to ``host``."""
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def curl_examples(state: EmulatorState, url: str) -> list[str]:
    """Comment lines and curl lines; every curl line answers 2xx on the scenario
    the emulator was started with (tests/serving/test_local_dev.py runs them). Each API
    writes its own through its ``try_it`` hook."""
    lines: list[str] = []
    for api in state.apis.values():
        if isinstance(api, HasTryIt):
            lines.extend(api.try_it(state.world, url))
    lines.append("# Control API")
    lines.append(f"curl -s {url}/__emulator/health")
    return lines
