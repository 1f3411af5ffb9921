"""``EmulatorHandle``: what an ``async def`` test gets from the ``emulator`` fixture:
URLs, ready auth, and the control API as coroutines (docs/pytest.md)."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import aiohttp

from ..app import default_apis
from ..customerid.models import CustomerIdSettings
from ..world.scenarios import Baseline, missing_key_message
from ..world.state import NAMESPACE_HEADER, STATE, EmulatorState
from .codeflow import CodeFlowHelpers
from .excerpt import JOURNAL_IN_REPORT, journal_lines
from .tokens import TokenHelpers

if TYPE_CHECKING:
    from .sync_handle import _Portal

T = TypeVar("T")
CONTROL = "/__emulator"
# Before an external emulator has said otherwise: the CustomerID settings' default
DEFAULT_CREDENTIALS = CustomerIdSettings().credentials[0]
# fault(**spec) shorthand: which keyword goes where in the control API's fault document
MATCH_KEYS = ("api", "operation", "method", "path", "header")
BODY_MATCH_KINDS = {"json", "xml", "form"}  # body={"json": {...}} matches; a text or JSON body answers
ACTION_KEYS = ("kind", "status", "body", "content_type", "headers", "delay_ms")
FAULT_KEYS = ("id", "probability", "times", "ttl_seconds", "after", "seed")


class UnknownScenarioKey(KeyError):
    """id_of() with a kind or key no loaded scenario defines; the message lists what exists."""

    def __str__(self) -> str:
        return str(self.args[0])


class EmulatorCallError(AssertionError):
    """A control-API call the emulator refused: its status and ``{"error", "where"}``."""

    def __init__(self, method: str, path: str, status: int, answer: Any) -> None:
        super().__init__(f"{method} {CONTROL}{path} -> {status}: {answer}")
        self.status, self.answer = status, answer


def fault_document(spec: dict[str, Any]) -> dict[str, Any]:
    """``fault(operation="GET105", status=503, times=2)`` as the control API's fault
    document; ``match=`` / ``action=`` given as dicts are taken as they are. ``body``
    is what the fault answers, unless it is a body pattern (``body={"json": {...}}``,
    ``xml``, ``form``: docs/control-api.md), which goes to ``match``; so does
    ``match_body``."""
    spec = dict(spec)
    document: dict[str, Any] = {"match": dict(spec.pop("match", {})), "action": dict(spec.pop("action", {}))}
    if "match_body" in spec:
        document["match"]["body"] = spec.pop("match_body")
    body = spec.get("body")
    if isinstance(body, dict) and len(body) == 1 and set(body) <= BODY_MATCH_KINDS:
        document["match"]["body"] = spec.pop("body")
    for key in list(spec):
        if key in MATCH_KEYS:
            document["match"][key] = spec.pop(key)
        elif key in ACTION_KEYS:
            document["action"][key] = spec.pop(key)
        elif key in FAULT_KEYS:
            document[key] = spec.pop(key)
    if spec:
        raise TypeError(
            f"unknown fault keyword(s): {', '.join(sorted(spec))} (match: {', '.join(MATCH_KEYS)}, match_body; "
            f"action: {', '.join(ACTION_KEYS)}; fault: {', '.join(FAULT_KEYS)})"
        )
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


class _Sender:
    """How a handle reaches the control API: aiohttp, on the test's loop."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        self.url, self.headers = url, headers
        self._session: aiohttp.ClientSession | None = None

    async def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        params: dict | None = None,
        data: bytes | None = None,
        content_type: str | None = None,
        ok=(200, 201),
    ) -> Any:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        headers = dict(self.headers)
        if body is not None:
            data, content_type = json.dumps(body).encode(), "application/json"
        if content_type:
            headers["Content-Type"] = content_type
        async with self._session.request(
            method, self.url + CONTROL + path, params=params, data=data, headers=headers
        ) as response:
            text = await response.text()
        answer = json.loads(text) if text and response.content_type == "application/json" else text
        if response.status not in ok:
            raise EmulatorCallError(method, path, response.status, answer)
        return answer

    def call_blocking(self, method: str, path: str, *, query: str = "", body: Any = None) -> Any:
        """For hooks outside any loop (the failure report, tokens minted from a sync
        test): plain urllib."""
        headers, data = dict(self.headers), None
        if body is not None:
            headers["Content-Type"], data = "application/json", json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + CONTROL + path + (f"?{query}" if query else ""), data=data, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            text = error.read().decode("utf-8", "replace")
            try:
                answer = json.loads(text)
            except ValueError:
                answer = text
            raise EmulatorCallError(method, path, error.code, answer) from None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


