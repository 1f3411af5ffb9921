"""``emulator pact verify``: the real Pact verifier (pact-python, the ``pact`` extra) run
against a fresh emulator started here, in-process, on a free port.

The verifier's provider-state requests go to POST /__emulator/pact/provider-states. A
pact that carries literal credentials still verifies: a middleware in front of the
emulator replaces an ``Authorization`` the namespace would refuse with one it accepts,
of the same scheme (Basic: the scenario's first CustomerID service account; Bearer: a
token minted for the API the path belongs to), as ``emulator compare`` does with a
cassette's scrubbed ones. Tokens a provider state handed out pass untouched.
``keep_credentials`` turns that off, for pacts that expect a 401.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from ..control.pact.states import runtime
from ..control.pact.values import basic_credentials, bearer_token
from ..control.pact.xmlpaths import qualify_interaction
from ..world.state import NAMESPACE_HEADER, STATE

DEFAULT_PROVIDER = "identity-emulator"
STATE_PATH = "/__emulator/pact/provider-states"


class PactUnavailable(RuntimeError):
    """pact-python is not installed: ``pip install 'identity-emulator[pact]'``."""


def pact_verifier_class():
    try:
        from pact import Verifier
    except ImportError as error:
        raise PactUnavailable(
            f"pact-python is needed for Pact verification: pip install 'identity-emulator[pact]' ({error})"
        ) from None
    return Verifier


@dataclass
class BrokerOptions:
    """What Pact's broker source takes; ``url`` None: pact files only."""

    url: str | None = None
    username: str | None = None
    password: str | None = None
    token: str | None = None
    consumer_versions: list[str] = field(default_factory=list)
    consumer_tags: list[str] = field(default_factory=list)
    provider_branch: str | None = None
    include_pending: bool = False
    publish_version: str | None = None


@dataclass
class VerifyResult:
    passed: bool
    output: str
    results: dict = field(default_factory=dict)


def credentials_middleware(namespace: str, *, keep_credentials: bool):
    """Every request into ``namespace``; literal credentials replaced (see the module doc)."""

    @web.middleware
    async def substitute(request: web.Request, handler):
        headers = request.headers.copy()
        headers[NAMESPACE_HEADER] = namespace
        authorization = headers.get("Authorization")
        if authorization and not keep_credentials and not request.path.startswith("/__emulator"):
            state = request.app[STATE]
            target = state.namespace_for(request.clone(headers=headers), create=True)
            base_url = f"{request.scheme}://{request.host}"
            issued = runtime(target).issued
            replaced = _accepted_credentials(target.world, state, request.path, authorization, base_url, issued)
            if replaced is not None:
                headers["Authorization"] = replaced
        return await handler(request.clone(headers=headers))

    return substitute


def _accepted_credentials(world, state, path: str, authorization: str, base_url: str, issued: set[str]) -> str | None:
    scheme = authorization.split(" ", 1)[0].casefold()
    if scheme == "basic":
        basic = basic_credentials(world)
        if basic is None or authorization == basic:
            return None
        return basic if path.startswith(state.apis["customerid"].url_prefixes) else None
    if scheme == "bearer":
        api = next((api for api in state.apis.values() if path.startswith(api.url_prefixes)), None)
        if api is None or not hasattr(api, "bearer_token"):
            return None
        if authorization.split(" ", 1)[-1].strip() in issued:
            return None
        return f"Bearer {bearer_token(world, api.name, {}, base_url)}"
    return None


