"""The cassette: one JSON object per line. The first line describes the recording,
every later line is one exchange, written and flushed as soon as the answer is in,
so a recorder that dies mid-run leaves every finished exchange readable (a torn
last line is skipped on reading)."""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

FORMAT = "emulator-cassette"
FORMAT_VERSION = 1


class CassetteError(Exception):
    pass


def encode_body(body: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 text as itself, anything else as base64."""
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return base64.b64encode(body).decode("ascii"), "base64"


def decode_body(text: str, encoding: str) -> bytes:
    return base64.b64decode(text) if encoding == "base64" else text.encode("utf-8")


@dataclass
class Message:
    headers: list[tuple[str, str]]
    body: str = ""
    body_encoding: str = "utf-8"

    @property
    def raw_body(self) -> bytes:
        return decode_body(self.body, self.body_encoding)

    def header(self, name: str) -> str | None:
        folded = name.casefold()
        return next((value for key, value in self.headers if key.casefold() == folded), None)

    @property
    def media_type(self) -> str:
        return (self.header("Content-Type") or "").split(";")[0].strip().lower()


@dataclass
class Request(Message):
    method: str = "GET"
    path: str = "/"
    query: str = ""


@dataclass
class Response(Message):
    status: int = 200


@dataclass
class Exchange:
    seq: int
    api: str | None  # None: a path neither API serves
    operation: str | None  # the vendor's code in this version (GET105, MOD001, post /v1.2/identities)
    version: str | None
    request: Request
    response: Response
    started: float = field(default_factory=time.time)
    duration_ms: float = 0.0

    @property
    def label(self) -> str:
        return f"{self.operation or 'unknown'} ({self.api or '?'} {self.version or '?'})"

    def to_json(self) -> dict[str, Any]:
        document = asdict(self)
        for part in ("request", "response"):
            document[part]["headers"] = [list(pair) for pair in document[part]["headers"]]
        return document

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> Exchange:
        request = dict(document["request"])
        response = dict(document["response"])
        request["headers"] = [tuple(pair) for pair in request.get("headers", [])]
        response["headers"] = [tuple(pair) for pair in response.get("headers", [])]
        return cls(
            seq=document["seq"],
            api=document.get("api"),
            operation=document.get("operation"),
            version=document.get("version"),
            request=Request(**request),
            response=Response(**response),
            started=document.get("started", 0.0),
            duration_ms=document.get("duration_ms", 0.0),
        )


class CassetteWriter:
    """Appends exchanges; each line is flushed to the OS before its answer goes
    back, so a recorder killed at any point loses nothing it finished. ``sync()``
    (fsync: against power loss) costs milliseconds, so the recorder runs it off
    the event loop, coalesced, and once more on closing."""

    def __init__(self, path: Path, header: dict[str, Any]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fresh = not self.path.exists() or self.path.stat().st_size == 0
        self._file = self.path.open("a", encoding="utf-8")
        self.count = 0
        if fresh:
            self._write({"format": FORMAT, "version": FORMAT_VERSION, "created": time.time(), **header})
        else:
            self.count = sum(1 for _ in read_exchanges(self.path))

    def next_seq(self) -> int:
        self.count += 1
        return self.count

    def write(self, exchange: Exchange) -> None:
        self._write(exchange.to_json())

    def _write(self, document: dict[str, Any]) -> None:
        self._file.write(json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n")
        self._file.flush()

    def sync(self) -> None:
        os.fsync(self._file.fileno())

    def close(self) -> None:
        self._file.flush()
        self.sync()
        self._file.close()


def read_header(path: Path) -> dict[str, Any]:
    with Path(path).open(encoding="utf-8") as file:
        first = file.readline()
    try:
        header = json.loads(first)
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise CassetteError(f"{path}: not an emulator cassette (the first line names format {FORMAT!r})")
    if header.get("version") != FORMAT_VERSION:
        raise CassetteError(
            f"{path}: cassette format version {header.get('version')}, this emulator reads {FORMAT_VERSION}"
        )
    return header


def read_exchanges(path: Path) -> Iterator[Exchange]:
    """The exchanges in recording order. A line that does not parse is where a
    recorder died: it is the last one, and it is skipped."""
    read_header(path)
    with Path(path).open(encoding="utf-8") as file:
        file.readline()
        for number, line in enumerate(file, start=2):
            if not line.strip():
                continue
            try:
                yield Exchange.from_json(json.loads(line))
            except (ValueError, KeyError, TypeError) as error:
                if file.readline():
                    raise CassetteError(f"{path}:{number}: not an exchange ({error})") from None
                return
