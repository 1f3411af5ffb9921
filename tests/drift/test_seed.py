"""emulator scenario from-cassette: recorded answers become a scenario the emulator loads."""

import aiohttp
import pytest
import yaml

from emulator.cli import main_validate
from emulator.drift.cli import main_scenario
from emulator.drift.compare import compare_cassette
from emulator.drift.seed import scenario_from_cassette
from tests.support.drift import ACME_SALES, MAIJA, MANDATE, SALES_MANAGER, SARAH, Client, start_recorder

MATTI = "aaaaaaaa-0000-4000-8000-000000000002"


@pytest.fixture
async def sandbox_cassette(emulator, aiohttp_server, tmp_path):
    cassette = tmp_path / "sandbox.jsonl"
    base = await start_recorder(aiohttp_server, emulator.url, cassette)
    async with aiohttp.ClientSession() as session:
        client = Client(session, base, emulator)
        for path in (
            f"/users/{MAIJA}",
            f"/users/{MATTI}",
            f"/organizations/{ACME_SALES}",
            f"/roles/{SALES_MANAGER}",
            f"/users/{MATTI}/roles",
            f"/mandates/{MANDATE}",
            "/roles/44444444-4444-4444-8444-444444444442",
            "/users/aaaaaaaa-0000-4000-8000-000000000007",
        ):
            assert (await client.cid("GET", path))[0] == 200, path  # GET105, GET107, GET109, GET117, GET111
        for path in ("/v2.0/roles", "/v2.0/roles/3", f"/v1.0/identities/{SARAH}"):
            assert (await client.dfs("GET", path))[0] == 200, path
        assert (await client.dfs("POST", "/v1.0/identities/search", json={}))[0] == 200
    return cassette


def test_an_empty_cassette_gives_a_scenario_that_loads(tmp_path, capsys):
    from emulator.drift.cassette import CassetteWriter

    CassetteWriter(tmp_path / "empty.jsonl", {}).close()
    assert main_scenario(["from-cassette", str(tmp_path / "empty.jsonl"), "--out", str(tmp_path / "s.yaml")]) == 0
    assert main_validate([str(tmp_path / "s.yaml")]) == 0
    assert main_scenario(["from-cassette", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "t.yaml")]) == 2


async def test_recorded_entities_become_a_scenario_with_pseudonyms(sandbox_cassette, tmp_path, capsys):
    out = tmp_path / "from-sandbox.yaml"
    assert main_scenario(["from-cassette", str(sandbox_cassette), "--out", str(out)]) == 0
    assert "users 3" in capsys.readouterr().out
    assert main_validate([str(out)]) == 0
    assert "customerid: organizations" in capsys.readouterr().out
    scenario = yaml.safe_load(out.read_text())
    cid = scenario["customerid"]
    users = {user["id"]: user for user in cid["users"].values()}
    assert set(users) == {MAIJA, MATTI, "aaaaaaaa-0000-4000-8000-000000000007"}
    maija = users[MAIJA]
    assert maija["firstname"] != "Maija" and maija["email"] != "maija.virtanen@example.org"
    assert maija["status"] == "Enabled" and maija["attributes"]["department"] == "Management"
    organizations = {entry.get("id"): entry for entry in cid["organizations"].values()}
    sales = organizations[ACME_SALES]
    assert sales["friendlyName"] == "ACME Sales" and sales["technicalName"] == "sales"
    assert cid["organizations"][sales["parent"]]["technicalName"] == "1234567-8"
    roles = {entry["id"]: key for key, entry in cid["roles"].items()}
    assert users[MATTI]["roles"] == [roles[SALES_MANAGER]]
    [mandate] = cid["mandates"].values()
    assert mandate["id"] == MANDATE and mandate["type"] == "OrgToPer"
    assert mandate["assigneeEmail"] != "sari.makinen@example.org"
    tenant = scenario["dfs"]["tenants"]["recorded"]
    assert tenant["id"] == 2 and [role["id"] for role in tenant["roles"].values()][:3] == [1, 2, 3]
    identities = {identity["id"]: identity for identity in tenant["identities"].values()}
    assert identities[SARAH]["firstName"] != "Sarah" and identities[SARAH]["member"] == {"id": 3}
    assert "Connor" not in out.read_text() and "Virtanen" not in out.read_text()
    report = await compare_cassette(sandbox_cassette, scenarios=[out])  # pseudonyms keep the shapes
    assert not report.drift, report.text()


async def test_keep_personal_data_and_the_cassette_replays_against_its_own_scenario(sandbox_cassette, tmp_path):
    scenario = scenario_from_cassette(sandbox_cassette, keep_personal_data=True)
    users = {user["id"]: user for user in scenario["customerid"]["users"].values()}
    assert users[MAIJA]["firstname"] == "Maija" and users[MAIJA]["ssn"] == "010199-1234"
    out = tmp_path / "kept.yaml"
    out.write_text(yaml.safe_dump(scenario, allow_unicode=True))
    report = await compare_cassette(sandbox_cassette, scenarios=[out])
    assert not report.drift, report.text()
