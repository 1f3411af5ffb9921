"""The record browser of the control API (what the dashboard shows as tables).

``GET /__emulator/records`` counts every kind of record per API (with breakdowns
such as users per status); ``GET /__emulator/records/{api}/{kind}`` pages through
one kind, optionally searched; ``GET /__emulator/records/{api}/{kind}/{id}`` is one
record. A record is shown as the API would answer it: for a kind the API serves
(``RecordKind.document``), ``answers`` holds what its own read operation answers
for the record (CustomerID's GET105 XML, DFS's ``get /v1.0/identities/{identityId}``
JSON, per tenant), rendered by the API's own renderer, and the stored fields are
not shown. Only the emulator's bookkeeping, which no operation answers, is shown
as stored (``record``, field names of the emulator's model), and never its
secrets: a text field whose name says password, secret, token, hash or verifier
is shown as ``HIDDEN``. ``row`` holds the table's column values. Kinds an API
marks ``internal`` carry ``"internal": true`` in the counts.

Cost follows the page, never the store: counts are collection sizes and index
bucket sizes, a page without a search is a slice of the collection's rows, and a
search asks the API's indexes (``RecordKind.search``), so its cost follows the
number of matches (a breakdown's bucket, ``?by=status&value=Locked``, costs its
size). A kind without a search hook is searched by exact id only.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
from collections.abc import Hashable, Iterator, Mapping
from typing import Any

from aiohttp import web

from ..api import HasRecordKinds, RecordKind
from ..world.state import NAMESPACE_HEADER, STATE, EmulatorState, NamespaceError

DEFAULT_PAGE = 50
HIDDEN = "(hidden)"
_SECRET_NAME = re.compile(r"password|secret|token|hash|verifier|private", re.IGNORECASE)
MAX_PAGE = 500
MAX_QUERY = 200


class _NotServed(Exception):
    def __init__(self, status: int, message: str, where: str, **extra: Any) -> None:
        super().__init__(message)
        self.body = {"error": message, "where": where, **extra}
        self.status = status


@functools.cache
def _field_names(cls: type) -> tuple[str, ...] | None:
    return tuple(field.name for field in dataclasses.fields(cls)) if dataclasses.is_dataclass(cls) else None


def record_json(value: Any) -> Any:
    """A stored record (frozen dataclasses, tuples, mappings) as plain JSON."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    record_type: type = type(value)
    names = _field_names(record_type)
    if names is not None:
        return {name: record_json(getattr(value, name)) for name in names}
    if isinstance(value, Mapping):
        return {str(key): record_json(item) for key, item in value.items()}
    if isinstance(value, (tuple, list, set, frozenset)):
        return [record_json(item) for item in value]
    return value


def without_secrets(value: Any) -> Any:
    """``value`` (plain JSON) with every text under a secret-sounding name hidden:
    ``password`` goes, ``password_enabled`` (a flag) stays."""
    if isinstance(value, dict):
        return {
            name: HIDDEN if isinstance(item, str) and _SECRET_NAME.search(name) else without_secrets(item)
            for name, item in value.items()
        }
    if isinstance(value, list):
        return [without_secrets(item) for item in value]
    return value


def id_text(key: Hashable) -> str:
    """A record's key as it appears in URLs: composite keys joined with ':'."""
    return ":".join(str(part) for part in key) if isinstance(key, tuple) else str(key)


def _is_number(text: str) -> bool:
    return text.isascii() and text.isdigit()  # not "²", which str.isdigit() accepts and int() refuses


def _keys_for(text: str) -> Iterator[Hashable]:
    """The keys an id in a URL may stand for: the text, a number, a composite key."""
    yield text
    if _is_number(text):
        yield int(text)
    if ":" in text:
        yield tuple(int(part) if _is_number(part) else part for part in text.split(":"))


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def record_kinds(api, store) -> dict[str, RecordKind]:
    """Every collection of ``api`` in ``store`` as a kind: the API's own
    descriptions first, the rest under a name derived from the collection."""
    declared = {kind.collection: kind for kind in (api.record_kinds() if isinstance(api, HasRecordKinds) else ())}
    prefix = f"{api.name}."
    kinds: dict[str, RecordKind] = {}
    for collection in store.kinds():
        if collection.startswith(prefix):
            kind = declared.get(collection) or RecordKind(_camel(collection[len(prefix) :]), collection)
            kinds[kind.name] = kind
    return kinds


def _document(kind: RecordKind, key: Hashable, record: Any, model: Any) -> dict:
    """One record for the browser: its id, the values of the table's columns, and
    either the API's own answers for it (``answers``, when the API has a read
    operation for the kind) or its stored fields (``record``: bookkeeping)."""
    stored = record_json(record)
    if not isinstance(stored, dict):
        stored = {"value": stored}
    readable = kind.row(record) if kind.row is not None else {}
    row = {column: readable.get(column, stored.get(column)) for column in kind.columns if column != "id"}
    entry: dict[str, Any] = {"id": id_text(key), "row": without_secrets(row)}
    if kind.document is not None:
        entry["answers"] = kind.document(model, record)
    else:
        entry["record"] = without_secrets({**stored, **readable})
    return entry


def _counts(kind: RecordKind, collection) -> dict[str, Any]:
    counts: dict[str, Any] = {"count": len(collection)}
    by: dict[str, dict[str, int]] = {}
    for label, index, name in kind.breakdowns:
        by[label] = {name(key): len(collection.lookup(index, key)) for key in collection.index_keys(index)}
    if by:
        counts["by"] = by
    return counts


