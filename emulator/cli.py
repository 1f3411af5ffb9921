"""``python -m emulator`` / ``emulator``: serve both APIs on the given scenarios.

    emulator [--host H] [--port P] [--scenario FILE|NAME]...   serve (the same as `emulator serve ...`)
    emulator ca [--pem]                                    the local CA HTTPS (--https-port) is served from
    emulator validate FILE...                              check scenario files, serve nothing
    emulator endpoints [--format text|json]                the operation table
    emulator scenarios [--format text|json]                the built-in scenarios (names for --scenario)
    emulator healthcheck                                   exit 0 when the running emulator is healthy
    emulator record | compare | scenario from-cassette     contract drift (docs/drift.md)
    emulator pact verify | export                          contract testing with Pact (docs/pact.md)

`emulator --help` lists them all (SUBCOMMAND_SUMMARIES).

A first argument that is not one of these subcommands is the serve form, so
``python -m emulator --port 8080 --scenario a.yaml`` works as it always has.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import functools
import gc
import json
import logging
import os
import signal
import sys
import time
from pathlib import Path

from . import __version__
from .config import CONTRACT_MODES, LIMITS, NUMERIC, EmulatorConfig, parse_hosts

SUBCOMMANDS = ("serve", "validate", "endpoints", "scenarios", "healthcheck", "ca")
DRIFT_SUBCOMMANDS = ("record", "compare", "scenario")  # emulator.drift.cli
# One line each in `emulator --help` (tests/serving/test_cli_help.py: every subcommand has one)
SUBCOMMAND_SUMMARIES = {
    "serve": "serve both APIs (the default: `emulator [OPTIONS]` is `emulator serve [OPTIONS]`)",
    "validate": "check scenario files as the emulator would load them; serve nothing",
    "endpoints": "the operation table: api, code, method, path, versions",
    "scenarios": "the built-in scenarios: the names --scenario accepts",
    "healthcheck": "exit 0 when the running emulator answers healthy (the Docker HEALTHCHECK)",
    "ca": "the local CA certificate HTTPS is served from: its path (--pem: its PEM) for clients to trust",
    "record": "a recording proxy in front of your sandbox of the real systems (docs/drift.md)",
    "compare": "replay a recording against a fresh emulator; exit 1 on drift (docs/drift.md)",
    "scenario": "scenario tools: `emulator scenario from-cassette` turns a recording into a scenario",
    "pact": "Pact: `emulator pact verify` checks consumers' pacts, `emulator pact export` writes one (docs/pact.md)",
}
PACT_SUBCOMMANDS = ("pact",)  # emulator.pact.cli
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


def _env_flag(name: str, default: bool, environ=None) -> bool:
    environ = os.environ if environ is None else environ
    value = environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ValueError(f"{name}={environ[name]!r}: use 1/0, true/false, yes/no or on/off")


# -- serve ------------------------------------------------------------------------------


def parse_arguments(argv: list[str] | None, prog: str = "emulator") -> argparse.Namespace:
    width = max(map(len, SUBCOMMAND_SUMMARIES))
    parser = argparse.ArgumentParser(
        prog=prog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Serve the emulated APIs (the options below), or run a subcommand\n"
        "(`emulator SUBCOMMAND --help` says more).\n\nsubcommands:\n"
        + "\n".join(f"  {name.ljust(width)}  {summary}" for name, summary in SUBCOMMAND_SUMMARIES.items()),
    )
    parser.add_argument("--host", help="address to bind (default 127.0.0.1; env EMULATOR_HOST)")
    parser.add_argument(
        "--port",
        type=int,
        help="port (default 8080; 0: a free port, which the banner, curl "
        "lines and address file then name; env EMULATOR_PORT)",
    )
    parser.add_argument(
        "--https-port",
        type=int,
        metavar="PORT",
        help="also serve HTTPS on this port (0: a free one), with a certificate from the local CA "
        "(`emulator ca`); default off; env EMULATOR_HTTPS_PORT",
    )
    parser.add_argument(
        "--ca-dir",
        metavar="DIR",
        help="where the local CA is kept (default: ca/ in the cache directory; env EMULATOR_CA_DIR)",
    )
    parser.add_argument(
        "--scenario",
        action="append",
        dest="scenarios",
        metavar="FILE|NAME",
        help="scenario file, or a built-in scenario's name (default, bulk-50k, dfs-bulk; "
        "`emulator scenarios` lists them), to load; repeat for several "
        "(env EMULATOR_SCENARIOS; default: the built-in default)",
    )
    logs = parser.add_mutually_exclusive_group()
    logs.add_argument(
        "--access-log",
        action="store_true",
        default=None,
        help="log one line per request (the default; env EMULATOR_ACCESS_LOG=1)",
    )
    logs.add_argument(
        "--quiet", action="store_false", dest="access_log", help="no request lines (env EMULATOR_ACCESS_LOG=0)"
    )
    parser.add_argument(
        "--log-format",
        choices=("text", "json"),
        help="request and event lines as text (default) or one JSON object per line (env EMULATOR_LOG_FORMAT)",
    )
    parser.add_argument(
        "--reload-scenarios",
        action="store_true",
        default=None,
        help="watch the scenario files and reload on change; a bad edit keeps the old "
        "state (env EMULATOR_RELOAD_SCENARIOS=1)",
    )
    parser.add_argument(
        "--print-curl",
        action="store_true",
        help="after start-up, print ready-to-paste curl lines for both APIs (make run)",
    )
    parser.add_argument(
        "--control-token",
        metavar="TOKEN",
        help="control endpoints other than health need 'Authorization: Bearer TOKEN' (env EMULATOR_CONTROL_TOKEN)",
    )
    parser.add_argument(
        "--allowed-hosts",
        metavar="NAME[,NAME]",
        help="Host names the control API answers to besides localhost, 127.0.0.1 and [::1]; '*': any "
        "(default: those three when listening on loopback, any name otherwise; env EMULATOR_ALLOWED_HOSTS)",
    )
    parser.add_argument(
        "--cors",
        metavar="ORIGIN[,ORIGIN]",
        help="let browser pages from these origins call both APIs and the control API "
        "(CORS; * for any origin; default off; env EMULATOR_CORS)",
    )
    parser.add_argument(
        "--journal-limit",
        type=int,
        metavar="N",
        help="requests kept per namespace in the journal (default 1000; 0 turns it off; env EMULATOR_JOURNAL_LIMIT)",
    )
    parser.add_argument(
        "--contract",
        choices=CONTRACT_MODES,
        help="check every answer against the APIs' XSDs / OpenAPI schemas: off (default), "
        "warn (journal and log the violation) or strict (answer 500 naming it); "
        "env EMULATOR_CONTRACT",
    )
    limits = parser.add_argument_group("limits (docs/limits.md)")
    for name in LIMITS:
        limits.add_argument(
            "--" + name.replace("_", "-"),
            type=NUMERIC[name],
            metavar="N",
            help=f"default {getattr(EmulatorConfig, name)}; env EMULATOR_{name.upper()}",
        )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser.parse_args(argv)


class Output:
    """Start-up lines, reload events and shutdown: text for people, JSON for machines."""

    def __init__(self, log_format: str) -> None:
        self.json = log_format == "json"

    def lines(self, event: str, lines: list[str], **details) -> None:
        if self.json:
            print(json.dumps({"event": event, **details}, separators=(",", ":")), flush=True)
        else:
            for line in lines:
                print(line, flush=True)

    def warning(self, line: str) -> None:
        if self.json:
            print(json.dumps({"event": "warning", "message": line}, separators=(",", ":")), file=sys.stderr, flush=True)
        else:
            print(line, file=sys.stderr, flush=True)

    def event(self, event: str, details: dict) -> None:
        if event == "reload-failed":
            if self.json:
                print(json.dumps({"event": event, **details}, separators=(",", ":")), file=sys.stderr, flush=True)
            else:
                print(f"emulator: scenario error: {details['message']}", file=sys.stderr, flush=True)
        else:
            text = f"emulator: scenarios reloaded: {', '.join(details.get('scenarios', []))}"
            self.lines(event, [text], **details)


def startup_lines(app, config: EmulatorConfig, seconds: float) -> list[str]:
    from .world.state import STATE

    state = app[STATE]
    url = f"http://{config.host}:{config.port}"
    lines = [f"emulator {__version__} listening on {url} (ready in {seconds * 1000:.0f} ms)"]
    if config.https_port is not None:
        lines.append(f"  HTTPS: https://{config.host}:{config.https_port} (trust the CA: {ca_file(config)})")
    for name, api in state.apis.items():
        operations = sum(len(operation.versions) for operation in api.endpoints.operations)
        bases = ", ".join(f"{version} {path}" for version, path in api.endpoints.base_paths.items())
        lines.append(f"  {api.endpoints.title} [{name}]: {operations} operations mounted ({bases})")
    for file in state.baseline.files:
        lines.append(f"  scenario loaded: {file}")
    for name, api in state.apis.items():
        counts = ", ".join(f"{kind} {count}" for kind, count in api.summary_counts(state.world.store).items())
        lines.append(f"  {name} state: {counts}")
    lines.append(
        f"  dashboard: {url}/__emulator/ (control API reference: {url}/__emulator/openapi.json)"
        + (" [token required]" if config.control_token else "")
    )
    lines.append(f"  API documents: {url}/__emulator/docs (Swagger UI: CustomerID, DFS, control API)")
    if config.cors_origins:
        lines.append(f"  CORS allowed for: {', '.join(config.cors_origins)}")
    hosts = config.control_hosts
    lines.append(f"  control API answers Host: {'any name' if hosts is None else ', '.join(sorted(hosts))}")
    if config.contract != "off":
        lines.append(
            f"  contract: {config.contract} (every answer checked against the XSDs and the DFS "
            "OpenAPI document; violations in GET /__emulator/requests?contract=true)"
        )
    return lines


def startup_details(app, config: EmulatorConfig, seconds: float) -> dict:
    from .world.state import STATE

    state = app[STATE]
    return {
        "version": __version__,
        "url": f"http://{config.host}:{config.port}",
        **(
            {"https_url": f"https://{config.host}:{config.https_port}", "ca_file": str(ca_file(config))}
            if config.https_port is not None
            else {}
        ),
        "ready_ms": round(seconds * 1000),
        "scenarios": list(state.baseline.files),
        "contract": config.contract,
        "apis": {name: sum(len(op.versions) for op in api.endpoints.operations) for name, api in state.apis.items()},
    }


async def serve(
    config: EmulatorConfig,
    *,
    access_log: bool = False,
    log_format: str = "text",
    reload_scenarios: bool = False,
    print_curl: bool = False,
) -> None:
    from aiohttp import web

    from .app import create_app, default_apis
    from .serving.gctuning import tune_for_serving
    from .serving.load_progress import LoadProgress
    from .world.baselinecache import load_baseline_cached
    from .world.state import STATE

    started = time.perf_counter()
    output = Output(log_format)
    progress = LoadProgress(lambda line: output.lines("loading", [line], message=line.strip()))
    apis = default_apis()
    try:
        baseline = load_baseline_cached(config.scenarios, apis, directories=[config.scenario_dir], progress=progress)
    finally:
        progress.done()
    app = create_app(config, apis=apis, baseline=baseline)
    if access_log:
        from .serving.accesslog import timing_middleware

        app.middlewares.append(timing_middleware)  # before the runner freezes the app
    tune_for_serving()
    gc.enable()  # off since main_serve began: see there
    if access_log:
        from .serving.accesslog import RequestLogger, access_logger

        runner = web.AppRunner(
            app,
            access_log_class=RequestLogger,
            access_log=access_logger(),
            access_log_format=log_format,
            handle_signals=False,
            shutdown_timeout=0.5,
        )
    else:
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, config.host, config.port)
    await site.start()
    secure_site = None
    if config.https_port is not None:
        from .serving.tls import ca_directory, server_names, server_ssl_context

        context, _ = server_ssl_context(
            ca_directory(config.ca_dir), server_names(config.host, config.allowed_hosts), warn=output.warning
        )
        secure_site = web.TCPSite(runner, config.host, config.https_port, ssl_context=context)
        await secure_site.start()
    config = bound_config(config, site, secure_site)  # --port 0: the port the OS chose, everywhere below
    seconds = time.perf_counter() - started
    output.lines("listening", startup_lines(app, config, seconds), **startup_details(app, config, seconds))
    address_file = os.environ.get("EMULATOR_ADDRESS_FILE")
    if address_file:  # `emulator healthcheck` reads where we really listen (whatever set it)
        _write_address(Path(address_file), config)
    # In the background, once listening: what the first token request would pay otherwise
    # (PyJWT's and cryptography's imports, the run keys).
    asyncio.get_running_loop().run_in_executor(None, _warm_up, app[STATE])
    if print_curl and not output.json:
        from .serving.tryit import client_base_url, curl_examples

        print("\nTry it (paste into a shell):", flush=True)
        for line in curl_examples(app[STATE], client_base_url(config.host, config.port)):
            print(line, flush=True)
    watcher_task = None
    if reload_scenarios:
        from .serving.reload import ScenarioWatcher

        watched = tuple(Path(file) for file in app[STATE].baseline.files)  # names resolved to their files
        watcher = ScenarioWatcher(app[STATE], watched, output.event)
        watcher_task = asyncio.get_running_loop().create_task(watcher.run())
        output.lines(
            "watching",
            [f"  watching {len(config.scenarios)} scenario file(s) for changes"],
            scenarios=[str(path) for path in config.scenarios],
        )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    output.lines("shutdown", ["emulator: shutting down"])
    if watcher_task is not None:
        watcher_task.cancel()
    await runner.cleanup()
    if address_file:
        try:
            Path(address_file).unlink()
        except OSError:
            pass


def _warm_up(state) -> None:
    for name, api in state.apis.items():
        try:
            api.warm_up(state.baseline.settings[name])
        except Exception:  # the request that needs it will say what is wrong
            logging.getLogger("emulator").debug("warm-up of %s failed", name, exc_info=True)


def _bound_port(site, configured: int) -> int:
    sockets = getattr(site._server, "sockets", None) or ()
    ports = [sock.getsockname()[1] for sock in sockets]
    return ports[0] if ports else configured


def bound_config(config: EmulatorConfig, site, secure_site=None) -> EmulatorConfig:
    """The configuration with the ports really listened on (an ephemeral --port 0 or
    --https-port 0 becomes the number the OS gave), for the banner, curl lines and address file."""
    config = dataclasses.replace(config, port=_bound_port(site, config.port))
    if secure_site is not None and config.https_port is not None:
        config = dataclasses.replace(config, https_port=_bound_port(secure_site, config.https_port))
    return config


def ca_file(config: EmulatorConfig) -> Path:
    from .serving.tls import CA_CERTIFICATE, ca_directory

    return ca_directory(config.ca_dir) / CA_CERTIFICATE


def _write_address(path: Path, config: EmulatorConfig) -> None:
    written: dict = {"host": config.host, "port": config.port, "pid": os.getpid()}
    if config.https_port is not None:
        written.update(https_port=config.https_port, ca_file=str(ca_file(config)))
    try:
        path.write_text(json.dumps(written), encoding="utf-8")
    except OSError as error:
        print(f"emulator: cannot write EMULATOR_ADDRESS_FILE {path}: {error}", file=sys.stderr)


def main_serve(argv: list[str], prog: str = "emulator") -> int:
    # Start-up allocates a few million objects (modules, the endpoint tables, the
    # loaded store) and frees few: the cyclic collector would run hundreds of times
    # over a growing heap for nothing (~90 ms of the default scenario's start-up,
    # seconds for 100,000 users). serve() turns it back on. This module imports
    # little at its top, so that the imports of the server happen after this.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _serve_from_arguments(parse_arguments(argv, prog))
    finally:
        if collecting:
            gc.enable()


def _serve_from_arguments(arguments: argparse.Namespace) -> int:
    from .server.cors import parse_origins
    from .world.scenarios import ScenarioError

    try:
        config = EmulatorConfig.from_environment(
            host=arguments.host,
            port=arguments.port,
            https_port=arguments.https_port,
            ca_dir=arguments.ca_dir,
            scenarios=arguments.scenarios,
            control_token=arguments.control_token,
            allowed_hosts=parse_hosts(arguments.allowed_hosts) if arguments.allowed_hosts else None,
            journal_limit=arguments.journal_limit,
            cors_origins=parse_origins(arguments.cors) if arguments.cors else None,
            contract=arguments.contract,
            **{name: getattr(arguments, name) for name in LIMITS},
        )
        access_log = (
            arguments.access_log if arguments.access_log is not None else _env_flag("EMULATOR_ACCESS_LOG", True)
        )
        reload_scenarios = arguments.reload_scenarios or _env_flag("EMULATOR_RELOAD_SCENARIOS", False)
        log_format = arguments.log_format or os.environ.get("EMULATOR_LOG_FORMAT", "").strip() or "text"
        if log_format not in ("text", "json"):
            raise ValueError(f"EMULATOR_LOG_FORMAT={log_format!r}: text or json")
        from .serving.eventloop import loop_factory

        with asyncio.Runner(loop_factory=loop_factory()) as runner:
            runner.run(
                serve(
                    config,
                    access_log=access_log,
                    log_format=log_format,
                    reload_scenarios=reload_scenarios,
                    print_curl=arguments.print_curl,
                )
            )
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


# -- validate -------------------------------------------------------------------------------


def main_validate(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="emulator validate",
        description="Check scenario files (YAML, schema, references between them) as the emulator would "
        "load them, in the order given, without starting a server. Exit 0 when they load, "
        "2 with file, path and problem when not.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE|NAME", help="scenario files or built-in scenario names")
    arguments = parser.parse_args(argv)
    from .app import default_apis
    from .world.scenarios import ScenarioError, load_baseline, read_scenario_file, resolve_scenario, validate_scenario

    apis = default_apis()
    problems = 0
    for file in arguments.files:  # each file on its own first: report every broken file
        try:
            validate_scenario(read_scenario_file(resolve_scenario(file)), file, apis)
        except ScenarioError as error:
            print(f"{error}", file=sys.stderr)
            problems += 1
    if problems:
        print(f"emulator validate: {problems} of {len(arguments.files)} file(s) invalid", file=sys.stderr)
        return 2
    try:  # then together, as the emulator loads them: references, duplicate keys, values
        baseline = load_baseline(arguments.files, apis)
    except ScenarioError as error:
        print(f"{error}", file=sys.stderr)
        print("emulator validate: the files do not load", file=sys.stderr)
        return 2
    for name, api in {api.name: api for api in apis}.items():
        counts = ", ".join(f"{kind} {count}" for kind, count in api.summary_counts(baseline.store).items())
        print(f"  {name}: {counts}")
    print(f"emulator validate: {len(arguments.files)} file(s) ok")
    return 0


# -- endpoints ------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _apis() -> list:
    from .app import default_apis

    return default_apis()


def endpoint_rows() -> list[dict]:
    rows = []
    for api in _apis():
        for operation in api.endpoints.operations:
            codes = {operation.code_for(version) for version in operation.versions}
            rows.append(
                {
                    "api": api.name,
                    "code": " / ".join(sorted(codes, key=lambda c: c != operation.code)),
                    "method": operation.method,
                    "path": operation.url_template(api.endpoints.base_paths[operation.versions[-1]]),
                    "versions": list(operation.versions),
                    "summary": operation.summary,
                }
            )
    return rows


def main_endpoints(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="emulator endpoints",
        description="Every emulated operation: api, code, method, path (in its latest version), versions.",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--api", choices=[api.name for api in _apis()], help="only this API")
    arguments = parser.parse_args(argv)
    rows = [row for row in endpoint_rows() if arguments.api in (None, row["api"])]
    if arguments.format == "json":
        print(json.dumps({"count": len(rows), "endpoints": rows}, indent=1))
        return 0
    for api in dict.fromkeys(row["api"] for row in rows):  # one table per API: its own column widths
        table = [("API", "CODE", "METHOD", "PATH", "VERSIONS")]
        table += [
            (row["api"], row["code"], row["method"], row["path"], ",".join(row["versions"]))
            for row in rows
            if row["api"] == api
        ]
        widths = [max(len(line[column]) for line in table) for column in range(4)]
        for line in table:
            print("  ".join(cell.ljust(width) for cell, width in zip(line, widths)) + "  " + line[4])
        print()
    print(f"{len(rows)} operations")
    return 0


# -- scenarios ------------------------------------------------------------------------------


def scenario_rows(environ=None) -> list[dict]:
    """The scenarios a name finds: EMULATOR_SCENARIO_DIR's files, then the built-ins."""
    import yaml

    from .builtin_scenarios import builtin_scenarios, scenarios_in

    environ = os.environ if environ is None else environ
    directory = environ.get("EMULATOR_SCENARIO_DIR")
    found = {name: ("built-in", path) for name, path in builtin_scenarios().items()}
    if directory:
        found.update({name: ("scenario directory", path) for name, path in scenarios_in(Path(directory)).items()})
    rows = []
    for name, (origin, path) in sorted(found.items()):
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as error:
            document = {"description": f"(cannot read: {error})"}
        description = document.get("description") if isinstance(document, dict) else None
        rows.append(
            {"name": name, "origin": origin, "file": str(path), "description": " ".join(str(description or "").split())}
        )
    return rows


