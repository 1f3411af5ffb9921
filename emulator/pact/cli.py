"""``emulator pact verify`` and ``emulator pact export`` (docs/pact.md)."""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path


def main_pact(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="emulator pact", description="Contract testing with Pact (docs/pact.md).")
    commands = parser.add_subparsers(dest="command", required=True)
    verify = commands.add_parser(
        "verify",
        help="verify consumers' pacts against a fresh emulator",
        description="Start a fresh emulator in-process, run Pact's verifier against it with the provider-state "
        "handler wired in, print Pact's report. Exit 0 when every interaction verifies, 1 on any failure, "
        "2 on bad input. Literal credentials in the pacts are replaced by valid ones (--keep-credentials: not).",
    )
    verify.add_argument("pacts", nargs="*", type=Path, metavar="PACT_FILE_OR_DIR")
    verify.add_argument("--provider", default="identity-emulator", help="the provider name the pacts use")
    verify.add_argument("--scenario", action="append", dest="scenarios", metavar="FILE|NAME")
    verify.add_argument("--keep-credentials", action="store_true", help="send the pacts' Authorization as written")
    verify.add_argument("--broker-url", metavar="URL", help="also verify the pacts a Pact Broker holds")
    verify.add_argument("--broker-username")
    verify.add_argument("--broker-password")
    verify.add_argument("--broker-token")
    verify.add_argument("--consumer-version", action="append", default=[], metavar="SELECTOR")
    verify.add_argument("--consumer-tag", action="append", default=[], metavar="TAG")
    verify.add_argument("--provider-branch")
    verify.add_argument("--include-pending", action="store_true")
    verify.add_argument("--publish-version", metavar="VERSION", help="publish the results to the broker")
    export = commands.add_parser(
        "export",
        help="a running emulator's journal as a Pact V4 file",
        description="GET /__emulator/pact of a running emulator, written to --out (or printed).",
    )
    export.add_argument("--url", default="http://127.0.0.1:8080", help="the emulator (default http://127.0.0.1:8080)")
    export.add_argument("--namespace", help="the namespace whose journal (default: the default one)")
    export.add_argument("--consumer", required=True)
    export.add_argument("--provider", default="identity-emulator")
    export.add_argument("--api", help="only this API's exchanges (customerid, dfs)")
    export.add_argument("--control-token", metavar="TOKEN")
    export.add_argument("--out", type=Path, metavar="FILE")
    arguments = parser.parse_args(argv)
    return _verify(arguments) if arguments.command == "verify" else _export(arguments)


def _verify(arguments) -> int:
    from ..world.scenarios import ScenarioError
    from .verify import BrokerOptions, PactUnavailable, verify_pacts

    broker = BrokerOptions(
        arguments.broker_url,
        arguments.broker_username,
        arguments.broker_password,
        arguments.broker_token,
        arguments.consumer_version,
        arguments.consumer_tag,
        arguments.provider_branch,
        arguments.include_pending,
        arguments.publish_version,
    )
    try:
        result = verify_pacts(
            arguments.pacts,
            provider=arguments.provider,
            scenarios=arguments.scenarios,
            broker=broker,
            keep_credentials=arguments.keep_credentials,
        )
    except (PactUnavailable, ScenarioError, ValueError, OSError) as error:
        print(f"emulator pact verify: {error}", file=sys.stderr)
        return 2
    print(result.output)
    return 0 if result.passed else 1


def _export(arguments) -> int:
    query = {"consumer": arguments.consumer, "provider": arguments.provider}
    if arguments.api:
        query["api"] = arguments.api
    headers = {"Accept": "application/json"}
    if arguments.namespace:
        headers["X-Emulator-Namespace"] = arguments.namespace
    if arguments.control_token:
        headers["Authorization"] = f"Bearer {arguments.control_token}"
    url = arguments.url.rstrip("/") + "/__emulator/pact?" + urllib.parse.urlencode(query)
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as answer:
            document = json.load(answer)
    except urllib.error.HTTPError as error:
        print(
            f"emulator pact export: {url} answered {error.code}: {error.read().decode(errors='replace')}",
            file=sys.stderr,
        )
        return 2
    except (OSError, ValueError) as error:
        print(f"emulator pact export: {error}", file=sys.stderr)
        return 2
    text = json.dumps(document, indent=2, ensure_ascii=False)
    if arguments.out:
        arguments.out.write_text(text + "\n", encoding="utf-8")
        print(f"emulator pact export: wrote {arguments.out} ({len(document['interactions'])} interactions)")
    else:
        print(text)
    return 0


MAIN = {"pact": main_pact}
