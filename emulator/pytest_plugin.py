"""The emulator's pytest plugin (registered through the ``pytest11`` entry point).

Two fixtures, one API (docs/pytest.md):

- ``emulator`` (async tests): every helper that talks to the emulator is a
  coroutine (``await emulator.requests()``, ``async with emulator.fault(...)``).
  In-process, the emulator app is built once per worker from the session's
  scenarios and served per test by pytest-aiohttp on a free port of the test's
  own loop; each test starts from a full in-process reset (measured fastest:
  docs/pytest.md, "How fresh state is made").
- ``emulator_sync`` (plain ``def`` tests, requests/httpx/urllib clients): the same
  helpers as ordinary calls; the in-process emulator runs in a background thread
  with its own loop, so a blocking client can talk to it.

With ``--emulator-url URL`` (ini ``emulator_url``, env ``EMULATOR_URL``) no server
is started: both fixtures talk to the external emulator and put each test in its
own namespace (``X-Emulator-Namespace``, in ``handle.headers``), deleted after the
test. Helpers only use the control API over HTTP, so they behave the same in both
modes.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import json
import os
import threading
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from .app import create_app, default_apis
from .config import DEFAULT_SCENARIO, PROJECT_SCENARIOS, EmulatorConfig
from .scenarios import Baseline, load_baseline
from .state import NAMESPACE_HEADER, STATE, EmulatorState

CONTROL = "/__emulator"
JOURNAL_IN_REPORT = 20  # the last requests a failing test's report shows
# fault(**spec) shorthand: which keyword goes where in the control API's fault document
MATCH_KEYS = ("api", "operation", "method", "path", "header")
ACTION_KEYS = ("kind", "status", "body", "content_type", "headers", "delay_ms")
FAULT_KEYS = ("id", "probability", "times", "ttl_seconds", "after", "seed")

_names = itertools.count(1)


# -- options and markers ---------------------------------------------------------------------

def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("emulator", "identity emulator (CustomerID / DFS)")
    group.addoption("--emulator-url", dest="emulator_url", metavar="URL",
                    help="use the emulator running at URL (a sidecar) instead of an in-process one; "
                         "each test gets its own namespace (ini emulator_url, env EMULATOR_URL)")
    group.addoption("--emulator-scenario", dest="emulator_scenarios", action="append", metavar="FILE",
                    help="scenario file every test starts from; repeat for several (ini emulator_scenarios; "
                         "default: the project's scenarios/default.yaml, or the external emulator's own)")
    group.addoption("--emulator-control-token", dest="emulator_control_token", metavar="TOKEN",
                    help="control token of the external emulator (ini emulator_control_token, "
                         "env EMULATOR_CONTROL_TOKEN)")
    parser.addini("emulator_scenarios", "scenario files every test starts from (relative to the rootdir)",
                  type="linelist", default=[])
    parser.addini("emulator_url", "URL of an external emulator (as --emulator-url)", default="")
    parser.addini("emulator_control_token", "control token of the external emulator", default="")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "emulator_scenario(*files, replace=False): load these scenario files "
                                       "(relative to the test file, the rootdir, or a name in the emulator's "
                                       "scenario directory) into the test's emulator before it runs")
    config.addinivalue_line("markers", "emulator_fault(**spec): inject a fault for the whole test, e.g. "
                                       "operation='GET105', status=503, times=2 (see EmulatorHandle.fault)")


def external_url(config: pytest.Config) -> str | None:
    url = config.getoption("emulator_url") or config.getini("emulator_url") or os.environ.get("EMULATOR_URL")
    return url.rstrip("/") if url else None


def control_token(config: pytest.Config) -> str | None:
    return (config.getoption("emulator_control_token") or config.getini("emulator_control_token")
            or os.environ.get("EMULATOR_CONTROL_TOKEN") or None)


def configured_scenarios(config: pytest.Config) -> list[Path]:
    """Files relative to the rootdir, or names of the emulator's own scenarios ("default")."""
    root = Path(str(config.rootpath))
    given = config.getoption("emulator_scenarios") or config.getini("emulator_scenarios")
    paths = []
    for entry in given:
        path = Path(entry) if Path(entry).is_absolute() else root / entry
        own = PROJECT_SCENARIOS / f"{entry.removesuffix('.yaml')}.yaml"
        paths.append(own if not path.is_file() and "/" not in entry and own.is_file() else path)
    return paths


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector, name, obj):
    """An ``async def`` test using the ``emulator`` fixture runs on asyncio even in
    pytest-asyncio's strict mode: it gets the asyncio mark before pytest-asyncio looks."""
    if inspect.iscoroutinefunction(obj) and collector.funcnamefilter(name):
        try:
            parameters = inspect.signature(obj).parameters
        except (TypeError, ValueError):
            return None
        marks = getattr(obj, "pytestmark", [])
        if "emulator" in parameters and not any(mark.name == "asyncio" for mark in marks):
            pytest.mark.asyncio(obj)
    return None


