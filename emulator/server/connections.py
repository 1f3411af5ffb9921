"""What the emulator does about slow, idle and malformed connections.

* A connection with no request in progress, including one whose request head is
  still trickling in, is closed after ``connection_idle_seconds`` (aiohttp's
  keep-alive timer, which runs from the connection's start and from each answer).
* A request body must arrive within ``body_read_seconds``: ``read_body`` only starts
  a timer when the body is not already in (ordinary bodies arrive with the head, so
  they cost nothing extra) and answers a slow one with 408; the rest of a body is
  drained for at most as long before the connection closes.
* A malformed request (bad request line, header or chunking) is one log line, not a
  traceback: aiohttp answers it 400 itself and logs it with ``exc_info``; the
  filter below rewrites that record.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from ..config import EmulatorConfig

BODY_READ_SECONDS = web.AppKey("emulator_body_read_seconds", float)


def handler_args(config: EmulatorConfig) -> dict:
    # lingering_time: how long the unread rest of a refused body (413, 408) is drained
    # before the connection closes; aiohttp's default is 10 s.
    return {"keepalive_timeout": config.connection_idle_seconds, "lingering_time": min(10.0, config.body_read_seconds)}


async def read_body(request: web.Request) -> bytes:
    """``request.read()``, bounded in time (408) when the body is still arriving."""
    if request.content.is_eof():
        return await request.read()
    seconds = request.config_dict.get(BODY_READ_SECONDS, EmulatorConfig.body_read_seconds)
    try:
        async with asyncio.timeout(seconds):
            return await request.read()
    except TimeoutError:
        raise web.HTTPRequestTimeout(reason=f"the request body did not arrive within {seconds:g} s") from None


class MalformedRequestLine(logging.Filter):
    """aiohttp's "Error handling request" record for a request it could not parse,
    turned into one line (who, what) at warning level; other records pass as they are."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, HttpProcessingError):
            remote = record.args[0] if isinstance(record.args, tuple) and record.args else "?"
            record.msg, record.args = (
                "malformed HTTP request from %s: %s",
                (remote, " ".join(str(exc.message or exc).split())[:200]),
            )
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def install_log_filter() -> None:
    logger = logging.getLogger("aiohttp.server")
    if not any(isinstance(existing, MalformedRequestLine) for existing in logger.filters):
        logger.addFilter(MalformedRequestLine())
