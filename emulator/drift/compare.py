"""``emulator compare``: a cassette replayed against a fresh emulator, answer by
answer, into a parity report. Also what the pytest plugin's comparison calls."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from .cassette import read_exchanges
from .replay import Replayer
from .report import Report
from .rules import Rules


def _credentials(scenarios: list[Path] | None) -> tuple[str, str] | None:
    """The CustomerID service account a replay sends in place of a scrubbed one:
    the first in the scenarios the emulator runs."""
    from ..app import default_apis
    from ..config import DEFAULT_SCENARIO
    from ..scenarios import load_baseline

    baseline = load_baseline([Path(path) for path in scenarios or [DEFAULT_SCENARIO]], default_apis())
    credentials = baseline.settings["customerid"].credentials
    return tuple(credentials[0]) if credentials else None


async def compare_cassette(cassette: Path, *, scenarios: list[Path] | None = None, rules: Rules | None = None,
                           emulator_url: str | None = None, control_token: str | None = None,
                           credentials: tuple[str, str] | None = None) -> Report:
    """Replay ``cassette`` against the emulator at ``emulator_url``, or against one
    started here on ``scenarios`` (default: the default scenario) and stopped after."""
    exchanges = list(read_exchanges(Path(cassette)))
    rules = rules or Rules()
    if credentials is None:
        credentials = _credentials(scenarios)
    if emulator_url is not None:
        replayer = Replayer(emulator_url, rules, credentials, control_token)
        return Report(str(cassette), emulator_url, await replayer.run(exchanges), replayer.ids.ids)
    from ..app import create_app
    from ..config import DEFAULT_SCENARIO, EmulatorConfig

    files = tuple(Path(path) for path in scenarios or [DEFAULT_SCENARIO])
    runner = web.AppRunner(create_app(EmulatorConfig(scenarios=files)), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    replayer = Replayer(f"http://127.0.0.1:{port}", rules, credentials)
    try:
        results = await replayer.run(exchanges)
    finally:
        await runner.cleanup()
    names = ", ".join(file.name for file in files)
    return Report(str(cassette), f"an in-process emulator ({names})", results, replayer.ids.ids)
