"""emulator record: the recording proxy, its cassette, scrubbing and TLS upstreams
(the emulator itself is the upstream)."""

import asyncio
import json
import signal
import ssl
import sys

import aiohttp
import pytest
from aiohttp import web

from emulator.app import create_app
from emulator.drift.cassette import CassetteError, read_exchanges
from emulator.drift.recorder import RecorderConfig, recorder_app
from tests.support.drift import MAIJA, SARAH, Client, exchanges, start_recorder

SECRETS = (
    "Admin.Password1",
    "hunter2",
    "s3cr3t-form",
    "xml-pass",
    "refresh-abc",
    "key-123",
    "010199-1234",
    "tok-in-answer",
)


async def test_every_exchange_is_recorded_named_and_scrubbed(emulator, aiohttp_server, tmp_path):
    cassette = tmp_path / "sandbox.jsonl"
    base = await start_recorder(aiohttp_server, emulator.url, cassette, scrub=["X-Api-Key", "ssn"])
    await emulator.fault(operation="get /v2.0/roles", status=200, body={"access_token": "tok-in-answer", "Roles": []})
    async with aiohttp.ClientSession() as session:
        client = Client(session, base, emulator)
        assert (
            await client.cid("GET", f"/users/{MAIJA}", headers={"Cookie": "JSESSIONID=hunter2", "X-Api-Key": "key-123"})
        )[0] == 200
        await client.cid("GET", "/users/", params={"username": "maija", "password": "hunter2"})
        await client.cid("PATCH", f"/users/{MAIJA}", data={"password": "s3cr3t-form", "firstname": "Maija"})
        await client.cid(
            "PATCH",
            f"/users/{MAIJA}",
            headers={"Content-Type": "application/xml"},
            data='<User xmlns="http://schema.ubisecure.com/customerid/api"><Attribute name="password">'
            "<Value>xml-pass</Value></Attribute></User>",
        )
        await client.dfs(
            "POST",
            "/v1.2/identities",
            json={"UserName": "nu", "Password": "Admin.Password1", "Credentials": {"refresh_token": "refresh-abc"}},
        )
        await client.dfs("GET", "/v2.0/roles")
        async with session.get(f"{base}/nowhere") as answer:  # neither API's path: still recorded
            assert answer.status == 404
    text = cassette.read_text()
    for secret in SECRETS:
        assert secret not in text, secret
    assert emulator.dfs_token() not in text and emulator.auth_headers["Authorization"].split()[1] not in text
    header = json.loads(text.splitlines()[0])
    assert header["format"] == "emulator-cassette" and "x-api-key" in header["scrubbed"]
    recorded = exchanges(cassette)
    assert [(e.api, e.operation, e.version, e.response.status) for e in recorded] == [
        ("customerid", "GET105", "2.1", 200),
        ("customerid", "GET104", "2.1", 200),
        ("customerid", "PATCH124", "2.1", recorded[2].response.status),
        ("customerid", "PATCH124", "2.1", recorded[3].response.status),
        ("dfs", "post /v1.2/identities", "1.2", recorded[4].response.status),
        ("dfs", "get /v2.0/roles", "2.0", 200),
        (None, None, None, 404),
    ]
    first = recorded[0]
    assert first.request.header("Authorization") == "Basic [scrubbed]"
    assert first.request.header("Cookie") == "[scrubbed]" and first.request.header("X-Api-Key") == "[scrubbed]"
    assert first.response.media_type == "application/xml" and "<User " in first.response.body
    assert first.duration_ms > 0 and first.started > 0 and first.seq == 1
    assert recorded[1].request.query == "username=%5Bscrubbed%5D&password=%5Bscrubbed%5D"
    assert "firstname=Maija" in recorded[2].request.body
    assert recorded[4].request.header("Authorization") == "Bearer [scrubbed]"
    assert json.loads(recorded[4].request.body)["UserName"] == "nu"  # data, not a secret, in a JSON body
    assert json.loads(recorded[5].response.body) == {"access_token": "[scrubbed]", "Roles": []}


async def test_the_client_gets_the_upstream_answer_unchanged(emulator, aiohttp_server, tmp_path):
    base = await start_recorder(aiohttp_server, emulator.url, tmp_path / "c.jsonl")
    async with aiohttp.ClientSession() as session:
        async with (
            session.get(f"{base}/v1.0/identities/{SARAH}", headers=emulator.dfs_headers) as through,
            session.get(f"{emulator.url}/v1.0/identities/{SARAH}", headers=emulator.dfs_headers) as direct,
        ):
            assert through.status == direct.status == 200
            assert await through.json() == await direct.json()
            assert through.headers["Content-Type"] == direct.headers["Content-Type"]
            assert "X-Correlation-ID" in through.headers