# -- the handles -------------------------------------------------------------------------------

class EmulatorCallError(AssertionError):
    """A control-API call the emulator refused: its status and ``{"error", "where"}``."""

    def __init__(self, method: str, path: str, status: int, answer: Any) -> None:
        super().__init__(f"{method} {CONTROL}{path} -> {status}: {answer}")
        self.status, self.answer = status, answer


def fault_document(spec: dict[str, Any]) -> dict[str, Any]:
    """``fault(operation="GET105", status=503, times=2)`` as the control API's fault
    document; ``match=`` / ``action=`` given as dicts are taken as they are."""
    spec = dict(spec)
    document: dict[str, Any] = {"match": dict(spec.pop("match", {})), "action": dict(spec.pop("action", {}))}
    for key in list(spec):
        if key in MATCH_KEYS:
            document["match"][key] = spec.pop(key)
        elif key in ACTION_KEYS:
            document["action"][key] = spec.pop(key)
        elif key in FAULT_KEYS:
            document[key] = spec.pop(key)
    if spec:
        raise TypeError(f"unknown fault keyword(s): {', '.join(sorted(spec))} (match: {', '.join(MATCH_KEYS)}; "
                        f"action: {', '.join(ACTION_KEYS)}; fault: {', '.join(FAULT_KEYS)})")
    return document


def scenario_body(source: Any, search: list[Path]) -> tuple[bytes, str]:
    """What POST /__emulator/scenarios gets for ``source``: a dict (JSON), a file
    (found as given, or in ``search``), YAML text, or the name of a scenario in the
    emulator's scenario directory."""
    if isinstance(source, dict):
        return json.dumps(source).encode(), "application/json"
    text = str(source)
    if "\n" not in text:
        for candidate in [Path(text), *(directory / text for directory in search)]:
            if candidate.is_file():
                return candidate.read_bytes(), "application/yaml"
        if isinstance(source, Path) or text.endswith((".yaml", ".yml")) and "/" in text:
            raise FileNotFoundError(f"no scenario file {text} (looked in {', '.join(map(str, search)) or '.'})")
        return json.dumps({"name": text}).encode(), "application/json"
    return text.encode(), "application/yaml"


def journal_lines(entries: list[dict]) -> list[str]:
    lines = []
    for entry in entries:
        fault = entry.get("fault")
        lines.append(f"#{entry['id']:<4} {entry['method']:<6} {entry['path']}{'?' + entry['query'] if entry.get('query') else ''}"
                     f" -> {entry['status'] if entry['status'] is not None else 'dropped'}"
                     f"  {entry.get('operation') or '-'}"
                     f"{'  ' + str(entry['duration_ms']) + ' ms' if 'duration_ms' in entry else ''}"
                     f"{'  fault ' + fault['id'] + ' (' + fault['kind'] + ')' if fault else ''}")
    return lines


