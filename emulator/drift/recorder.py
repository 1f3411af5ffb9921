"""``emulator record``: a reverse proxy in front of the real CustomerID and DFS.

A client pointed at the recorder talks to the real system through it. Each request
goes to the upstream of the API whose URL prefix it carries (DFS also takes
``/connect/``, its token endpoint; a path of neither goes to the first upstream
given, CustomerID's when both are); the answer goes back to the client unchanged
and, scrubbed, into the cassette, flushed before the client sees it."""

from __future__ import annotations

import asyncio
import ssl
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from aiohttp import web
from multidict import CIMultiDict

from .cassette import CassetteWriter, Exchange, Request, Response, encode_body
from .naming import OperationNamer
from .scrub import Scrubber

# RFC 9110 7.6.1 connection-specific fields, plus what aiohttp computes itself
HOP_BY_HOP = frozenset(
    (
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    )
)
DFS_EXTRA_PREFIXES = ("/connect/",)
MAX_BODY = 64 * 1024 * 1024


@dataclass
class RecorderConfig:
    out: Path
    upstreams: dict[str, str]  # api name -> base URL
    upstream_ca: Path | None = None
    insecure: bool = False
    scrub: list[str] = field(default_factory=list)


def client_ssl(config: RecorderConfig) -> ssl.SSLContext | bool:
    if config.insecure:
        return False  # a self-signed sandbox the user chose to trust blindly
    context = ssl.create_default_context()
    if config.upstream_ca is not None:
        context.load_verify_locations(cafile=str(config.upstream_ca))
    return context


RECORDER = web.AppKey("drift_recorder", object)


class Recorder:
    def __init__(self, config: RecorderConfig, namer: OperationNamer | None = None) -> None:
        if not config.upstreams:
            raise ValueError("give at least one upstream (--upstream-customerid, --upstream-dfs)")
        self.config = config
        self.namer = namer or OperationNamer()
        self.scrubber = Scrubber(config.scrub)
        self.writer = CassetteWriter(
            config.out, {"upstreams": dict(config.upstreams), "scrubbed": self.scrubber.names()}
        )
        self.session: aiohttp.ClientSession | None = None
        self._syncing: asyncio.Future | None = None

    def upstream_for(self, path: str) -> tuple[str | None, str | None]:
        api = self.namer.api_for_path(path)
        if api is None and path.startswith(DFS_EXTRA_PREFIXES):
            api = "dfs"
        if api is not None and api in self.config.upstreams:
            return api, self.config.upstreams[api]
        if api is None:  # neither API's path: the first upstream answers it (its 404, as recorded)
            return None, next(iter(self.config.upstreams.values()))
        return api, None

    async def start(self, app: web.Application) -> None:
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(ssl=client_ssl(self.config)),
            auto_decompress=True,
            timeout=aiohttp.ClientTimeout(total=300),
        )

    async def stop(self, app: web.Application) -> None:
        if self.session is not None:
            await self.session.close()
        if self._syncing is not None:
            await self._syncing
        self.writer.close()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        api, base = self.upstream_for(request.path)
        if base is None:
            return web.Response(
                status=502,
                text=f"emulator record: no upstream for {request.path} "
                f"({api or 'no API'}); give --upstream-{api or 'customerid'}\n",
            )
        body = await request.read()
        headers = [
            (name, value)
            for name, value in request.headers.items()
            if name.casefold() not in HOP_BY_HOP and name.casefold() != "accept-encoding"
        ]
        url = base.rstrip("/") + request.raw_path
        started_wall, started = time.time(), time.perf_counter()
        assert self.session is not None  # opened by start(), on the app's startup
        try:
            async with self.session.request(
                request.method, url, headers=headers, data=body or None, allow_redirects=False
            ) as upstream:
                answer = await upstream.read()
                status, answer_headers = upstream.status, list(upstream.headers.items())
        except (aiohttp.ClientError, TimeoutError) as error:
            print(f"emulator record: {request.method} {url}: {error}", file=sys.stderr, flush=True)
            return web.Response(status=502, text=f"emulator record: upstream failed: {error}\n")
        duration = (time.perf_counter() - started) * 1000
        answer_headers = [
            (name, value)
            for name, value in answer_headers
            if name.casefold() not in HOP_BY_HOP and name.casefold() != "content-encoding"
        ]
        self._record(request, body, status, answer_headers, answer, started_wall, duration)
        if self._syncing is None or self._syncing.done():
            self._syncing = asyncio.get_running_loop().run_in_executor(None, self.writer.sync)
        return web.Response(status=status, body=answer, headers=CIMultiDict(answer_headers))

    def _record(
        self,
        request: web.Request,
        body: bytes,
        status: int,
        answer_headers,
        answer: bytes,
        started: float,
        duration: float,
    ) -> None:
        scrub = self.scrubber
        named = self.namer.name(request.method, request.path)
        request_type = (request.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        answer_type = next((value for name, value in answer_headers if name.casefold() == "content-type"), "")
        answer_type = answer_type.split(";")[0].strip().lower()
        request_text, request_encoding = encode_body(scrub.body(body, request_type))
        answer_text, answer_encoding = encode_body(scrub.body(answer, answer_type))
        self.writer.write(
            Exchange(
                seq=self.writer.next_seq(),
                api=named.api,
                operation=named.operation,
                version=named.version,
                # the path as sent (percent-encoded), so a replay sends exactly it
                request=Request(
                    method=request.method,
                    path=request.raw_path.split("?", 1)[0],
                    query=scrub.query(request.raw_path.partition("?")[2]),
                    headers=scrub.header_pairs(request.headers.items()),
                    body=request_text,
                    body_encoding=request_encoding,
                ),
                response=Response(
                    status=status,
                    headers=scrub.header_pairs(answer_headers),
                    body=answer_text,
                    body_encoding=answer_encoding,
                ),
                started=started,
                duration_ms=round(duration, 3),
            )
        )


def recorder_app(config: RecorderConfig) -> web.Application:
    recorder = Recorder(config)
    app = web.Application(client_max_size=MAX_BODY)
    app[RECORDER] = recorder
    app.on_startup.append(recorder.start)
    app.on_cleanup.append(recorder.stop)
    app.router.add_route("*", "/{tail:.*}", recorder.handle)
    return app
