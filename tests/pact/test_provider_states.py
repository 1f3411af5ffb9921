"""POST /__emulator/pact/provider-states: the Pact verifier's provider-state protocol over HTTP."""

from __future__ import annotations

import base64
import json

import aiohttp
import pytest

from tests.support.control import ControlClient

STATES = "/pact/provider-states"
USER = "a user with given attributes exists"
TOKEN = "a valid token"


async def test_setup_creates_the_user_and_answers_its_id_and_working_tokens(emulator, control):
    values = await control.post(
        STATES, {"state": USER, "params": {"firstname": "Pat", "surname": "Act"}, "action": "setup"}
    )
    async with emulator.session() as session:
        # GET105 with the state's Bearer token (SSO) finds the user it created
        async with session.get(
            f"{emulator.url}/customerid-rest/services/2.1/users/{values['userId']}",
            headers={"Authorization": f"Bearer {values['customeridToken']}", "Accept": "application/json"},
        ) as answer:
            assert answer.status == 200, await answer.text()
            assert "Pat" in await answer.text()
        async with session.post(
            f"{emulator.url}/v1.0/identities/search",
            json={"page": 1, "pageSize": 1},
            headers={"Authorization": f"Bearer {values['dfsToken']}"},
        ) as answer:
            assert answer.status == 200


async def test_teardown_returns_the_namespace_to_where_setup_found_it(emulator, control):
    before = (await control.get("/health"))["counts"]["customerid"]["users"]
    await control.post(STATES, {"state": USER, "params": {"firstname": "Pat"}, "action": "setup"})
    assert (await control.get("/health"))["counts"]["customerid"]["users"] == before + 1
    assert await control.post(STATES, {"state": USER, "action": "teardown"}) == {}
    assert (await control.get("/health"))["counts"]["customerid"]["users"] == before
    assert (await control.get("/snapshots"))["snapshots"] == []


async def test_an_unknown_state_is_a_400_naming_the_known_ones(control):
    status, answer = await control.call("POST", STATES, {"state": "a unicorn exists", "action": "setup"})
    assert status == 400
    assert "a unicorn exists" in answer["error"]
    assert USER in answer["known"] and "a DFS identity exists in a tenant" in answer["known"]


@pytest.mark.parametrize(
    "body, where",
    [
        ({"state": USER, "action": "explode"}, "state"),
        ({"params": {}}, "state"),
        ({"state": USER, "params": {"lastname": "not a user field"}}, "state"),
        ({"state": USER, "params": False}, "params"),  # the document's object (or null), not any falsy value
    ],
)
async def test_bad_state_requests_are_400(control, body, where):
    status, answer = await control.call("POST", STATES, body)
    assert status == 400, answer
    assert answer["where"] == where


async def test_the_dfs_identity_state_answers_a_token_for_its_own_tenant(emulator, control):
    values = await control.post(STATES, {"state": "a DFS identity exists in a tenant", "params": {"firstName": "Dee"}})
    async with aiohttp.ClientSession() as session:
        async with session.get(
            f"{emulator.url}/v1.0/identities/{values['identityId']}",
            headers={"Authorization": f"Bearer {values['dfsToken']}"},
        ) as answer:
            assert answer.status == 200, await answer.text()
            assert (await answer.json())["FirstName"] == "Dee"


async def test_a_scenario_declares_its_own_states_and_their_values(emulator, control):
    await control.post(
        "/scenarios",
        {
            "pact_states": {
                "maija has a second organization": {
                    "scenario": {
                        "customerid": {
                            "organizations": {"${key}": {"technicalName": "${technicalName}", "friendlyName": "Pact"}}
                        }
                    },
                    "params": {"technicalName": "5555555-5"},
                    "values": {"userId": "${id:user:maija}", "organizationId": "${id:organization:${key}}"},
                }
            }
        },
    )
    values = await control.post(STATES, {"state": "maija has a second organization", "action": "setup"})
    assert values["userId"] == "aaaaaaaa-0000-4000-8000-000000000001"
    async with emulator.session() as session:  # POST100 would refuse the technical name the state just took
        async with session.get(
            f"{emulator.url}/customerid-rest/services/2.1/organizations/{values['organizationId']}",
            headers={"Authorization": values["customeridBasic"], "Accept": "application/json"},
        ) as answer:
            assert answer.status == 200 and "5555555-5" in await answer.text()
    status, answer = await control.call(
        "POST", STATES, {"state": "maija has a second organization", "params": {"technicalName": 7}}
    )
    assert status == 400 and "technicalName" in answer["error"], answer


async def test_states_are_per_namespace(emulator, control):
    async with aiohttp.ClientSession() as session:
        other = ControlClient(emulator, session, namespace="pact-other")
        await other.post("/reset")
        before = (await control.get("/health"))["counts"]["customerid"]["users"]
        await other.post(STATES, {"state": USER, "params": {"firstname": "Elsewhere"}})
        assert (await control.get("/health"))["counts"]["customerid"]["users"] == before


def _claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


@pytest.mark.parametrize("api, scope", [("customerid", "openid"), ("dfs", "DfsAdmin")])
async def test_a_valid_token_carries_the_scope_the_params_ask(emulator, control, api, scope):
    values = await control.post(STATES, {"state": TOKEN, "params": {"api": api, "scope": scope}})
    assert _claims(values["token"])["scope"] in (scope, [scope])
    assert values["authorization"] == f"Bearer {values['token']}"


@pytest.mark.parametrize("api", ["customerid", "dfs"])
async def test_a_scope_the_client_may_not_have_is_a_400_naming_it(control, api):
    status, answer = await control.call(
        "POST", STATES, {"state": TOKEN, "params": {"api": api, "scope": "openid root-of-all"}}
    )
    assert status == 400, answer
    assert "root-of-all" in answer["error"] and "openid" not in answer["error"].split("scope")[1].split("is")[0]