class _EmulatorThread:
    """An emulator on 127.0.0.1:<free port>, served from a thread of its own: the Pact
    verifier blocks the calling thread while it replays the pact against it."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="pact-emulator", daemon=True)

    def __enter__(self) -> _EmulatorThread:
        self._thread.start()
        self._started.wait()
        if self._error is not None:
            raise self._error
        return self

    def __exit__(self, *exc) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=30)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._serve())
        self._loop.close()

    async def _serve(self) -> None:
        runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        try:
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            self._stop = asyncio.Event()
        except BaseException as error:
            self._error = error
            self._started.set()
            await runner.cleanup()
            return
        self._started.set()
        await self._stop.wait()
        await runner.cleanup()


def pact_sources(paths: Iterable[Path | str]) -> list[Path]:
    """The pact files named, a directory standing for its *.json files; a missing one is a ValueError."""
    found: list[Path] = []
    for entry in paths:
        path = Path(entry)
        if path.is_dir():
            found += sorted(path.glob("*.json"))
        elif path.is_file():
            found.append(path)
        else:
            raise ValueError(f"no pact file or directory {path}")
    return found


def prepared_sources(files: list[Path], directory: Path) -> list[Path]:
    """The pact files, those with XML rules on plain names rewritten into ``directory`` (xmlpaths.py)."""
    prepared: list[Path] = []
    for file in files:
        try:
            document = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ValueError(f"{file}: not a pact file ({error})") from None
        interactions = document.get("interactions") if isinstance(document, dict) else None
        if isinstance(interactions, list) and any(
            [qualify_interaction(item) for item in interactions if isinstance(item, dict)]
        ):
            target = directory / f"{len(prepared)}-{file.name}"
            target.write_text(json.dumps(document), encoding="utf-8")
            prepared.append(target)
        else:
            prepared.append(file)
    return prepared


def verify_pacts(
    sources: Iterable[Path | str],
    *,
    provider: str = DEFAULT_PROVIDER,
    scenarios: list[str] | None = None,
    broker: BrokerOptions | None = None,
    keep_credentials: bool = False,
    app: web.Application | None = None,
) -> VerifyResult:
    """Verify pact files (and a broker's pacts) against a fresh emulator on ``scenarios``
    (default: the default scenario), or against ``app`` (not yet started) when given."""
    Verifier = pact_verifier_class()
    files = pact_sources(sources)
    broker = broker or BrokerOptions()
    if not files and broker.url is None:
        raise ValueError("no pact files: give pact files, a directory of them, or --broker-url")
    if app is None:
        from ..app import create_app
        from ..config import DEFAULT_SCENARIO, EmulatorConfig

        app = create_app(
            EmulatorConfig(scenarios=tuple(Path(entry) for entry in scenarios) if scenarios else (DEFAULT_SCENARIO,))
        )
    namespace = f"pact-{uuid.uuid4().hex[:12]}"
    app.middlewares.append(credentials_middleware(namespace, keep_credentials=keep_credentials))
    with tempfile.TemporaryDirectory(prefix="emulator-pact-") as scratch, _EmulatorThread(app) as server:
        files = prepared_sources(files, Path(scratch))
        base_url = f"http://localhost:{server.port}"
        verifier = Verifier(provider).add_transport(url=base_url)
        verifier.state_handler(base_url + STATE_PATH, body=True, teardown=True)
        for file in files:
            verifier.add_source(file)
        if broker.url is not None:
            _add_broker(verifier, broker)
        try:
            verifier.verify()
            passed = True
        except RuntimeError:
            passed = False
        output = verifier.output(strip_ansi=True)
        try:
            results = verifier.results
        except ValueError:
            results = {}
    return VerifyResult(passed, output, results)


def _add_broker(verifier, broker: BrokerOptions) -> None:
    if broker.publish_version:
        verifier.set_publish_options(version=broker.publish_version, branch=broker.provider_branch)
    selecting = bool(
        broker.consumer_versions or broker.consumer_tags or broker.provider_branch or broker.include_pending
    )
    source = verifier.broker_source(
        broker.url, username=broker.username, password=broker.password, token=broker.token, selector=selecting
    )
    if not selecting:
        return
    if broker.consumer_versions:
        source.consumer_versions(*broker.consumer_versions)
    if broker.consumer_tags:
        source.consumer_tags(*broker.consumer_tags)
    if broker.provider_branch:
        source.provider_branch(broker.provider_branch)
    if broker.include_pending:
        source.include_pending()
    source.build()
