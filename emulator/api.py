"""What an emulated API plugs into the core with.

The core (store, scenarios, worlds, routing, control API) knows APIs only through
these Protocols: ``EmulatedApi`` is what every API must have, the ``Has...`` ones
are optional hooks the core tests with ``isinstance``. CustomerID and DFS
implement them all; mypy checks them where ``app.default_apis`` returns them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypedDict, runtime_checkable

from aiohttp import web

from .endpoints import EndpointTable, Operation
from .store.core import Collection

# (request, world, path parameters) -> response
Handler = Callable[[web.Request, Any, dict[str, str]], Awaitable[web.StreamResponse]]
# (status, content type, body or None) -> None, or (contract name, problem)
AnswerCheck = Callable[[int, str, bytes | None], "tuple[str, str] | None"]


@runtime_checkable
class EmulatedApi(Protocol):
    """What every API must provide: the core calls all of it unconditionally. The
    optional hooks are the ``Has...`` Protocols below, tested with ``isinstance``
    (which checks that the members exist; mypy checks their types)."""

    name: str
    endpoints: EndpointTable
    url_prefixes: tuple[str, ...]

    @property
    def scenario_schema(self) -> dict:
        """JSON Schema of this API's section in a scenario file."""

    def collections(self) -> list[Collection]: ...

    def default_settings(self) -> Any: ...

    def load_scenario_section(self, section: dict, context: Any) -> None:  # world.scenarios.ScenarioContext
        """Apply one scenario file's section (already schema-valid) to the store."""

    def build_model(self, store, settings, clock) -> Any: ...

    def warm_up(self, settings) -> None:
        """What a first request would otherwise pay (imports, keys made on first use); the
        command-line server calls it in a background thread once it listens."""

    def bind(self, operation: Operation, version: str) -> Handler:
        """The aiohttp-facing handler of one operation in one version: auth, parsing,
        rendering and the API's error documents happen in there."""

    def error_response(self, status: int, detail: str, request: web.Request) -> web.Response:
        """The API's own error document for a status (router misses, body too large)."""

    def summary_counts(self, store) -> dict[str, int]: ...

    def dump_scenario_section(self, store, settings, keys: Mapping[tuple[str, str], str]) -> dict:
        """This API's whole state in ``store`` as its scenario section: loading it
        (into an empty store) gives back exactly this state. ``keys`` maps
        (kind, scenario key) to ids, so entities keep their scenario keys."""


class ResponseContract(Protocol):
    """An API's published contract (see emulator/contract/check.py)."""

    def checker(self, operation: Operation, version: str) -> AnswerCheck | None:
        """The answers one operation may give in one version; ``None``: no published
        contract, not checked."""

    def error_checker(self, path: str) -> AnswerCheck | None:
        """Answers outside any operation (router misses); ``None`` where no published
        contract covers ``path``."""


@runtime_checkable
class HasResponseContract(Protocol):
    def response_contract(self) -> ResponseContract:
        """What ``--contract warn|strict`` checks every answer against (built only
        when it is on)."""


@runtime_checkable
class HasControlRoutes(Protocol):
    def control_routes(self) -> Iterable[ControlRoute]:
        """The API's own emulator-only routes as (method, path, handler), served under
        ``/__emulator/{name}``: what happens outside the API (a person completing
        registration), token minting, the API's OpenAPI document."""


@runtime_checkable
class HasControlActions(Protocol):
    def control_actions(self) -> list[ControlAction]:
        """Simulated end-user or system actions, served by the control API at
        ``POST /__emulator/<api name>/<path>``."""


@runtime_checkable
class HasTryIt(Protocol):
    def try_it(self, world, url: str) -> list[str]:
        """Comment and curl lines that answer 2xx on ``world`` at ``url``
        (``--print-curl``, printed by ``make run``), with credentials that work."""