def main_scenarios(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="emulator scenarios",
        description="The scenarios you can name instead of giving a file (--scenario NAME, EMULATOR_SCENARIOS, "
        'the pytest plugin\'s emulator_scenarios, POST /__emulator/scenarios {"name": ...}): the '
        "built-in ones, and EMULATOR_SCENARIO_DIR's files when set.",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    arguments = parser.parse_args(argv)
    rows = scenario_rows()
    if arguments.format == "json":
        print(json.dumps({"count": len(rows), "scenarios": rows}, indent=1))
        return 0
    width = max(len(row["name"]) for row in rows)
    for row in rows:
        print(f"{row['name'].ljust(width)}  {row['description'] or '-'}")
        print(f"{''.ljust(width)}  {row['origin']}: {row['file']}")
    return 0


# -- healthcheck ----------------------------------------------------------------------------


def health_target(environ=None, host: str | None = None, port: int | None = None) -> str:
    """The health URL of the emulator this container (or machine) runs: the address
    file the server wrote (EMULATOR_ADDRESS_FILE) if there is one, else --host/--port,
    else EMULATOR_HOST/EMULATOR_PORT, else the defaults. A wildcard bind address is
    reached through loopback."""
    from .serving.tryit import client_base_url

    environ = os.environ if environ is None else environ
    if host is None and port is None and environ.get("EMULATOR_ADDRESS_FILE"):
        try:
            written = json.loads(Path(environ["EMULATOR_ADDRESS_FILE"]).read_text(encoding="utf-8"))
            host, port = written["host"], int(written["port"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
    config = EmulatorConfig.from_environment(environ, host=host, port=port, scenarios=())
    return client_base_url(config.host, config.port) + "/__emulator/health"


def main_healthcheck(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="emulator healthcheck",
        description="GET /__emulator/health of the running emulator; exit 0 when it answers status ok "
        "(the Docker image's HEALTHCHECK).",
    )
    parser.add_argument("--host")
    parser.add_argument("--port", type=int)
    parser.add_argument("--timeout", type=float, default=2.0)
    arguments = parser.parse_args(argv)
    import urllib.request

    try:
        url = health_target(host=arguments.host, port=arguments.port)
        with urllib.request.urlopen(url, timeout=arguments.timeout) as response:
            body = json.load(response)
        if response.status == 200 and body.get("status") == "ok":
            print(f"healthy: {url}")
            return 0
        print(f"unhealthy: {url} answered {response.status} {body.get('status')!r}", file=sys.stderr)
    except (OSError, ValueError) as error:
        print(f"unhealthy: {error}", file=sys.stderr)
    return 1


def main_ca(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="emulator ca",
        description="The local CA the HTTPS listener's certificates come from (made on first use, then kept): "
        "print its certificate's path, or with --pem the certificate itself, for clients to trust "
        "(SSL_CERT_FILE, REQUESTS_CA_BUNDLE, curl --cacert). docs/oauth.md, 'HTTPS'.",
    )
    parser.add_argument("--pem", action="store_true", help="print the CA certificate (PEM) instead of its path")
    parser.add_argument("--ca-dir", metavar="DIR", help="where the CA is kept (default: ca/ in the cache directory)")
    arguments = parser.parse_args(argv)
    from .serving.tls import ca_directory, ensure_ca

    try:
        ca = ensure_ca(ca_directory(arguments.ca_dir))
    except OSError as error:
        print(f"emulator ca: cannot keep the CA: {error}", file=sys.stderr)
        return 1
    print(ca.pem() if arguments.pem else ca.certificate_file, end="" if arguments.pem else "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in DRIFT_SUBCOMMANDS:
        from .drift.cli import MAIN

        return MAIN[argv[0]](argv[1:])
    if argv and argv[0] in PACT_SUBCOMMANDS:
        from .pact.cli import MAIN as PACT_MAIN

        return PACT_MAIN[argv[0]](argv[1:])
    command = argv[0] if argv and argv[0] in SUBCOMMANDS else "serve"
    if command in ("validate", "endpoints", "scenarios") and hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `emulator endpoints | head` ends quietly
    explicit = bool(argv) and argv[0] == command
    if explicit:
        argv = argv[1:]
    if command == "serve":
        return main_serve(argv, prog="emulator serve" if explicit else "emulator")
    return {
        "validate": main_validate,
        "endpoints": main_endpoints,
        "scenarios": main_scenarios,
        "healthcheck": main_healthcheck,
        "ca": main_ca,
    }[command](argv)