class _Sender:
    """How a handle reaches the control API: aiohttp, on the test's loop."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        self.url, self.headers = url, headers
        self._session: aiohttp.ClientSession | None = None

    async def call(self, method: str, path: str, body: Any = None, *, params: dict | None = None,
                   data: bytes | None = None, content_type: str | None = None, ok=(200, 201)) -> Any:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        headers = dict(self.headers)
        if body is not None:
            data, content_type = json.dumps(body).encode(), "application/json"
        if content_type:
            headers["Content-Type"] = content_type
        async with self._session.request(method, self.url + CONTROL + path, params=params, data=data,
                                         headers=headers) as response:
            text = await response.text()
        answer = json.loads(text) if text and response.content_type == "application/json" else text
        if response.status not in ok:
            raise EmulatorCallError(method, path, response.status, answer)
        return answer

    def call_blocking(self, method: str, path: str, *, query: str = "") -> Any:
        """For hooks outside any loop (the failure report): plain urllib."""
        request = urllib.request.Request(self.url + CONTROL + path + (f"?{query}" if query else ""),
                                         method=method, headers=self.headers)
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


class Clock:
    """The namespace's virtual clock: ``await emulator.clock.freeze("2030-01-01T00:00:00Z")``."""

    def __init__(self, handle: "EmulatorHandle") -> None:
        self._handle = handle

    async def get(self) -> dict:
        return await self._handle._control.call("GET", "/clock")

    async def now(self) -> str:
        return (await self.get())["now"]

    async def set(self, now: str | None = None, *, freeze: bool | None = None) -> dict:
        body: dict[str, Any] = {}
        if now is not None:
            body["now"] = now
        if freeze is not None:
            body["freeze"] = freeze
        return await self._handle._control.call("POST", "/clock", body or {"freeze": False})

    async def freeze(self, now: str | None = None) -> dict:
        return await self.set(now, freeze=True)

    async def unfreeze(self) -> dict:
        return await self.set(freeze=False)

    async def advance(self, seconds: float) -> dict:
        return await self._handle._control.call("POST", "/clock", {"advance_seconds": seconds})


class FaultHandle:
    """``await emulator.fault(...)`` adds a fault for the rest of the test;
    ``async with emulator.fault(...) as fault:`` removes it on exit."""

    def __init__(self, handle: "EmulatorHandle", document: dict) -> None:
        self._handle, self.document = handle, document
        self.id: str | None = None
        self.info: dict = {}

    async def add(self) -> "FaultHandle":
        self.info = await self._handle._control.call("POST", "/faults", self.document)
        self.id = self.info["id"]
        return self

    async def remove(self) -> None:
        if self.id is not None:  # already used up or expired: nothing to remove
            await self._handle._control.call("DELETE", f"/faults/{self.id}", ok=(200, 404))

    async def status(self) -> dict | None:
        """The live fault (fired / matched counts), or None once used up or removed."""
        try:
            return await self._handle._control.call("GET", f"/faults/{self.id}")
        except EmulatorCallError as error:
            if error.status == 404:
                return None
            raise

    def __await__(self):
        return self.add().__await__()

    async def __aenter__(self) -> "FaultHandle":
        return await self.add()

    async def __aexit__(self, *exc_info) -> None:
        await self.remove()


