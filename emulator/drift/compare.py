"""``emulator compare``: a cassette replayed against a fresh emulator, answer by
answer, into a parity report. Also what the pytest plugin's comparison calls."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from .cassette import read_exchanges
from .replay import OAuthAccounts, Replayer
from .report import Report
from .rules import Rules


async def compare_cassette(
    cassette: Path | str,
    *,
    scenarios: list[Path | str] | None = None,
    rules: Rules | None = None,
    emulator_url: str | None = None,
    control_token: str | None = None,
    credentials: tuple[str, str] | None = None,
) -> Report:
    """Replay ``cassette`` against the emulator at ``emulator_url``, or against one
    started here on ``scenarios`` (files or built-in names; default: the default
    scenario) and stopped after. A scrubbed CustomerID credential is replaced by
    ``credentials``, by default the scenarios' first service account."""
    from ..app import create_app, default_apis
    from ..config import DEFAULT_SCENARIO, EmulatorConfig
    from ..world.scenarios import load_baseline

    exchanges = list(read_exchanges(Path(cassette)))
    rules = rules or Rules()
    entries = list(scenarios or [DEFAULT_SCENARIO])
    baseline = None
    if credentials is None or emulator_url is None:
        baseline = load_baseline(entries, default_apis())
        if credentials is None:
            accounts = baseline.settings["customerid"].credentials
            credentials = tuple(accounts[0]) if accounts else None
    oauth = oauth_accounts(baseline) if baseline is not None else None
    if emulator_url is not None:
        replayer = Replayer(emulator_url, rules, credentials, control_token, oauth)
        return Report(
            str(cassette), emulator_url, await replayer.run(exchanges), replayer.ids.ids, replayer.ids.conflicts
        )
    assert baseline is not None  # loaded above: there is no emulator_url
    runner = web.AppRunner(
        create_app(EmulatorConfig(scenarios=tuple(Path(file) for file in baseline.files)), baseline=baseline),
        access_log=None,
    )
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    replayer = Replayer(f"http://127.0.0.1:{port}", rules, credentials, oauth=oauth)
    try:
        results = await replayer.run(exchanges)
    finally:
        await runner.cleanup()
    names = ", ".join(Path(file).name for file in baseline.files)
    return Report(str(cassette), f"an in-process emulator ({names})", results, replayer.ids.ids, replayer.ids.conflicts)


def oauth_accounts(baseline) -> OAuthAccounts:
    """The scenario's first SSO client and API user, and its first DFS identity-server client."""
    from ..customerid.sso.settings import API_USERS_GROUP

    sso, dfs = baseline.settings["customerid"].sso, baseline.settings["dfs"]
    clients = {}
    if sso.clients:
        clients["customerid"] = (sso.clients[0].client_id, sso.clients[0].secret)
    if dfs.clients:
        clients["dfs"] = (dfs.clients[0].client_id, dfs.clients[0].secret)
    user = next((user for user in sso.users if API_USERS_GROUP in user.groups), None)
    return OAuthAccounts(clients, (user.username, user.password) if user else None)
