"""``python -m emulator`` / ``emulator``: serve both APIs on the given scenarios."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
import time

from aiohttp import web

from . import __version__
from .app import create_app
from .config import EmulatorConfig
from .scenarios import ScenarioError
from .state import STATE


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="emulator", description=__doc__)
    parser.add_argument("--host", help="address to bind (default 127.0.0.1; env EMULATOR_HOST)")
    parser.add_argument("--port", type=int, help="port (default 8080; env EMULATOR_PORT)")
    parser.add_argument("--scenario", action="append", dest="scenarios", metavar="FILE",
                        help="scenario file to load; repeat for several (env EMULATOR_SCENARIOS; "
                             "default scenarios/default.yaml)")
    parser.add_argument("--access-log", action="store_true", help="log one line per request")
    parser.add_argument("--control-token", metavar="TOKEN",
                        help="control endpoints other than health need 'Authorization: Bearer TOKEN' "
                             "(env EMULATOR_CONTROL_TOKEN)")
    parser.add_argument("--journal-limit", type=int, metavar="N",
                        help="requests kept per namespace in the journal (default 1000; 0 turns it off; "
                             "env EMULATOR_JOURNAL_LIMIT)")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser.parse_args(argv)


def startup_lines(app: web.Application, config: EmulatorConfig, seconds: float) -> list[str]:
    state = app[STATE]
    url = f"http://{config.host}:{config.port}"
    lines = [f"emulator {__version__} listening on {url} (ready in {seconds * 1000:.0f} ms)"]
    for name, api in state.apis.items():
        operations = sum(len(operation.versions) for operation in api.endpoints.operations)
        bases = ", ".join(f"{version} {path}" for version, path in api.endpoints.base_paths.items())
        lines.append(f"  {api.endpoints.title} [{name}]: {operations} operations mounted ({bases})")
    for file in state.baseline.files:
        lines.append(f"  scenario loaded: {file}")
    for name, api in state.apis.items():
        counts = ", ".join(f"{kind} {count}" for kind, count in api.summary_counts(state.world.store).items())
        lines.append(f"  {name} state: {counts}")
    lines.append(f"  control API: {url}/__emulator/ (reference: {url}/__emulator/openapi.json)"
                 + (" [token required]" if config.control_token else ""))
    return lines


async def serve(config: EmulatorConfig) -> None:
    started = time.perf_counter()
    app = create_app(config)
    runner = web.AppRunner(app, access_log=logging.getLogger("aiohttp.access") if config.access_log else None,
                           handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, config.host, config.port)
    await site.start()
    for line in startup_lines(app, config, time.perf_counter() - started):
        print(line, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    print("emulator: shutting down", flush=True)
    await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        config = EmulatorConfig.from_environment(host=arguments.host, port=arguments.port,
                                                 scenarios=arguments.scenarios,
                                                 access_log=arguments.access_log or None,
                                                 control_token=arguments.control_token,
                                                 journal_limit=arguments.journal_limit)
        asyncio.run(serve(config))
    except ScenarioError as error:
        print(f"emulator: scenario error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"emulator: cannot serve: {error}", file=sys.stderr)
        return 1
    except ValueError as error:
        print(f"emulator: bad configuration: {error}", file=sys.stderr)
        return 2
    return 0