class EmulatorHandle:
    """What a test gets: URLs, ready auth, and the control API as coroutines.

    ``headers`` holds what every request to the emulator must carry (the test's
    namespace when it runs against an external emulator; empty in-process);
    ``auth_headers`` / ``dfs_headers`` include it."""

    def __init__(self, url: str, *, namespace: str | None = None, app=None, baseline: Baseline,
                 token: str | None = None, search: list[Path] | None = None) -> None:
        self.url = url.rstrip("/")
        self.app = app  # the in-process aiohttp app, None against an external emulator
        self.namespace = namespace
        self.baseline = baseline
        self.headers = {NAMESPACE_HEADER: namespace} if namespace else {}
        control_headers = dict(self.headers)
        if token:
            control_headers["Authorization"] = f"Bearer {token}"
        self._control = _Sender(self.url, control_headers)
        self._search = search or []
        self._apis = app[STATE].apis if app is not None else {api.name: api for api in _static_apis()}
        self._dfs_token: str | None = None
        self._threaded = False  # in-process, but served from another thread (emulator_sync)
        self._snapshots: list[str] = []
        self.clock = Clock(self)
        username, password = baseline.settings["customerid"].credentials[0]
        self.credentials = (username, password)
        self.auth_headers = {"Authorization": aiohttp.encode_basic_auth(username, password), **self.headers}

    # -- addresses and auth
    @property
    def external(self) -> bool:
        return self.app is None

    @property
    def state(self) -> EmulatorState:
        if self.app is None:
            raise RuntimeError("emulator.state is in-process only; use the control API helpers "
                               "(requests(), load_scenario(), ...) against an external emulator")
        return self.app[STATE]

    def customerid_url(self, version: str = "2.1") -> str:
        return self.url + self._apis["customerid"].endpoints.base_paths[version]

    def dfs_url(self, version: str = "1.0") -> str:
        """DFS paths start with their version segment: ``dfs_url("1.2") + "/identities"``."""
        return self.url + self._apis["dfs"].endpoints.base_paths[version]

    def dfs_token(self, tenant_uid: str | None = None, identity_id: str | None = "default",
                  client_id: str | None = None) -> str:
        """A Bearer JWT for the scenario's default DFS tenant and identity (other
        arguments: in-process only; ``await mint_dfs_token(...)`` works everywhere)."""
        if self.app is None:
            if (tenant_uid, identity_id, client_id) != (None, "default", None) or self._dfs_token is None:
                raise RuntimeError("against an external emulator use: await emulator.mint_dfs_token(...)")
            return self._dfs_token
        from .dfs.auth import mint

        world = self.state.world
        model, settings = world.models["dfs"], world.settings["dfs"]
        tenant = model.tenant_by_uid(tenant_uid) if tenant_uid else model.tenants.get(settings.default_tenant_id)
        identity = settings.default_identity_id if identity_id == "default" else identity_id
        return mint(settings, tenant, identity, client_id)

    async def mint_dfs_token(self, tenant_uid: str | None = None, identity_id: str | None = "default",
                             client_id: str | None = None) -> str:
        """POST /__emulator/dfs/token: ``identity_id=None`` mints an app token."""
        body: dict[str, Any] = {}
        if tenant_uid is not None:
            body["tenantUid"] = tenant_uid
        if identity_id != "default":
            body["identityId"] = identity_id
        if client_id is not None:
            body["clientId"] = client_id
        return (await self._control.call("POST", "/dfs/token", body))["access_token"]

    @property
    def dfs_headers(self) -> dict[str, str]:
        """``Authorization: Bearer`` for the scenario's default DFS tenant and identity."""
        return {"Authorization": "Bearer " + self.dfs_token(), **self.headers}

    def session(self, **kwargs) -> aiohttp.ClientSession:
        """A client session sending the CustomerID credentials (HTTP Basic) and ``headers``."""
        kwargs["headers"] = {**self.auth_headers, **kwargs.get("headers", {})}
        return aiohttp.ClientSession(**kwargs)

    def model(self, api: str = "customerid"):
        return self.state.world.models[api]

    def id_of(self, kind: str, key: str) -> str:
        """The id a scenario key was given (e.g. ``id_of("user", "maija")``); from the
        session's scenarios when the emulator is external."""
        keys = self.state.world.keys if self.app is not None else self.baseline.keys
        return keys[(kind, key)]

    # -- the control API
    async def control(self, method: str, path: str, body: Any = None, **kwargs) -> Any:
        """Any control call in this test's namespace: ``await emulator.control("GET", "/health")``."""
        return await self._control.call(method, path, body, **kwargs)

    async def reset(self, keep: str | None = None) -> dict:
        return await self._control.call("POST", "/reset", params={"keep": keep} if keep else None)

    async def load_scenario(self, source: Any, *, replace: bool = False) -> dict:
        """A scenario on top of the current state (``replace=True``: instead of it):
        a file path, a dict, YAML text, or a name from the emulator's scenario directory."""
        data, content_type = scenario_body(source, self._search)
        return await self._control.call("POST", "/scenarios", data=data, content_type=content_type,
                                        params={"replace": "true"} if replace else None)

    async def snapshot(self, snapshot_id: str | None = None) -> str:
        answer = await self._control.call("POST", "/snapshots", {"id": snapshot_id} if snapshot_id else {})
        self._snapshots.append(answer["id"])
        return answer["id"]

    async def restore(self, snapshot_id: str | None = None) -> None:
        """Back to a snapshot (default: the last one this test took)."""
        if snapshot_id is None:
            if not self._snapshots:
                raise RuntimeError("no snapshot taken yet: await emulator.snapshot() first")
            snapshot_id = self._snapshots[-1]
        await self._control.call("POST", f"/snapshots/{snapshot_id}/restore")

    def fault(self, **spec) -> FaultHandle:
        """``async with emulator.fault(operation="GET105", status=503, times=2):`` -- keywords
        go to the fault's match (api, operation, method, path, header), action (kind,
        status, body, content_type, headers, delay_ms) or the fault itself (probability,
        times, ttl_seconds, after, seed, id); ``match=`` / ``action=`` dicts also work."""
        return FaultHandle(self, fault_document(spec))

    async def requests(self, **filters) -> list[dict]:
        """The journal of this test's requests, oldest first: filters as GET
        /__emulator/requests takes them (api, operation, method, path, status, since,
        fault, limit)."""
        params = {key: (str(value).lower() if isinstance(value, bool) else str(value))
                  for key, value in filters.items() if value is not None}
        return (await self._control.call("GET", "/requests", params=params))["requests"]

    async def count(self, **match) -> int:
        return (await self._control.call("POST", "/requests/count", {"match": match}))["count"]

    async def assert_called(self, operation: str, times: int | None = None, **match) -> int:
        """Assert the journal has ``times`` requests of ``operation`` (at least one
        when ``times`` is None); more filters as in count()."""
        count = await self.count(operation=operation, **match)
        if (count == 0) if times is None else (count != times):
            recent = journal_lines(await self.requests(limit=JOURNAL_IN_REPORT))
            wanted = "at least once" if times is None else f"{times} time(s)"
            raise AssertionError(f"expected {operation} {wanted}{' matching ' + str(match) if match else ''}, "
                                 f"got {count}; journal:\n  " + "\n  ".join(recent or ["(empty)"]))
        return count

    async def register_user(self, user_id: str) -> dict:
        """The invited user completes registration (CustomerID)."""
        return (await self._control.call("POST", f"/customerid/users/{user_id}/register"))["result"]

    async def action(self, api: str, path: str) -> dict:
        """Any simulated user/system action: ``await emulator.action("customerid", f"users/{id}/lock")``."""
        return (await self._control.call("POST", f"/{api}/{path}"))["result"]

    # -- plugin internals
    def recent_journal(self, limit: int = JOURNAL_IN_REPORT) -> list[dict]:
        """Blocking (no loop needed): the last requests, for the failure report."""
        if self.app is not None and not self._threaded:
            from .journal import entries_json

            journal = self.state.namespaces[self.namespace or "default"].journal
            entries = list(journal.entries)[-limit:]
            return entries_json(entries, journal.body_limit)
        return self._control.call_blocking("GET", "/requests", query=f"limit={limit}")["requests"]


