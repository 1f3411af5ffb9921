"""The example report in docs/drift.md is what the deliberately drifted run it
describes prints today."""

import re
from pathlib import Path

import aiohttp

from emulator.drift.compare import compare_cassette
from tests.support.drift import MAIJA, MANDATE, SARAH, Client, start_recorder

DOC = Path(__file__).resolve().parents[2] / "docs" / "drift.md"


def documented_report() -> str:
    section = DOC.read_text(encoding="utf-8").split("### Example report", 1)[1]
    return re.search(r"```\n(.*?)```", section, re.S).group(1).rstrip()


async def test_the_documented_drifted_run_prints_the_documented_report(emulator, aiohttp_server, tmp_path, monkeypatch):
    import emulator.customerid.call as call

    original = call.entity_document

    def renamed_firstname(entity, in_response_to, method):
        document = original(entity, in_response_to, method)
        return document.replace(b'name="firstname"', b'name="givenName"') if b"<User " in document else document

    monkeypatch.setattr(call, "entity_document", renamed_firstname)
    await emulator.fault(operation="GET111", status=503)
    await emulator.fault(
        operation="get /v2.0/roles/{roleId}",
        status=404,
        body={"Code": "RoleMissing", "SubCode": "NA", "Message": "gone"},
    )
    cassette = tmp_path / "sandbox.jsonl"
    base = await start_recorder(aiohttp_server, emulator.url, cassette)
    async with aiohttp.ClientSession() as session:
        client = Client(session, base, emulator)
        await client.cid("GET", f"/users/{MAIJA}")
        _, text = await client.cid(
            "POST", "/organizations/", params={"technicalName": "drift-co", "friendlyName": "Drift Co"}
        )
        organization = re.search(r"<Id>([^<]+)</Id>", text).group(1)
        await client.cid("GET", f"/organizations/{organization}")
        await client.cid("PUT", f"/organizations/{organization}", params={"friendlyName": "Drift Company"})
        await client.cid("GET", f"/mandates/{MANDATE}")
        _, role = await client.dfs("POST", "/v2.0/roles", json={"ShortName": "Drift", "RoleKey": "drift"})
        await client.dfs("GET", f"/v2.0/roles/{role['Id']}")
        await client.dfs("DELETE", f"/v2.0/roles/{role['Id']}")
        await client.dfs("GET", f"/v1.0/identities/{SARAH}")
    monkeypatch.undo()
    report = await compare_cassette(cassette)
    assert report.text().replace(str(cassette), "sandbox.jsonl") == documented_report()
