"""GET /__emulator/keys: scenario keys -> ids, per namespace (what id_of() asks a sidecar)."""

import aiohttp

from tests.support.customerid import MAIJA


async def get(emulator, path, headers=None):
    async with aiohttp.ClientSession() as http:
        async with http.get(emulator.url + "/__emulator" + path, headers=headers or {}) as response:
            return response.status, await response.json()


async def test_one_key_and_the_listing(emulator):
    status, answer = await get(emulator, "/keys/user/maija")
    assert status == 200 and answer == {"kind": "user", "key": "maija", "id": MAIJA}
    status, listing = await get(emulator, "/keys?kind=user")
    assert status == 200 and listing["count"] == 9 and {"kind": "user", "key": "maija", "id": MAIJA} in listing["keys"]
    status, everything = await get(emulator, "/keys")
    assert "dfs.identity" in everything["kinds"] and everything["count"] > listing["count"]


async def test_unknown_kind_or_key_is_404_listing_what_exists(emulator):
    status, problem = await get(emulator, "/keys/user/maja")
    assert status == 404 and problem["where"] == "key"
    assert "did you mean maija" in problem["error"]
    status, problem = await get(emulator, "/keys/usr/maija")
    assert status == 404 and problem["where"] == "kind" and "user" in problem["kinds"]
    status, problem = await get(emulator, "/keys?kind=usr")
    assert status == 404 and "no scenario key kind 'usr'" in problem["error"]


async def test_keys_follow_the_namespace_state(emulator):
    headers = {"X-Emulator-Namespace": "keys-test"}
    async with aiohttp.ClientSession() as http:
        async with http.post(
            emulator.url + "/__emulator/scenarios",
            headers=headers,
            json={"customerid": {"users": {"newbie": {"organization": "acme", "login": "newbie"}}}},
        ) as response:
            assert response.status == 200, await response.text()
    status, answer = await get(emulator, "/keys/user/newbie", headers)
    assert status == 200 and answer["id"]
    status, _ = await get(emulator, "/keys/user/newbie")  # the default namespace has no such user
    assert status == 404


async def test_customerid_credentials_route(emulator):
    status, answer = await get(emulator, "/customerid/credentials")
    assert status == 200 and answer == {"credentials": [{"username": "restuser", "password": "secret"}]}
