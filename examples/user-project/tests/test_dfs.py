"""DFS Admin Services from a client's point of view: a Bearer token, JSON answers."""

import json
import urllib.request


async def test_list_access_policies(emulator):
    async with emulator.session() as http:
        async with http.get(emulator.dfs_url("1.0") + "/access-policies", headers=emulator.dfs_headers) as response:
            assert response.status == 200
            assert isinstance(await response.json(), (list, dict))


def test_identity_of_the_token(emulator_sync):
    identity = emulator_sync.id_of("dfs.identity", "admin")
    request = urllib.request.Request(
        emulator_sync.dfs_url("1.0") + f"/identities/{identity}", headers=emulator_sync.dfs_headers
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.load(response)["IdentityId"].lower() == identity.lower()  # DFS answers in PascalCase
