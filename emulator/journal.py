"""The request journal: what each emulated-API request asked and got, for tests
to verify ("the client retried twice after a 503, then succeeded").

A ring buffer per namespace. Recording costs one small object per request: bodies
are kept as truncated bytes and turned into text only when someone reads the
journal. When the buffer is full the oldest entry goes and ``evicted`` counts it,
so nobody mistakes a full buffer for silence.
"""

from __future__ import annotations

import re
from collections import deque
from datetime import datetime, timezone
from typing import Any, Iterable, Iterator

from .budget import JOURNAL_ENTRY_BYTES, MemoryBudget, UnlimitedBudget

MATCH_KEYS = ("api", "operation", "method", "path", "status", "since", "namespace", "fault", "header", "contract")


class JournalEntry:
    __slots__ = ("seq", "time", "api", "operation", "version", "method", "path", "query", "status",
                 "duration_ms", "request_body", "response_body", "request_headers", "fault", "response_headers",
                 "contract")  # contract: set by emulator/contract.py on a violation only; unset costs nothing

    def __init__(self, seq: int, time: float, api: str, operation: str | None, version: str | None,
                 method: str, path: str, query: str, status: int | None, duration_ms: float,
                 request_body: bytes, response_body: bytes, request_headers, fault: dict | None,
                 response_headers=None) -> None:
        self.seq, self.time, self.api, self.operation, self.version = seq, time, api, operation, version
        self.method, self.path, self.query, self.status = method, path, query, status
        self.duration_ms, self.request_body, self.response_body = duration_ms, request_body, response_body
        self.request_headers, self.fault = request_headers, fault
        # The response's own header mapping, kept by reference: no copy per request,
        # and it shows what aiohttp added when it sent the response (Content-Length).
        self.response_headers = response_headers

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
            "contract": getattr(self, "contract", None),
        }


def iso_time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


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

    @property
    def enabled(self) -> bool:
        return self.limit > 0

    def record_exchange(self, time: float, api: str, operation: str | None, version: str | None,
                        request, response, duration_ms: float, fault: dict | None, dropped: bool) -> None:
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
        entry = JournalEntry(self.seq, time, api, operation, version, request.method, request.path,
                             request.query_string, None if dropped else response.status, duration_ms,
                             request_body, response_body, request.headers, fault,
                             None if dropped else response.headers)
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

    def select(self, match: "RequestMatch") -> Iterator[JournalEntry]:
        return (entry for entry in self.entries if match.matches(entry))


class MatchError(ValueError):
    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where, self.problem = where, problem


def parse_since(value: Any, where: str) -> float:
    """An ISO 8601 timestamp (as the journal shows them) or epoch seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise MatchError(where, f"{value!r} is not an ISO 8601 timestamp") from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=timezone.utc)
        return parsed.timestamp()
    raise MatchError(where, "must be an ISO 8601 timestamp or epoch seconds")


def compile_glob(pattern: str) -> re.Pattern:
    """``*`` matches within one path segment, ``**`` across segments."""
    parts = re.split(r"(\*\*|\*|\?)", pattern)
    regex = "".join({"**": ".*", "*": "[^/]*", "?": "[^/]"}.get(part, re.escape(part)) for part in parts)
    return re.compile(regex + r"\Z")


class RequestMatch:
    """A journal filter: every given key must match (``path`` is a glob, ``status``
    a number or a class like ``5xx``, ``since`` an ISO timestamp, ``fault`` true =
    a fault fired on the request, or a fault id)."""

    def __init__(self, spec: dict[str, Any], where: str = "match") -> None:
        unknown = set(spec) - set(MATCH_KEYS)
        if unknown:
            raise MatchError(f"{where}.{sorted(unknown)[0]}", f"unknown key (known: {', '.join(MATCH_KEYS)})")
        self.api = _optional_str(spec, "api", where)
        self.operation = _optional_str(spec, "operation", where)
        method = _optional_str(spec, "method", where)
        self.method = method.upper() if method else None
        path = _optional_str(spec, "path", where)
        self.path = compile_glob(path) if path else None
        self.status = _status_test(spec.get("status"), f"{where}.status")
        self.since = parse_since(spec["since"], f"{where}.since") if spec.get("since") is not None else None
        fault = spec.get("fault")
        if fault is not None and not isinstance(fault, (bool, str)):
            raise MatchError(f"{where}.fault", "must be true/false or a fault id")
        self.fault = fault
        self.header = header_test(spec.get("header"), f"{where}.header")
        contract = spec.get("contract")
        if contract is not None and not isinstance(contract, bool):
            raise MatchError(f"{where}.contract", "must be true (a contract violation was found) or false")
        self.contract = contract

    def matches(self, entry: JournalEntry) -> bool:
        if self.api is not None and entry.api != self.api:
            return False
        if self.operation is not None and entry.operation != self.operation:
            return False
        if self.method is not None and entry.method != self.method:
            return False
        if self.path is not None and not self.path.match(entry.path):
            return False
        if self.status is not None and not self.status(entry.status):
            return False
        if self.since is not None and entry.time < self.since:
            return False
        if self.header is not None and not self.header(entry.request_headers):
            return False
        if self.contract is not None and (getattr(entry, "contract", None) is not None) != self.contract:
            return False
        if self.fault is not None:
            if isinstance(self.fault, bool):
                if (entry.fault is not None) != self.fault:
                    return False
            elif entry.fault is None or entry.fault["id"] != self.fault:
                return False
        return True


def header_test(value: Any, where: str):
    """``{"X-Test": "a"}``: each named header present with exactly that value
    (names are case-insensitive); a value of ``"*"`` only asks for presence."""
    if value is None:
        return None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise MatchError(where, "must map header names to string values")
    wanted = tuple(value.items())

    def test(headers) -> bool:
        for name, expected in wanted:
            actual = headers.get(name)
            if actual is None or (expected != "*" and actual != expected):
                return False
        return True

    return test


def _optional_str(spec: dict, key: str, where: str) -> str | None:
    value = spec.get(key)
    if value is not None and not isinstance(value, str):
        raise MatchError(f"{where}.{key}", "must be a string")
    return value or None


def _status_test(value: Any, where: str):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return lambda status: status == value
    if isinstance(value, str):
        text = value.strip().lower()
        if text.isascii() and text.isdigit():
            number = int(text)
            return lambda status: status == number
        if len(text) == 3 and text[0] in "0123456789" and text[1:] == "xx":
            digit = int(text[0])
            return lambda status: status is not None and status // 100 == digit
        if text in ("none", "null"):  # the connection was dropped: no status
            return lambda status: status is None
    raise MatchError(where, "must be a status code, a class like 5xx, or none")


def entries_json(entries: Iterable[JournalEntry], body_limit: int) -> list[dict]:
    return [entry.to_json(body_limit) for entry in entries]