async def test_an_upstream_that_does_not_answer_is_a_502_and_not_recorded(aiohttp_server, tmp_path):
    cassette = tmp_path / "c.jsonl"
    base = await start_recorder(aiohttp_server, "http://127.0.0.1:9", cassette)
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{base}/v2.0/roles") as answer:
            assert answer.status == 502 and "upstream failed" in await answer.text()
    assert exchanges(cassette) == []


def test_a_recording_cut_short_keeps_every_finished_exchange(tmp_path):
    from tests.support.drift import write_cassette

    cassette = write_cassette(tmp_path / "c.jsonl", status=404)
    with cassette.open("a") as file:
        file.write('{"seq": 2, "api": "customerid", "request": {"meth')  # the recorder died here
    assert [exchange.seq for exchange in read_exchanges(cassette)] == [1]
    with cassette.open("a") as file:
        file.write("\n" + cassette.read_text().splitlines()[1] + "\n")  # ... but not in the middle
    with pytest.raises(CassetteError, match=":3: not an exchange"):
        list(read_exchanges(cassette))


@pytest.fixture
async def tls_upstream(emulator_baseline):
    """An emulator behind HTTPS with a certificate from a throwaway CA."""
    trustme = pytest.importorskip("trustme")
    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server_context)
    runner = web.AppRunner(create_app(baseline=emulator_baseline), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=server_context)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    yield f"https://127.0.0.1:{port}", authority
    await runner.cleanup()


async def _one_call_through(aiohttp_server, config: RecorderConfig, emulator) -> int:
    server = await aiohttp_server(recorder_app(config))
    async with aiohttp.ClientSession() as session:
        async with session.get(
            str(server.make_url(f"/customerid-rest/services/2.1/users/{MAIJA}")), headers=emulator.auth_headers
        ) as answer:
            return answer.status


async def test_tls_upstreams_with_a_private_ca_or_insecure(emulator, tls_upstream, aiohttp_server, tmp_path):
    url, authority = tls_upstream
    ca = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(ca))
    upstreams = {"customerid": url}
    trusted = RecorderConfig(tmp_path / "trusted.jsonl", upstreams, upstream_ca=ca)
    assert await _one_call_through(aiohttp_server, trusted, emulator) == 200
    assert exchanges(tmp_path / "trusted.jsonl")[0].operation == "GET105"
    unchecked = RecorderConfig(tmp_path / "insecure.jsonl", upstreams, insecure=True)
    assert await _one_call_through(aiohttp_server, unchecked, emulator) == 200
    refused = RecorderConfig(tmp_path / "refused.jsonl", upstreams)  # the system CAs do not know it
    assert await _one_call_through(aiohttp_server, refused, emulator) == 502
    assert exchanges(tmp_path / "refused.jsonl") == []


async def test_record_command_proxies_until_interrupted(emulator, tmp_path):
    cassette = tmp_path / "cli.jsonl"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "emulator",
        "record",
        "--upstream-customerid",
        emulator.url,
        "--upstream-dfs",
        emulator.url,
        "--out",
        str(cassette),
        "--port",
        "0",
        "--scrub",
        "X-Secret",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        line = (await asyncio.wait_for(process.stdout.readline(), 20)).decode()
        assert line.startswith("emulator record: listening on http://127.0.0.1:"), line
        base = line.split()[4].rstrip(",")
        async with aiohttp.ClientSession() as session:
            async with session.get(
                f"{base}/v2.0/roles/3", headers={**emulator.dfs_headers, "X-Secret": "x1"}
            ) as answer:
                assert answer.status == 200
    finally:
        process.send_signal(signal.SIGINT)
        output = (await asyncio.wait_for(process.communicate(), 20))[0].decode()
    assert process.returncode == 0, output
    [recorded] = exchanges(cassette)
    assert recorded.operation == "get /v2.0/roles/{roleId}" and recorded.request.header("X-Secret") == "[scrubbed]"


def test_record_command_needs_an_upstream(capsys):
    from emulator.drift.cli import main_record

    with pytest.raises(SystemExit) as exit_info:
        main_record(["--out", "x.jsonl"])
    assert exit_info.value.code == 2 and "--upstream-customerid" in capsys.readouterr().err
