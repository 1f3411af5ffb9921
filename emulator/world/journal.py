"""The request journal: what each emulated-API request asked and got, for tests
to verify ("the client retried twice after a 503, then succeeded").

A ring buffer per namespace. Recording costs one small object per request: bodies
are kept as truncated bytes and turned into text only when someone reads the
journal. When the buffer is full the oldest entry goes and ``evicted`` counts it,
so nobody mistakes a full buffer for silence.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, Protocol

from .budget import JOURNAL_ENTRY_BYTES, MemoryBudget, UnlimitedBudget
from .matching import MatchError, RequestPattern, parse_since, status_test

__all__ = ["Journal", "JournalEntry", "MatchError", "RequestMatch", "entries_json", "iso_time"]

MATCH_KEYS = (
    "api",
    "operation",
    "method",
    "path",
    "status",
    "since",
    "namespace",
    "fault",
    "header",
    "contract",
    "body",
)


class Watcher(Protocol):
    def see(self, entry: JournalEntry) -> None: ...

    def close(self) -> None: ...


class JournalEntry:
    __slots__ = (
        "seq",
        "time",
        "api",
        "operation",
        "version",
        "method",
        "path",
        "query",
        "status",
        "duration_ms",
        "request_body",
        "response_body",
        "request_headers",
        "fault",
        "response_headers",
        "contract",
    )

    def __init__(
        self,
        seq: int,
        time: float,
        api: str,
        operation: str | None,
        version: str | None,
        method: str,
        path: str,
        query: str,
        status: int | None,
        duration_ms: float,
        request_body: bytes,
        response_body: bytes,
        request_headers,
        fault: dict | None,
        response_headers=None,
        contract: dict | None = None,
    ) -> None:
        self.seq, self.time, self.api, self.operation, self.version = seq, time, api, operation, version
        self.method, self.path, self.query, self.status = method, path, query, status
        self.duration_ms, self.request_body, self.response_body = duration_ms, request_body, response_body
        self.request_headers, self.fault = request_headers, fault
        # The response's own header mapping, kept by reference: no copy per request,
        # and it shows what aiohttp added when it sent the response (Content-Length).
        self.response_headers = response_headers
        self.contract = contract  # the contract check's verdict (--contract), None when it found nothing

    def to_json(self, body_limit: int) -> dict[str, Any]:
        return {
            "id": self.seq,
            "timestamp": iso_time(self.time),
            "api": self.api,
            "operation": self.operation,
            "version": self.version,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "status": self.status,
            "duration_ms": round(self.duration_ms, 3),
            "request_body": _text(self.request_body, body_limit),
            "request_headers": dict(self.request_headers),
            "response_headers": dict(self.response_headers) if self.response_headers is not None else None,
            "response_body": _text(self.response_body, body_limit),
            "fault": self.fault,
            "contract": self.contract,
        }


def iso_time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _text(body: bytes, limit: int) -> str | None:
    if not body:
        return None
    text = body[:limit].decode("utf-8", "replace")
    return text + "…" if len(body) > limit else text


def _entry_bytes(entry: JournalEntry) -> int:
    return len(entry.request_body) + len(entry.response_body) + JOURNAL_ENTRY_BYTES


class Journal:
    def __init__(self, limit: int, body_limit: int, budget: MemoryBudget | None = None) -> None:
        self.limit = limit
        self.body_limit = body_limit
        self.entries: deque[JournalEntry] = deque(maxlen=limit or None)
        self.evicted = 0
        self.seq = 0
        self.bytes = 0  # charged to the process-wide budget (emulator/budget.py)
        self.budget = budget if budget is not None else UnlimitedBudget()
        # Waiters and stream subscribers (watchers.py), told of each new entry; empty
        # (one falsy test per request) while nobody waits or streams.
        self.watchers: list[Watcher] = []

    @property
    def enabled(self) -> bool:
        return self.limit > 0

    def record_exchange(
        self,
        time: float,
        api: str,
        operation: str | None,
        version: str | None,
        request,
        response,
        duration_ms: float,
        fault: dict | None,
        dropped: bool,
        contract: dict | None = None,
    ) -> None:
        """Append one served request. Bodies are kept cut to ``body_limit + 1``
        bytes (so the reader can tell they were cut); headers by reference. A
        dropped connection (a fault) has no status and no response headers."""
        cut = self.body_limit + 1
        request_body = getattr(request, "_read_bytes", None) or b""  # what the handler read, if it did
        if len(request_body) > cut:
            request_body = request_body[:cut]
        response_body = getattr(response, "body", None)
        if type(response_body) is not bytes:
            response_body = bytes(response_body) if isinstance(response_body, bytearray) else b""
        if len(response_body) > cut:
            response_body = response_body[:cut]
        self.seq += 1
        entry = JournalEntry(
            self.seq,
            time,
            api,
            operation,
            version,
            request.method,
            request.path,
            request.query_string,
            None if dropped else response.status,
            duration_ms,
            request_body,
            response_body,
            request.headers,
            fault,
            None if dropped else response.headers,
            contract,
        )
        size = _entry_bytes(entry)
        entries = self.entries
        if len(entries) == self.limit:
            self.evicted += 1
            size -= _entry_bytes(entries[0])
        entries.append(entry)
        self.bytes += size
        budget = self.budget
        budget.journal_bytes += size
        if budget.journal_bytes + budget.held > budget.limit:
            budget.reclaim()
        if self.watchers:
            for watcher in list(self.watchers):
                watcher.see(entry)

    def watch(self, watcher: Watcher) -> None:
        self.watchers.append(watcher)

    def unwatch(self, watcher: Watcher) -> None:
        if watcher in self.watchers:
            self.watchers.remove(watcher)

    def close_watchers(self) -> None:
        """The server stops or the namespace goes: every waiter answers, every stream ends."""
        for watcher in list(self.watchers):
            watcher.close()
        self.watchers.clear()

    def drop_oldest(self) -> None:
        """Evict the oldest entry for the memory budget (counted in ``evicted``)."""
        size = _entry_bytes(self.entries.popleft())
        self.bytes -= size
        self.budget.journal_bytes -= size
        self.evicted += 1

    def clear(self) -> None:
        self.entries.clear()
        self.budget.journal_bytes -= self.bytes
        self.bytes = 0
        self.evicted = 0

    def select(self, match: RequestMatch) -> Iterator[JournalEntry]:
        return (entry for entry in self.entries if match.matches(entry))


class RequestMatch:
    """A journal filter: every given key must match (``path`` is a glob, ``status``
    a number or a class like ``5xx``, ``since`` an ISO timestamp, ``fault`` true =
    a fault fired on the request, or a fault id)."""

    def __init__(self, spec: dict[str, Any], where: str = "match") -> None:
        unknown = set(spec) - set(MATCH_KEYS)
        if unknown:
            raise MatchError(f"{where}.{sorted(unknown)[0]}", f"unknown key (known: {', '.join(MATCH_KEYS)})")
        self.request = RequestPattern(spec, where)
        self.status = status_test(spec.get("status"), f"{where}.status")
        self.since = parse_since(spec["since"], f"{where}.since") if spec.get("since") is not None else None
        fault = spec.get("fault")
        if fault is not None and not isinstance(fault, (bool, str)):
            raise MatchError(f"{where}.fault", "must be true/false or a fault id")
        self.fault = fault
        contract = spec.get("contract")
        if contract is not None and not isinstance(contract, bool):
            raise MatchError(f"{where}.contract", "must be true (a contract violation was found) or false")
        self.contract = contract

    def matches(self, entry: JournalEntry) -> bool:
        request = self.request
        if not request.fits(entry.api, entry.operation, entry.method, entry.path, entry.request_headers):
            return False
        if request.body is not None and not request.body.fits(entry.request_body):
            return False  # a body the journal cut short does not parse: no match
        if self.status is not None and not self.status(entry.status):
            return False
        if self.since is not None and entry.time < self.since:
            return False
        if self.contract is not None and (entry.contract is not None) != self.contract:
            return False
        if self.fault is not None:
            if isinstance(self.fault, bool):
                if (entry.fault is not None) != self.fault:
                    return False
            elif entry.fault is None or entry.fault["id"] != self.fault:
                return False
        return True


def entries_json(entries: Iterable[JournalEntry], body_limit: int) -> list[dict]:
    return [entry.to_json(body_limit) for entry in entries]
