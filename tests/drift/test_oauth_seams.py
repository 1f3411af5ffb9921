"""Where features built apart meet: recording and replaying OAuth2 flows (the SSO
at /uas, DFS /connect/token) through `emulator record` and `emulator compare`."""

import asyncio

import aiohttp

from emulator.drift.compare import compare_cassette
from emulator.drift.rules import Rules
from emulator.drift.seed import write_scenario
from tests.support.drift import MAIJA, exchanges, start_recorder

SSO_CLIENT = ("ci-client", "ci-client-secret")  # the default scenario's SSO client, API user, DFS client
SSO_USER = {"username": "api-user", "password": "api-user-password"}
DFS_CLIENT = ("dfs-ci-client", "dfs-ci-secret")


async def oauth_workload(session: aiohttp.ClientSession, base: str) -> dict:
    """post /uas/oauth2/token (password grant, refresh), GET105 and PUT103 with its Bearer token,
    introspection, userinfo; post /connect/token, then get /v2.0/roles with that token."""
    sso = {"Authorization": aiohttp.encode_basic_auth(*SSO_CLIENT)}
    async with session.post(
        f"{base}/uas/oauth2/token", headers=sso, data={"grant_type": "password", **SSO_USER}
    ) as answer:
        assert answer.status == 200
        tokens = await answer.json()
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    user = f"{base}/customerid-rest/services/2.1/users/{MAIJA}"
    async with session.get(user, headers=bearer) as answer:  # GET105
        assert answer.status == 200
    async with session.put(user, headers=bearer, params={"mobile": "+358401111111"}) as answer:  # PUT103
        assert answer.status == 200
    async with session.post(
        f"{base}/uas/oauth2/introspection", headers=sso, data={"token": tokens["access_token"]}
    ) as answer:
        assert (await answer.json())["active"] is True
    async with session.get(f"{base}/uas/oauth2/userinfo", headers=bearer) as answer:
        assert answer.status == 200
    async with session.post(
        f"{base}/uas/oauth2/token",
        headers=sso,
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
    ) as answer:
        assert answer.status == 200
    async with session.post(
        f"{base}/connect/token",
        headers={"Authorization": aiohttp.encode_basic_auth(*DFS_CLIENT)},
        data={"grant_type": "client_credentials"},
    ) as answer:
        assert answer.status == 200
        dfs_token = (await answer.json())["access_token"]
    async with session.get(f"{base}/v2.0/roles", headers={"Authorization": f"Bearer {dfs_token}"}) as answer:
        assert answer.status == 200
    return {"sso": tokens, "dfs": dfs_token}


async def test_recorded_oauth_flows_keep_no_token_or_password(emulator, aiohttp_server, tmp_path):
    cassette = tmp_path / "oauth.jsonl"
    base = await start_recorder(aiohttp_server, emulator.url, cassette)
    async with aiohttp.ClientSession() as session:
        tokens = await oauth_workload(session, base)
    text = cassette.read_text()
    for secret in (
        tokens["sso"]["access_token"],
        tokens["sso"]["refresh_token"],
        tokens["dfs"],
        SSO_CLIENT[1],
        SSO_USER["password"],
        DFS_CLIENT[1],
    ):
        assert secret not in text  # RFC 7662's `token` parameter included
    introspection = next(e for e in exchanges(cassette) if e.operation == "post /uas/oauth2/introspection")
    assert introspection.request.body == "token=%5Bscrubbed%5D"


async def test_compare_replays_recorded_oauth_flows_with_the_scenarios_clients_and_users(
    emulator, aiohttp_server, tmp_path
):
    cassette = tmp_path / "oauth.jsonl"
    base = await start_recorder(aiohttp_server, emulator.url, cassette)
    async with aiohttp.ClientSession() as session:
        await oauth_workload(session, base)
    report = await compare_cassette(cassette, rules=Rules())
    assert not report.drift, report.text()
    assert len(report.results) == 8


async def test_compare_against_a_running_emulator_with_a_control_token(
    emulator, make_emulator, aiohttp_server, tmp_path
):
    # with a control token, only control requests create namespaces: the replay's namespace
    # must exist before its first API request (here a Basic-only GET105, no token minted)
    cassette = tmp_path / "basic.jsonl"
    base = await start_recorder(aiohttp_server, emulator.url, cassette)
    async with aiohttp.ClientSession() as session:
        async with session.get(
            f"{base}/customerid-rest/services/2.1/users/{MAIJA}", headers=emulator.auth_headers
        ) as answer:
            assert answer.status == 200
    guarded = await make_emulator(control_token="s3cret")
    report = await compare_cassette(
        cassette, emulator_url=guarded.url, control_token="s3cret", credentials=emulator.credentials
    )
    assert not report.drift, report.text()


async def test_a_control_request_without_the_token_is_a_401_with_a_bearer_challenge(make_emulator):
    guarded = await make_emulator(control_token="s3cret")
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{guarded.url}/__emulator/records") as answer:
            assert answer.status == 401  # RFC 9110 11.6.1: a 401 carries WWW-Authenticate
            assert answer.headers["WWW-Authenticate"].startswith("Bearer realm=")
            assert (await answer.json())["where"] == "Authorization"


async def test_a_scenario_seeded_from_oauth_flows_has_the_token_servers_accounts(emulator, aiohttp_server, tmp_path):
    # credentials are never in a cassette: the seeded scenario gets default OAuth2 accounts
    # when the recording used a token server, so its own cassette replays against it
    cassette, scenario = tmp_path / "oauth.jsonl", tmp_path / "seeded.yaml"
    base = await start_recorder(aiohttp_server, emulator.url, cassette)
    async with aiohttp.ClientSession() as session:
        await oauth_workload(session, base)
    write_scenario(cassette, scenario)
    assert "&id" not in scenario.read_text()  # plain YAML, no anchors
    report = await compare_cassette(cassette, scenarios=[scenario], rules=Rules())
    assert not report.drift, report.text()


async def test_a_token_request_whose_body_never_arrives_is_a_408_like_any_other(make_emulator):
    # the token servers read their form through the same bounded body read as the APIs
    emulator = await make_emulator(body_read_seconds=0.3)
    host, port = emulator.url.removeprefix("http://").split(":")
    for path, client in (("/uas/oauth2/token", SSO_CLIENT), ("/connect/token", DFS_CLIENT)):
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(
            f"POST {path} HTTP/1.1\r\nHost: emulator\r\nAuthorization: {aiohttp.encode_basic_auth(*client)}"
            "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ngrant".encode()
        )
        await writer.drain()
        head = await asyncio.wait_for(reader.readline(), 5)
        writer.close()
        assert head.startswith(b"HTTP/1.1 408"), (path, head)


async def test_a_token_form_with_too_many_parameters_says_so(emulator):
    form = "grant_type=client_credentials&" + "&".join(f"p{number}=x" for number in range(200))
    async with aiohttp.ClientSession() as session:
        async with session.post(
            f"{emulator.url}/connect/token",
            data=form,
            headers={
                "Authorization": aiohttp.encode_basic_auth(*DFS_CLIENT),
                "Content-Type": "application/x-www-form-urlencoded",
            },
        ) as answer:
            assert answer.status == 400
            refusal = await answer.json()
    assert refusal["error"] == "invalid_request" and "parameters" in refusal["error_description"]
