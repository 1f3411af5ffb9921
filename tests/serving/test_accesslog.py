"""The access log (``emulator serve``'s request lines): times by ``perf_counter``
(sub-millisecond, where the loop's clock under uvloop gave ``0.0 ms``) and the
namespace in JSON lines."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re

import pytest
from aiohttp.test_utils import TestServer

from emulator.app import create_app
from emulator.serving.accesslog import LOGGER_NAME, RequestLogger, elapsed_ms, timing_middleware

BASIC = {"Authorization": "Basic cmVzdHVzZXI6c2VjcmV0"}
USERS = "/customerid-rest/services/2.1/users?status=Enabled"


@pytest.fixture
def log_lines():
    """The access logger with its own stream (restored after the test)."""
    logger = logging.getLogger(LOGGER_NAME + ".test")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


async def lines_of(stream: io.StringIO, count: int) -> list[str]:
    """The lines logged so far, once there are ``count`` (aiohttp logs after the response is sent)."""
    for _ in range(500):
        if len(stream.getvalue().splitlines()) >= count:
            break
        await asyncio.sleep(0.01)
    return stream.getvalue().splitlines()


async def logged_client(aiohttp_client, logger, log_format: str):
    app = create_app()
    app.middlewares.append(timing_middleware)
    server = TestServer(app)
    await server.start_server(access_log_class=RequestLogger, access_log=logger, access_log_format=log_format)
    return await aiohttp_client(server)


async def test_json_lines_carry_the_namespace_and_a_sub_millisecond_time(aiohttp_client, log_lines):
    logger, stream = log_lines
    client = await logged_client(aiohttp_client, logger, "json")
    await client.post("/__emulator/namespaces", json={"name": "logged"})
    response = await client.get(USERS, headers={**BASIC, "X-Emulator-Namespace": "logged"})  # GET104
    assert response.status == 200
    lines = [json.loads(line) for line in await lines_of(stream, 2)]
    line = next(entry for entry in lines if entry["operation"] == "GET104")
    assert line["namespace"] == "logged"
    # perf_counter, not the loop's clock: a real figure with fractions of a millisecond
    assert isinstance(line["ms"], float) and 0 < line["ms"] and line["ms"] != round(line["ms"])


async def test_a_namespace_refused_is_logged_with_its_name_and_status(aiohttp_client, log_lines):
    logger, stream = log_lines
    client = await logged_client(aiohttp_client, logger, "json")
    response = await client.get(USERS, headers={**BASIC, "X-Emulator-Namespace": "no such/name"})
    assert 400 <= response.status < 500
    line = json.loads((await lines_of(stream, 1))[-1])
    assert (line["namespace"], line["status"]) == ("no such/name", response.status)


async def test_text_lines_show_microseconds_below_a_millisecond(aiohttp_client, log_lines):
    logger, stream = log_lines
    client = await logged_client(aiohttp_client, logger, "text")
    await client.get(USERS, headers=BASIC)
    line = (await lines_of(stream, 1))[-1]
    found = re.fullmatch(r"GET /customerid-rest/services/2\.1/users\?status=Enabled GET104 200 (\d+\.(\d+)) ms", line)
    assert found, line
    assert float(found[1]) > 0 and len(found[2]) == (3 if float(found[1]) < 1 else 2 if float(found[1]) < 10 else 1)


def test_without_the_middleware_the_loop_figure_is_used():
    assert elapsed_ms({}, 0.0021) == 2.1