def _static_apis() -> list:
    global _APIS
    if _APIS is None:
        _APIS = default_apis()
    return _APIS


_APIS: list | None = None


class _Portal:
    """A loop in a background thread: runs the in-process emulator for sync tests
    and the sync handle's coroutines."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="emulator-loop", daemon=True)
        self.thread.start()

    def run(self, coroutine, timeout: float = 60):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


class SyncClock:
    def __init__(self, handle: "SyncEmulatorHandle") -> None:
        self._clock, self._run = handle._async.clock, handle._portal.run

    def get(self) -> dict:
        return self._run(self._clock.get())

    def now(self) -> str:
        return self._run(self._clock.now())

    def set(self, now: str | None = None, *, freeze: bool | None = None) -> dict:
        return self._run(self._clock.set(now, freeze=freeze))

    def freeze(self, now: str | None = None) -> dict:
        return self._run(self._clock.freeze(now))

    def unfreeze(self) -> dict:
        return self._run(self._clock.unfreeze())

    def advance(self, seconds: float) -> dict:
        return self._run(self._clock.advance(seconds))


class SyncFault:
    """``emulator_sync.fault(...)`` adds the fault at once; as a context manager it
    is removed on exit."""

    def __init__(self, fault: FaultHandle, run) -> None:
        self._fault, self._run = fault, run
        run(fault.add())
        self.id, self.info = fault.id, fault.info

    def remove(self) -> None:
        self._run(self._fault.remove())

    def status(self) -> dict | None:
        return self._run(self._fault.status())

    def __enter__(self) -> "SyncFault":
        return self

    def __exit__(self, *exc_info) -> None:
        self.remove()


class SyncEmulatorHandle:
    """``emulator_sync``: the same attributes and helpers as ``emulator``, as plain calls."""

    def __init__(self, handle: EmulatorHandle, portal: _Portal) -> None:
        self._async, self._portal = handle, portal
        self.url, self.headers, self.namespace = handle.url, handle.headers, handle.namespace
        self.auth_headers, self.credentials = handle.auth_headers, handle.credentials
        self.clock = SyncClock(self)

    def __getattr__(self, name: str):  # customerid_url, dfs_url, dfs_token, id_of, model, state, app, ...
        value = getattr(self._async, name)
        if inspect.iscoroutinefunction(value):
            return lambda *args, **kwargs: self._portal.run(value(*args, **kwargs))
        return value

    @property
    def dfs_headers(self) -> dict[str, str]:
        return self._async.dfs_headers

    def fault(self, **spec) -> SyncFault:
        return SyncFault(self._async.fault(**spec), self._portal.run)

    def recent_journal(self, limit: int = JOURNAL_IN_REPORT) -> list[dict]:
        return self._async.recent_journal(limit)


# -- fixtures ---------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def emulator_baseline(request: pytest.FixtureRequest) -> Baseline:
    """The scenarios every in-process test starts from, loaded once per worker."""
    paths = configured_scenarios(request.config) or [DEFAULT_SCENARIO]
    return load_baseline(paths, default_apis())


@pytest.fixture(scope="session")
def emulator_app(emulator_baseline: Baseline):
    """The in-process emulator app, built once per worker; tests reuse it after a full reset."""
    return create_app(EmulatorConfig(), baseline=emulator_baseline)


def _test_namespace(request: pytest.FixtureRequest) -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return f"pytest-{worker}-{next(_names)}-{uuid.uuid4().hex[:8]}"


def _search_path(request: pytest.FixtureRequest) -> list[Path]:
    return [Path(str(request.path)).parent, Path(str(request.config.rootpath))]


async def _prepare(handle: EmulatorHandle, request: pytest.FixtureRequest) -> None:
    """Default scenarios (external emulator), then the test's markers."""
    if handle.external:
        scenarios = configured_scenarios(request.config)
        for index, path in enumerate(scenarios):
            await handle.load_scenario(path, replace=index == 0)
        try:
            handle._dfs_token = await handle.mint_dfs_token()
        except EmulatorCallError:
            handle._dfs_token = None  # no DFS (or no default tenant) on that emulator
    for marker in reversed(list(request.node.iter_markers("emulator_scenario"))):  # closest last
        for index, source in enumerate(marker.args):
            await handle.load_scenario(source, replace=bool(marker.kwargs.get("replace")) and index == 0)
    for marker in reversed(list(request.node.iter_markers("emulator_fault"))):
        await handle.fault(**marker.kwargs)


