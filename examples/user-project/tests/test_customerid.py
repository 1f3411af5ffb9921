"""CustomerID 2.1 from a client's point of view: async (aiohttp) and plain (urllib) tests."""

import base64
import urllib.error
import urllib.request

import pytest


async def test_read_a_user_then_delete_it(emulator):
    maija = emulator.id_of("user", "maija")  # a key of the built-in default scenario -> its id
    async with emulator.session() as http:
        async with http.get(emulator.customerid_url("2.1") + f"/users/{maija}") as response:
            assert response.status == 200
            assert "maija" in (await response.text()).lower()
        async with http.delete(emulator.customerid_url("2.1") + f"/users/{maija}") as response:
            assert response.status in (200, 204)
        async with http.get(emulator.customerid_url("2.1") + f"/users/{maija}") as response:
            assert response.status == 404
    await emulator.assert_called("DEL102", times=1)


async def test_every_test_starts_fresh(emulator):
    maija = emulator.id_of("user", "maija")  # deleted by the test above, back here
    async with emulator.session() as http:
        async with http.get(emulator.customerid_url("2.1") + f"/users/{maija}") as response:
            assert response.status == 200


@pytest.mark.emulator_fault(operation="GET105", status=503, times=1)
async def test_the_client_sees_an_outage(emulator):
    maija = emulator.id_of("user", "maija")
    async with emulator.session() as http:
        async with http.get(emulator.customerid_url("2.1") + f"/users/{maija}") as response:
            assert response.status == 503
        async with http.get(emulator.customerid_url("2.1") + f"/users/{maija}") as response:
            assert response.status == 200


async def test_a_scenario_of_my_own_on_top(emulator):
    await emulator.load_scenario(
        {
            "customerid": {
                "users": {
                    "tester": {
                        "organization": "acme",
                        "status": "Enabled",
                        "login": "tester",
                        "firstname": "Test",
                        "surname": "User",
                    }
                }
            }
        }
    )
    tester = emulator.id_of("user", "tester")  # keys of scenarios loaded during the test resolve too
    async with emulator.session() as http:
        async with http.get(emulator.customerid_url("2.1") + f"/users/{tester}") as response:
            assert response.status == 200


def test_plain_client_with_urllib(emulator_sync):
    user, password = emulator_sync.credentials
    request = urllib.request.Request(
        emulator_sync.customerid_url("2.1") + "/users?status=Enabled",
        headers={
            "Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode(),
            **emulator_sync.headers,
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    assert emulator_sync.count(operation="GET104") == 1


def test_wrong_password_is_refused(emulator_sync):
    request = urllib.request.Request(
        emulator_sync.customerid_url("2.1") + "/users",
        headers={"Authorization": "Basic " + base64.b64encode(b"restuser:wrong").decode(), **emulator_sync.headers},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    refused.value.close()
    assert refused.value.code == 401


def test_unknown_keys_say_what_exists(emulator_sync):
    with pytest.raises(KeyError) as unknown:
        emulator_sync.id_of("user", "maijа")  # a Cyrillic а: the message lists the real keys
    assert "maija" in str(unknown.value)
