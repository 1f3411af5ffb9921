"""The journal as an HTTP Archive (HAR 1.2, http://www.softwareishard.com/blog/har-12-spec/),
for browsers' developer tools and HAR viewers.

Bodies are what the journal kept: up to its body limit (``journal_body_bytes``);
a body cut there is marked with ``_truncated: true`` and a ``comment`` (custom
fields start with ``_``, as the format allows). The emulator does not see the
network's phases, so ``timings`` puts the whole time in ``wait`` (``-1``: not
applicable for blocked, dns, connect, ssl); a connection a fault dropped has
status 0 and ``_error``.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

from .. import __version__
from ..world.journal import JournalEntry, iso_time

HTTP_VERSION = "HTTP/1.1"


def har_document(entries: Iterable[JournalEntry], body_limit: int, comment: str = "") -> dict[str, Any]:
    log: dict[str, Any] = {
        "version": "1.2",
        "creator": {"name": "identity-emulator", "version": __version__},
        "entries": [har_entry(entry, body_limit) for entry in entries],
    }
    if comment:
        log["comment"] = comment
    return {"log": log}


def har_entry(entry: JournalEntry, body_limit: int) -> dict[str, Any]:
    headers = entry.request_headers
    url = f"http://{headers.get('Host', 'localhost')}{entry.path}" + (f"?{entry.query}" if entry.query else "")
    request: dict[str, Any] = {
        "method": entry.method,
        "url": url,
        "httpVersion": HTTP_VERSION,
        "cookies": [],
        "headers": _headers(headers),
        "queryString": [
            {"name": name, "value": value}
            for name, value in urllib.parse.parse_qsl(entry.query, keep_blank_values=True)
        ],
        "headersSize": -1,
        "bodySize": len(entry.request_body) if entry.request_body else 0,
    }
    if entry.request_body:
        request["postData"] = {
            "mimeType": headers.get("Content-Type", "application/octet-stream"),
            "params": [],
            **_text(entry.request_body, body_limit),
        }
    response_headers = entry.response_headers if entry.response_headers is not None else {}
    content_type = response_headers.get("Content-Type", "")
    content: dict[str, Any] = {"size": 0, "mimeType": content_type or "x-unknown"}
    if entry.response_body:
        content.update(_text(entry.response_body, body_limit))
        length = response_headers.get("Content-Length", "")
        content["size"] = int(length) if length.isdigit() else min(len(entry.response_body), body_limit)
    response: dict[str, Any] = {
        "status": entry.status or 0,
        "statusText": _reason(entry.status),
        "httpVersion": HTTP_VERSION,
        "cookies": [],
        "headers": _headers(response_headers),
        "content": content,
        "redirectURL": response_headers.get("Location", ""),
        "headersSize": -1,
        "bodySize": content["size"] if entry.response_body else 0,
    }
    if entry.status is None:
        response["_error"] = "the connection was dropped by an injected fault"
    har: dict[str, Any] = {
        "startedDateTime": iso_time(entry.time - entry.duration_ms / 1000),
        "time": round(entry.duration_ms, 3),
        "request": request,
        "response": response,
        "cache": {},
        "timings": {
            "blocked": -1,
            "dns": -1,
            "connect": -1,
            "ssl": -1,
            "send": 0,
            "wait": round(entry.duration_ms, 3),
            "receive": 0,
        },
        "_id": entry.seq,
        "_api": entry.api,
        "_operation": entry.operation,
    }
    if entry.fault is not None:
        har["_fault"] = entry.fault
    if entry.contract is not None:
        har["_contract"] = entry.contract
    return har


def _headers(headers) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in headers.items()]


def _text(body: bytes, limit: int) -> dict[str, Any]:
    text = body[:limit].decode("utf-8", "replace")
    if len(body) <= limit:
        return {"text": text}
    return {
        "text": text,
        "_truncated": True,
        "comment": f"cut at {limit} bytes by the journal (its journal_body_bytes)",
    }


def _reason(status: int | None) -> str:
    if status is None:
        return ""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