class Clock:
    """The namespace's virtual clock: ``await emulator.clock.freeze("2030-01-01T00:00:00Z")``."""

    def __init__(self, handle: EmulatorHandle) -> None:
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

    def __init__(self, handle: EmulatorHandle, document: dict) -> None:
        self._handle, self.document = handle, document
        self.id: str | None = None
        self.info: dict = {}

    async def add(self) -> FaultHandle:
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

    async def __aenter__(self) -> FaultHandle:
        return await self.add()

    async def __aexit__(self, *exc_info) -> None:
        await self.remove()


class EmulatorHandle(TokenHelpers, CodeFlowHelpers):
    """What a test gets: URLs, ready auth, and the control API as coroutines.

    ``headers`` holds what every request to the emulator must carry (the test's
    namespace when it runs against an external emulator; empty in-process);
    ``auth_headers`` / ``bearer_headers`` / ``dfs_headers`` include it (tokens.py)."""

    def __init__(
        self,
        url: str,
        *,
        namespace: str | None = None,
        app=None,
        baseline: Baseline | None = None,
        token: str | None = None,
        search: list[Path] | None = None,
        credentials: tuple[str, str] | None = None,
        https_url: str | None = None,
        ca_file: Path | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        # The same emulator over HTTPS, and the local CA certificate to trust for it
        # (in-process; None against an external emulator): docs/oauth.md, "HTTPS".
        self.https_url = https_url.rstrip("/") if https_url else None
        self.ca_file = ca_file
        self.app = app  # the in-process aiohttp app, None against an external emulator
        self.namespace = namespace
        self.baseline = baseline  # in-process: what the app was built from
        self.headers = {NAMESPACE_HEADER: namespace} if namespace else {}
        control_headers = dict(self.headers)
        if token:
            control_headers["Authorization"] = f"Bearer {token}"
        self._control = _Sender(self.url, control_headers)
        self._search = search or []
        self._apis = app[STATE].apis if app is not None else {api.name: api for api in _static_apis()}
        self._dfs_token: str | None = None
        self._portal: _Portal | None = None  # in-process: the background loop that serves the app
        self._snapshots: list[str] = []
        self.clock = Clock(self)
        if credentials is None and app is not None:
            credentials = app[STATE].world.settings["customerid"].credentials[0]
        self.use_credentials(
            *(credentials or (baseline.settings["customerid"].credentials[0] if baseline else DEFAULT_CREDENTIALS))
        )

    def use_credentials(self, username: str, password: str) -> None:
        """The CustomerID service account session() and auth_headers send (against an
        external emulator: the one its scenarios configure, read when the test starts)."""
        self.credentials = (username, password)
        self.auth_headers = {"Authorization": aiohttp.encode_basic_auth(username, password), **self.headers}

    # -- addresses and auth
    @property
    def external(self) -> bool:
        return self.app is None

    @property
    def state(self) -> EmulatorState:
        if self.app is None:
            raise RuntimeError(
                "emulator.state is in-process only; use the control API helpers "
                "(requests(), load_scenario(), ...) against an external emulator"
            )
        return self.app[STATE]

    def customerid_url(self, version: str = "2.1") -> str:
        return self.url + self._apis["customerid"].endpoints.base_paths[version]

    def dfs_url(self, version: str = "1.0") -> str:
        """DFS paths start with their version segment: ``dfs_url("1.2") + "/identities"``."""
        return self.url + self._apis["dfs"].endpoints.base_paths[version]

    def session(self, **kwargs) -> aiohttp.ClientSession:
        """A client session sending the CustomerID credentials (HTTP Basic) and ``headers``."""
        kwargs["headers"] = {**self.auth_headers, **kwargs.get("headers", {})}
        return aiohttp.ClientSession(**kwargs)

    def model(self, api: str = "customerid"):
        return self.state.world.models[api]

    def id_of(self, kind: str, key: str) -> str:
        """The id a scenario key was given (e.g. ``id_of("user", "maija")``), in this
        test's current state; an external emulator answers it (GET /__emulator/keys/
        {kind}/{key}). An unknown kind or key raises UnknownScenarioKey listing what exists."""
        if self.app is not None:
            keys = self.state.world.keys
            if (kind, key) not in keys:
                raise UnknownScenarioKey(missing_key_message(keys, kind, key))
            return keys[(kind, key)]
        quoted = "/".join(urllib.parse.quote(part, safe="") for part in (kind, key))
        try:
            return self._control.call_blocking("GET", f"/keys/{quoted}")["id"]
        except EmulatorCallError as error:
            if error.status == 404 and isinstance(error.answer, dict) and "error" in error.answer:
                raise UnknownScenarioKey(error.answer["error"]) from None
            raise

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
        return await self._control.call(
            "POST", "/scenarios", data=data, content_type=content_type, params={"replace": "true"} if replace else None
        )

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
        go to the fault's match (api, operation, method, path, header, body), action (kind,
        status, body, content_type, headers, delay_ms) or the fault itself (probability,
        times, ttl_seconds, after, seed, id); ``match=`` / ``action=`` dicts also work."""
        return FaultHandle(self, fault_document(spec))

    async def requests(self, **filters) -> list[dict]:
        """The journal of this test's requests, oldest first: filters as GET
        /__emulator/requests takes them (api, operation, method, path, status, since,
        fault, limit)."""
        params = {
            key: (str(value).lower() if isinstance(value, bool) else str(value))
            for key, value in filters.items()
            if value is not None
        }
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
            raise AssertionError(
                f"expected {operation} {wanted}{' matching ' + str(match) if match else ''}, "
                f"got {count}; journal:\n  " + "\n  ".join(recent or ["(empty)"])
            )
        return count

    async def wait_for(
        self, operation: str | None = None, *, count: int = 1, timeout: float = 10.0, after: int = 0, **match
    ) -> list[dict]:
        """Wait until the journal holds ``count`` requests (with an id above ``after``)
        matching ``operation`` and ``match`` (the keys of count(), ``body`` too), at most
        ``timeout`` seconds (60 at most); returns them. On timeout: AssertionError with
        what matched and the journal's last requests."""
        if operation is not None:
            match["operation"] = operation
        body: dict[str, Any] = {"match": match, "count": count, "timeout": timeout}
        if after:
            body["after"] = after
        answer = await self._control.call("POST", "/requests/wait", body)
        if answer["timed_out"]:
            recent = journal_lines(await self.requests(limit=JOURNAL_IN_REPORT))
            raise AssertionError(
                f"waited {timeout:g} s for {count} request(s){' matching ' + str(match) if match else ''}, "
                f"{answer['count']} came; journal:\n  " + "\n  ".join(recent or ["(empty)"])
            )
        return answer["requests"]

    async def journal_position(self) -> int:
        """The id of the last journaled request (0: none yet): ``wait_for(after=...)``
        then counts only what comes after it."""
        last = await self.requests(limit=1)
        return last[-1]["id"] if last else 0

    async def har(self, **filters) -> dict:
        """The journal as a HAR 1.2 document (filters as requests())."""
        params = {key: str(value) for key, value in filters.items() if value is not None}
        return await self._control.call("GET", "/requests.har", params=params)

    async def register_user(self, user_id: str) -> dict:
        """The invited user completes registration (CustomerID)."""
        return (await self._control.call("POST", f"/customerid/users/{user_id}/register"))["result"]

    async def action(self, api: str, path: str) -> dict:
        """Any simulated user/system action: ``await emulator.action("customerid", f"users/{id}/lock")``."""
        return (await self._control.call("POST", f"/{api}/{path}"))["result"]

    # -- plugin internals
    def _on_server(self, work: Callable[[], T]) -> T:
        """``work()`` on the loop that serves the in-process app, so what it reads or
        writes never interleaves with a request being served; at once when already
        there (or when the app is served on this very loop)."""
        portal = self._portal
        if portal is None or threading.current_thread() is portal.thread:
            return work()

        async def run() -> T:
            return work()

        return portal.run(run())

    def recent_har(self) -> dict:
        """Blocking (no loop needed): the journal as HAR, for a failing test's file."""
        if self.app is not None:
            from ..control.har import har_document

            def recent() -> dict:
                journal = self.state.namespaces[self.namespace or "default"].journal
                return har_document(list(journal.entries), journal.body_limit)

            return self._on_server(recent)
        return self._control.call_blocking("GET", "/requests.har")

    def recent_journal(self, limit: int = JOURNAL_IN_REPORT) -> list[dict]:
        """Blocking (no loop needed): the last requests, for the failure report."""
        if self.app is not None:
            from ..world.journal import entries_json

            def recent() -> list[dict]:
                journal = self.state.namespaces[self.namespace or "default"].journal
                return entries_json(list(journal.entries)[-limit:], journal.body_limit)

            return self._on_server(recent)
        return self._control.call_blocking("GET", "/requests", query=f"limit={limit}")["requests"]


def _static_apis() -> list:
    global _APIS
    if _APIS is None:
        _APIS = default_apis()
    return _APIS


_APIS: list | None = None