def _register(request: pytest.FixtureRequest, handle) -> None:
    request.node.stash[_HANDLE] = handle


_HANDLE = pytest.StashKey[object]()


@pytest_asyncio.fixture
async def emulator(request: pytest.FixtureRequest, emulator_baseline: Baseline, emulator_app,
                   aiohttp_server) -> EmulatorHandle:
    """The emulator for an ``async def`` test: fresh state, ready auth, async helpers."""
    url = external_url(request.config)
    if url is not None:
        handle = EmulatorHandle(url, namespace=_test_namespace(request), baseline=emulator_baseline,
                                token=control_token(request.config), search=_search_path(request))
    else:
        app = emulator_app
        app[STATE].renew()
        # aiohttp remembers the loop an app first ran on; each test has its own loop and
        # nothing in the emulator holds on to it, so the app may move (3 ms saved per test).
        app._loop = None
        try:
            server = await aiohttp_server(app)
        except RuntimeError:  # an aiohttp that will not let an app move between loops: a fresh app (+3 ms)
            app = create_app(EmulatorConfig(), baseline=emulator_baseline)
            server = await aiohttp_server(app)
        handle = EmulatorHandle(str(server.make_url("")), app=app, baseline=emulator_baseline,
                                search=_search_path(request))
    _register(request, handle)
    try:
        await _prepare(handle, request)
        yield handle
    finally:
        if handle.external:
            await handle._control.call("DELETE", f"/namespaces/{handle.namespace}", ok=(200, 404))
        await handle._control.close()


