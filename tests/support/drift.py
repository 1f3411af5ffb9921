"""Recording helpers for the drift tests: a recorder in front of an emulator used
as the upstream, and a workload that creates, queries, updates and deletes."""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp

from emulator.drift.cassette import Exchange, read_exchanges
from emulator.drift.recorder import RecorderConfig, recorder_app

MAIJA = "aaaaaaaa-0000-4000-8000-000000000001"
PEKKA = "aaaaaaaa-0000-4000-8000-000000000004"
SARAH = "02000000-0000-4000-8000-000000000001"
ACME_SALES = "11111111-1111-4111-8111-111111111112"
SALES_MANAGER = "44444444-4444-4444-8444-444444444441"
MANDATE = "bbbbbbbb-0000-4000-8000-000000000001"


async def start_recorder(aiohttp_server, upstream_url: str, out: Path, **options) -> str:
    config = RecorderConfig(out, {"customerid": upstream_url, "dfs": upstream_url}, **options)
    server = await aiohttp_server(recorder_app(config))
    return str(server.make_url("")).rstrip("/")


class Client:
    """Talks to ``base`` (the recorder) with the upstream emulator's credentials."""

    def __init__(self, session: aiohttp.ClientSession, base: str, emulator) -> None:
        self.session = session
        self.base = base
        self.basic = {"Authorization": aiohttp.encode_basic_auth(*emulator.credentials)}
        self.bearer = {"Authorization": "Bearer " + emulator.dfs_token()}

    async def cid(
        self, method: str, path: str, *, base: str = "/customerid-rest/services/2.1", **kwargs
    ) -> tuple[int, str]:
        headers = {**self.basic, **kwargs.pop("headers", {})}
        async with self.session.request(method, f"{self.base}{base}{path}", headers=headers, **kwargs) as answer:
            return answer.status, await answer.text()

    async def dfs(self, method: str, path: str, **kwargs) -> tuple[int, object]:
        headers = {**self.bearer, **kwargs.pop("headers", {})}
        async with self.session.request(method, f"{self.base}{path}", headers=headers, **kwargs) as answer:
            text = await answer.text()
            return answer.status, (await answer.json() if text.strip() else None)


async def crud_workload(client: Client) -> dict:
    """CustomerID: query, create → query → update → list → delete; DFS: create →
    query → update → delete → query again (404), an identity and a search."""
    created = {}
    assert (await client.cid("GET", f"/users/{MAIJA}"))[0] == 200  # GET105
    status, text = await client.cid(
        "POST",
        "/organizations/",  # POST100
        params={"technicalName": "drift-co", "friendlyName": "Drift Co"},
    )
    assert status == 201, text
    created["organization"] = re.search(r"<Id>([^<]+)</Id>", text).group(1)
    organization = created["organization"]
    assert (await client.cid("GET", f"/organizations/{organization}"))[0] == 200  # GET107
    assert (
        await client.cid(
            "PUT",
            f"/organizations/{organization}",  # PUT101
            params={"friendlyName": "Drift Company"},
        )
    )[0] == 200
    assert (await client.cid("GET", f"/organizations/{organization}/users"))[0] == 200  # GET113
    assert (await client.cid("DELETE", f"/users/{PEKKA}"))[0] == 200  # DEL102
    assert (await client.cid("GET", f"/users/{PEKKA}"))[0] == 404  # GET105, gone
    status, text = await client.cid(
        "POST",
        "/orgs/1234567-8",
        base="/eidm2/services",  # 1.0 MOD001b
        params={"organizationId": "Drift Unit", "friendlyName": "Drift Unit"},
    )
    assert status == 201, text
    assert (await client.cid("GET", "/org/1234567-8/Drift%20Unit", base="/eidm2/services"))[0] == 200
    assert (await client.cid("GET", "/mandates/", base="/customerid-rest/services"))[0] == 200  # 1.2
    status, role = await client.dfs(
        "POST",
        "/v2.0/roles",
        json={  # post /v2.0/roles
            "ShortName": "Drift",
            "LongName": "Drift role",
            "RoleKey": "drift",
        },
    )
    assert status == 200, role
    created["role"] = role["Id"]
    assert (await client.dfs("GET", f"/v2.0/roles/{role['Id']}"))[0] == 200  # get /v2.0/roles/{roleId}
    assert (await client.dfs("PATCH", f"/v2.0/roles/{role['Id']}", json={"LongName": "Drifted"}))[0] == 204
    assert (await client.dfs("DELETE", f"/v2.0/roles/{role['Id']}"))[0] == 204  # delete /v2.0/roles/{roleId}
    assert (await client.dfs("GET", f"/v2.0/roles/{role['Id']}"))[0] == 404
    assert (await client.dfs("GET", f"/v1.0/identities/{SARAH}"))[0] == 200  # get /v1.0/identities/{identityId}
    assert (await client.dfs("POST", "/v1.0/identities/search", json={}))[0] == 200
    return created


def exchanges(path: Path) -> list[Exchange]:
    return list(read_exchanges(path))


def write_cassette(path: Path, status: int) -> Path:
    """A one-exchange cassette by hand: GET105 of an unknown user, recorded with
    ``status`` and CustomerID's error document (the emulator answers 404, code 7)."""
    from emulator.drift.cassette import CassetteWriter, Request, Response

    writer = CassetteWriter(path, {"upstreams": {"customerid": "https://sandbox.example"}})
    code = {404: 7, 401: 2}[status]
    writer.write(
        Exchange(
            seq=writer.next_seq(),
            api="customerid",
            operation="GET105",
            version="2.1",
            request=Request(
                headers=[("Authorization", "Basic [scrubbed]")],
                method="GET",
                path="/customerid-rest/services/2.1/users/nobody",
            ),
            response=Response(
                headers=[("Content-Type", "application/xml; charset=utf-8")],
                status=status,
                body=f'<?xml version="1.0"?><error><code>{code}</code><message>m</message></error>',
            ),
        )
    )
    writer.close()
    return path