def _int_query(request: web.Request, name: str, default: int, maximum: int | None = None) -> int:
    text = request.query.get(name)
    if text is None or text == "":
        return default
    if not _is_number(text) or len(text) > 9 or (maximum is not None and not 0 < int(text) <= maximum):
        bounds = f"between 1 and {maximum}" if maximum is not None else "0 or more"
        raise _NotServed(400, f"{name} must be a whole number {bounds}", f"?{name}")
    return int(text)


class _Browser:
    """One request's view: the namespace's store and the named API and kind."""

    def __init__(self, request: web.Request) -> None:
        state: EmulatorState = request.app[STATE]
        try:
            self.namespace = state.namespace_for(request)
        except NamespaceError as error:
            raise _NotServed(error.status, str(error), NAMESPACE_HEADER) from None
        self.state = state
        self.store = self.namespace.world.store

    def model(self, api_name: str) -> Any:
        """What the API's ``document`` hooks render from (None for an API without one)."""
        return self.namespace.world.models.get(api_name)

    def kind(self, request: web.Request) -> tuple[str, RecordKind]:
        api_name, kind_name = request.match_info["api"], request.match_info["kind"]
        api = self.state.apis.get(api_name)
        if api is None:
            raise _NotServed(404, f"no API named {api_name!r}", "api", known=list(self.state.apis))
        kinds = record_kinds(api, self.store)
        if kind_name not in kinds:
            raise _NotServed(404, f"{api_name} has no kind of record named {kind_name!r}", "kind", known=list(kinds))
        return api_name, kinds[kind_name]


def _served(handler):
    async def serve(request: web.Request) -> web.Response:
        try:
            return web.json_response(handler(request))
        except _NotServed as problem:
            return web.json_response(problem.body, status=problem.status)

    serve.__name__ = serve.__qualname__ = handler.__name__
    serve.__doc__ = handler.__doc__
    return serve


@_served
def record_counts(request: web.Request) -> dict:
    """How many records of each kind each API holds, with breakdowns."""
    browser = _Browser(request)
    return {
        "namespace": browser.namespace.name,
        "apis": {
            name: {
                kind.name: {
                    "collection": kind.collection,
                    "columns": list(kind.columns),
                    "internal": kind.internal,
                    **_counts(kind, browser.store[kind.collection]),
                }
                for kind in record_kinds(api, browser.store).values()
            }
            for name, api in browser.state.apis.items()
        },
    }


def _breakdown_subset(request: web.Request, kind: RecordKind, collection) -> set | None:
    """``?by=status&value=Enabled``: the ids in one bucket of a breakdown (one
    index lookup; the distinct keys are few, so finding the key by its name is cheap)."""
    label = request.query.get("by")
    if label is None:
        return None
    breakdown = next((entry for entry in kind.breakdowns if entry[0] == label), None)
    if breakdown is None:
        raise _NotServed(
            400, f"{kind.name} are broken down by {', '.join(b[0] for b in kind.breakdowns) or 'nothing'}", "?by"
        )
    if "value" not in request.query:
        raise _NotServed(400, "by needs a value (as GET /__emulator/records names it)", "?value")
    _, index, name = breakdown
    wanted = request.query["value"]
    return next(
        (set(collection.lookup(index, key)) for key in collection.index_keys(index) if name(key) == wanted), set()
    )


@_served
def list_records(request: web.Request) -> dict:
    """One page of one kind of record, optionally searched (?q=) or one breakdown's bucket (?by=&value=)."""
    browser = _Browser(request)
    api_name, kind = browser.kind(request)
    collection = browser.store[kind.collection]
    offset = _int_query(request, "offset", 0)
    limit = _int_query(request, "limit", DEFAULT_PAGE, MAX_PAGE)
    query = request.query.get("q", "").strip()
    if len(query) > MAX_QUERY:
        raise _NotServed(400, f"q is at most {MAX_QUERY} characters", "?q")
    subset = _breakdown_subset(request, kind, collection)
    if query or subset is not None:
        if query:
            found = {key for key in _keys_for(query) if key in collection}
            if kind.search is not None:
                found.update(kind.search(collection, query))
            if subset is not None:
                found &= subset
        else:
            assert subset is not None  # no query: the subset is why we are here
            found = subset
        ordered = sorted(found, key=id_text)
        total, keys = len(ordered), ordered[offset : offset + limit]
        page = [(key, collection.get(key)) for key in keys]
    else:
        total = len(collection)
        # islice skips the keys before the page in C (about 1 ms per 100,000): no
        # record is read or converted outside the page.
        page = [(key, collection.get(key)) for key in itertools.islice(collection.ids(), offset, offset + limit)]
    model = browser.model(api_name)
    return {
        "api": api_name,
        "kind": kind.name,
        "namespace": browser.namespace.name,
        "query": query or None,
        **({"by": request.query["by"], "value": request.query["value"]} if subset is not None else {}),
        "total": total,
        "offset": offset,
        "limit": limit,
        "columns": list(kind.columns),
        "records": [_document(kind, key, record, model) for key, record in page],
    }


@_served
def get_record(request: web.Request) -> dict:
    """One record's full document, by kind and id."""
    browser = _Browser(request)
    api_name, kind = browser.kind(request)
    collection = browser.store[kind.collection]
    wanted = request.match_info["id"]
    for key in _keys_for(wanted):
        record = collection.get(key)
        if record is not None:
            return {"api": api_name, "kind": kind.name, **_document(kind, key, record, browser.model(api_name))}
    raise _NotServed(404, f"no {kind.name} record {wanted!r} in namespace {browser.namespace.name}", "id")


def routes() -> list[tuple[str, str, Any]]:
    return [
        ("GET", "/records", record_counts),
        ("GET", "/records/{api}/{kind}", list_records),
        ("GET", "/records/{api}/{kind}/{id}", get_record),
    ]
