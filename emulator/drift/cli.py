"""The drift subcommands: ``emulator record``, ``emulator compare`` and
``emulator scenario from-cassette`` (docs/drift.md)."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path

from .cassette import CassetteError


def main_record(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="emulator record",
        description="A recording reverse proxy: point your client at it, it talks to the real CustomerID and "
        "DFS and writes every exchange, secrets scrubbed, to the cassette (appended, flushed per "
        "exchange). Stop it with Ctrl-C.",
    )
    parser.add_argument("--upstream-customerid", metavar="URL", help="base URL of the real CustomerID")
    parser.add_argument("--upstream-dfs", metavar="URL", help="base URL of the real DFS Admin Services")
    parser.add_argument("--out", required=True, type=Path, metavar="CASSETTE", help="cassette file (JSON Lines)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090, help="where the recorder listens (default 8090)")
    parser.add_argument(
        "--upstream-ca",
        type=Path,
        metavar="FILE",
        help="CA bundle (PEM) the upstreams' certificates are checked against, for sandboxes with a private CA",
    )
    parser.add_argument("--insecure", action="store_true", help="do not check upstream certificates at all")
    parser.add_argument(
        "--scrub",
        action="append",
        default=[],
        metavar="NAME",
        help="also scrub this header, parameter or body field (repeatable)",
    )
    arguments = parser.parse_args(argv)
    from .recorder import RecorderConfig, recorder_app

    upstreams = {
        name: url
        for name, url in (("customerid", arguments.upstream_customerid), ("dfs", arguments.upstream_dfs))
        if url
    }
    if not upstreams:
        parser.error("give --upstream-customerid URL, --upstream-dfs URL or both")
    try:
        app = recorder_app(
            RecorderConfig(arguments.out, upstreams, arguments.upstream_ca, arguments.insecure, arguments.scrub)
        )
        asyncio.run(_serve(app, arguments.host, arguments.port, arguments.out, upstreams))
    except (OSError, ValueError) as error:
        print(f"emulator record: {error}", file=sys.stderr)
        return 1
    return 0


async def _serve(app, host: str, port: int, out: Path, upstreams: dict[str, str]) -> None:
    from aiohttp import web

    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = runner.addresses[0][1] if port == 0 else port
    print(f"emulator record: listening on http://{host}:{bound}, writing {out}", flush=True)
    for api, url in upstreams.items():
        print(f"  {api} -> {url}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    await runner.cleanup()
    print("emulator record: stopped", flush=True)


def main_compare(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="emulator compare",
        description="Replay a cassette in order against a fresh emulator (its own namespace) and compare each "
        "answer with the recorded one. Exit 0 when all match, 1 on drift, 2 on bad input.",
    )
    parser.add_argument("cassette", type=Path, metavar="CASSETTE")
    parser.add_argument(
        "--scenario",
        action="append",
        dest="scenarios",
        metavar="FILE|NAME",
        help="scenario for the emulator: a file or a built-in name (repeatable; default: default)",
    )
    parser.add_argument("--format", choices=("text", "json", "junit"), default="text")
    parser.add_argument("--output", type=Path, metavar="FILE", help="write the report here instead of stdout")
    parser.add_argument("--rules", type=Path, metavar="FILE", help="extra comparison rules (YAML)")
    parser.add_argument("--emulator-url", metavar="URL", help="compare a running emulator instead of starting one")
    parser.add_argument("--control-token", metavar="TOKEN", help="that emulator's control token")
    arguments = parser.parse_args(argv)
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `emulator compare ... | head` ends quietly
    from ..world.scenarios import ScenarioError
    from .compare import compare_cassette
    from .rules import Rules

    try:
        report = asyncio.run(
            compare_cassette(
                arguments.cassette,
                scenarios=arguments.scenarios,
                rules=Rules.load(arguments.rules),
                emulator_url=arguments.emulator_url,
                control_token=arguments.control_token,
            )
        )
    except (CassetteError, ScenarioError, ValueError, OSError) as error:
        print(f"emulator compare: {error}", file=sys.stderr)
        return 2
    text = report.render(arguments.format)
    if arguments.output:
        arguments.output.write_text(text + "\n", encoding="utf-8")
        print(report.text().splitlines()[-1])
    else:
        print(text)
    return 1 if report.drift else 0


def main_scenario(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="emulator scenario", description="Scenario tools.")
    commands = parser.add_subparsers(dest="command", required=True)
    from_cassette = commands.add_parser(
        "from-cassette",
        help="turn a cassette's recorded answers into a scenario file",
        description="Organizations, users, roles, mandates (CustomerID) and tenants' roles, identities and "
        "members (DFS) found in the recorded answers become a scenario the emulator loads; "
        "personal data is pseudonymised with Faker unless --keep-personal-data.",
    )
    from_cassette.add_argument("cassette", type=Path, metavar="CASSETTE")
    from_cassette.add_argument("--out", required=True, type=Path, metavar="FILE")
    from_cassette.add_argument(
        "--keep-personal-data", action="store_true", help="keep names, e-mail addresses, phone numbers as recorded"
    )
    from_cassette.add_argument("--seed", type=int, default=0, help="Faker seed (same cassette, same pseudonyms)")
    arguments = parser.parse_args(argv)
    from .seed import write_scenario

    try:
        counts = write_scenario(
            arguments.cassette, arguments.out, keep_personal_data=arguments.keep_personal_data, seed=arguments.seed
        )
    except (CassetteError, OSError, ValueError) as error:
        print(f"emulator scenario: {error}", file=sys.stderr)
        return 2
    summary = ", ".join(f"{kind} {count}" for kind, count in counts.items()) or "nothing"
    print(f"emulator scenario: wrote {arguments.out} ({summary})")
    return 0


MAIN = {"record": main_record, "compare": main_compare, "scenario": main_scenario}