@pytest.fixture(scope="session")
def _emulator_portal():
    portal = _Portal()
    yield portal
    portal.close()


@pytest.fixture(scope="session")
def emulator_server(request: pytest.FixtureRequest, _emulator_portal: _Portal, emulator_baseline: Baseline):
    """The in-process emulator served from a background thread (its own loop) for
    sync tests: ``(app, url)``, one per worker. None against an external emulator."""
    if external_url(request.config) is not None:
        yield None
        return
    from aiohttp import web

    app = create_app(EmulatorConfig(), baseline=emulator_baseline)

    async def start():
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        return runner, f"http://127.0.0.1:{port}"

    runner, url = _emulator_portal.run(start())
    yield app, url
    _emulator_portal.run(runner.cleanup())


@pytest.fixture
def emulator_sync(request: pytest.FixtureRequest, _emulator_portal: _Portal, emulator_server,
                  emulator_baseline: Baseline) -> SyncEmulatorHandle:
    """The emulator for a plain ``def`` test (requests, httpx, urllib): the same
    helpers as ``emulator``, as ordinary calls."""
    url = external_url(request.config)
    if url is not None:
        handle = EmulatorHandle(url, namespace=_test_namespace(request), baseline=emulator_baseline,
                                token=control_token(request.config), search=_search_path(request))
    else:
        app, server_url = emulator_server

        async def renew():
            app[STATE].renew()

        _emulator_portal.run(renew())  # on the server's loop: no request sees half a reset
        handle = EmulatorHandle(server_url, app=app, baseline=emulator_baseline, search=_search_path(request))
        handle._threaded = True
    sync = SyncEmulatorHandle(handle, _emulator_portal)
    _register(request, sync)
    try:
        _emulator_portal.run(_prepare(handle, request))
        yield sync
    finally:
        if handle.external:
            _emulator_portal.run(handle._control.call("DELETE", f"/namespaces/{handle.namespace}", ok=(200, 404)))
        _emulator_portal.run(handle._control.close())


# -- the failure report ---------------------------------------------------------------------------

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if not report.failed or report.when == "teardown":
        return
    handle = item.stash.get(_HANDLE, None)
    if handle is None:
        return
    try:
        entries = handle.recent_journal(JOURNAL_IN_REPORT)
        where = f"namespace {handle.namespace}" if handle.namespace else "in-process"
        text = "\n".join(journal_lines(entries)) or "(no requests)"
        report.sections.append((f"emulator journal ({where}, last {JOURNAL_IN_REPORT})", text))
    except Exception as error:  # the report must never hide the real failure
        report.sections.append(("emulator journal", f"(could not read the journal: {error!r})"))
