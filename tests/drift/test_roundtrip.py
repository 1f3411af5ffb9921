"""record → scenario from-cassette → validate → compare is clean for the suite's
recordings: the create → query → update → delete workload and a sub-organization."""

import re

import aiohttp
import pytest
import yaml

from emulator.cli import main_validate
from emulator.drift.cli import main_scenario
from emulator.drift.compare import compare_cassette
from tests.support.drift import ACME_SALES, MAIJA, Client, crud_workload, start_recorder


async def sub_organization_workload(client: Client) -> None:
    """POST100 a parent, POST100 a child under it (parentOrganizationId), query, update and
    list both; PUT103 and PATCH124 a user the recording only ever addresses by path."""
    status, text = await client.cid("POST", "/organizations/", params={"technicalName": "holding", "friendlyName": "H"})
    assert status == 201, text
    parent = re.search(r"<Id>([^<]+)</Id>", text).group(1)
    status, text = await client.cid(
        "POST", "/organizations/", params={"technicalName": "unit", "parentOrganizationId": parent}
    )
    assert status == 201, text
    child = re.search(r"<Id>([^<]+)</Id>", text).group(1)
    for path in (f"/organizations/{child}", f"/organizations/{parent}", f"/organizations/{ACME_SALES}"):
        assert (await client.cid("GET", path))[0] == 200  # GET107
    assert (await client.cid("PUT", f"/organizations/{child}", params={"friendlyName": "Unit"}))[0] == 200  # PUT101
    assert (await client.cid("GET", f"/organizations/{parent}/users"))[0] == 200  # GET113
    matti = "aaaaaaaa-0000-4000-8000-000000000002"
    assert (await client.cid("PUT", f"/users/{matti}", params={"mobile": "+358401234567"}))[0] == 200  # PUT103
    assert (await client.cid("PATCH", f"/users/{matti}", data={"firstname": "Matti"}))[0] == 200  # PATCH124
    assert (await client.cid("GET", f"/users/{MAIJA}"))[0] == 200  # GET105


@pytest.mark.parametrize("workload", [crud_workload, sub_organization_workload])
async def test_a_recording_compares_clean_against_the_scenario_seeded_from_it(
    emulator, aiohttp_server, tmp_path, workload
):
    cassette, scenario = tmp_path / "sandbox.jsonl", tmp_path / "sandbox.yaml"
    base = await start_recorder(aiohttp_server, emulator.url, cassette)
    async with aiohttp.ClientSession() as session:
        await workload(Client(session, base, emulator))
    assert main_scenario(["from-cassette", str(cassette), "--out", str(scenario)]) == 0
    assert main_validate([str(scenario)]) == 0
    report = await compare_cassette(cassette, scenarios=[scenario])
    print(report.text())
    assert not report.drift, report.text()
    assert not report.conflicts


async def test_a_sub_organization_is_seeded_under_its_parent_not_under_itself(emulator, aiohttp_server, tmp_path):
    cassette, scenario = tmp_path / "sandbox.jsonl", tmp_path / "sandbox.yaml"
    base = await start_recorder(aiohttp_server, emulator.url, cassette)
    async with aiohttp.ClientSession() as session:  # ACME Sales is 1234567-8/sales: a sub-organization
        assert (await Client(session, base, emulator).cid("GET", f"/organizations/{ACME_SALES}"))[0] == 200
    assert main_scenario(["from-cassette", str(cassette), "--out", str(scenario)]) == 0
    organizations = yaml.safe_load(scenario.read_text())["customerid"]["organizations"]
    sales = next(key for key, entry in organizations.items() if entry.get("id") == ACME_SALES)
    parent = organizations[sales]["parent"]
    assert parent != sales and organizations[parent]["technicalName"] == "1234567-8"
    assert "parent" not in organizations[parent]
    assert main_validate([str(scenario)]) == 0