@runtime_checkable
class HasBearerToken(Protocol):
    def bearer_token(self, world, options: dict, issuer_base: str) -> str:
        """A fresh, valid Bearer token for this API's protected operations in ``world``
        (Pact provider states hand it to a pact: docs/pact.md). ``options`` are the
        state's params that concern tokens (CustomerID: username, clientId, scope; DFS:
        tenantUid, identityId, clientId, scope); ``issuer_base`` is the emulator's base URL
        as the caller sees it. Raises LookupError for a tenant, user or client the world
        does not hold, ValueError for a scope the client may not have."""


@runtime_checkable
class HasAnswerSchema(Protocol):
    def answer_schema(self, code: str, version: str, status: int, media_type: str) -> tuple[dict, dict] | None:
        """The schema the API's documents give one answer of operation ``code`` in
        ``version`` (JSON Schema with OpenAPI ``xml`` objects for XML), and the document its
        ``$ref``s point into; ``None`` where they give none. Pact export derives its
        matching rules from it (docs/pact.md)."""


@runtime_checkable
class HasRecordKinds(Protocol):
    def record_kinds(self) -> list[RecordKind]:
        """How the record browser (``/__emulator/records``, the dashboard) names,
        searches and breaks down this API's collections; a collection not listed is
        still browsable under a name derived from its kind."""


class CompleteApi(
    EmulatedApi,
    HasResponseContract,
    HasControlRoutes,
    HasControlActions,
    HasTryIt,
    HasRecordKinds,
    HasBearerToken,
    HasAnswerSchema,
    Protocol,
):
    """An API with every optional hook, as both built-in ones are (app.default_apis)."""


ControlRoute = tuple[str, str, Callable[[web.Request], Awaitable[web.StreamResponse]]]


def control_routes_of(api: EmulatedApi) -> Iterable[ControlRoute]:
    return api.control_routes() if isinstance(api, HasControlRoutes) else ()


def control_actions_of(api: EmulatedApi) -> list[ControlAction]:
    return api.control_actions() if isinstance(api, HasControlActions) else []


@dataclass(frozen=True)
class ControlAction:
    """One simulated action: ``path`` under /__emulator/<api>/ with ``{name}``
    parameters; ``run(world, path_params)`` returns a JSON-able result or raises
    ``ControlActionError``. It runs inside a store transaction."""

    path: str
    summary: str
    run: Callable[[Any, dict[str, str]], Any]


@dataclass(frozen=True)
class RecordKind:
    """One browsable kind of record. ``search(collection, text)`` returns matching
    ids from the collection's indexes (cost follows the matches, never the store);
    ``breakdowns`` count records per key of an index, e.g. users per status, as
    (label, index name, key -> display name); ``columns`` are the fields a table
    shows first, read from the stored record or from ``row(record)`` (readable
    values such as a status name); ``document(model, record)`` is the record as the
    API answers it: a list of ``ApiAnswer`` dicts (one per tenant where the answer
    depends on it), given instead of the stored fields; ``internal`` marks the
    emulator's bookkeeping (locks, sequences, failed logins, issued tokens), which
    the dashboard shows apart from the API's entities."""

    name: str
    collection: str
    columns: tuple[str, ...] = ("id",)
    search: Callable[[Any, str], Iterable[Any]] | None = None
    breakdowns: tuple[tuple[str, str, Callable[[Any], str]], ...] = ()
    document: Callable[[Any, Any], list[ApiAnswer]] | None = None
    row: Callable[[Any], dict] | None = None
    internal: bool = False


class ApiAnswer(TypedDict, total=False):
    """What an API's own read operation answers for one record: ``operation`` its
    code (GET105, ``get /v1.0/identities/{identityId}``), ``request`` the method and
    path, ``tenant`` where the answer depends on the caller's tenant, ``contentType``,
    and ``body`` (text for XML, the decoded document for JSON)."""

    operation: str
    request: str
    tenant: str
    contentType: str
    body: Any


class ControlActionError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def package_file(module_file: str, *parts: str) -> Path:
    return Path(module_file).resolve().parent.joinpath(*parts)
