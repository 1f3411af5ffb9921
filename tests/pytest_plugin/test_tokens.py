"""The plugin's ready Bearer credentials: ``bearer_headers`` (CustomerID, beside the
Basic ``auth_headers``) and ``dfs_headers`` with options for tenant, identity and
each bad-credential kind; in-process (async and sync) and against an external
emulator (python -m emulator)."""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request

import aiohttp
import pytest

from emulator.pytest_plugin.handle import EmulatorHandle
from tests.support.customerid import MAIJA
from tests.support.dfs import GLOBEX_UID
from tests.support.docker import free_port
from tests.support.processes import Server

ROLES = "/v2.0/roles"  # get /v2.0/roles


async def status_of(url: str, headers: dict) -> int:
    async with aiohttp.ClientSession() as http:
        async with http.get(url, headers=headers) as response:
            return response.status


def blocking_status(url: str, headers: dict) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


async def test_bearer_headers_beside_basic_and_bad_kinds(emulator):
    get105 = emulator.customerid_url() + f"/users/{MAIJA}"
    assert await status_of(get105, emulator.bearer_headers) == 200
    assert await status_of(get105, emulator.auth_headers) == 200
    assert await status_of(get105, emulator.bearer_headers(kind="expired")) == 401
    assert await status_of(get105, emulator.bearer_headers(kind="outside_group")) == 403
    assert await status_of(get105, emulator.bearer_headers(username="sso-only-user")) == 403
    token = await emulator.mint_customerid_token(kind="revoked")
    assert await status_of(get105, {"Authorization": f"Bearer {token}"}) == 401
    with pytest.raises(ValueError):
        emulator.customerid_token(kind="nonsense")


async def test_dfs_headers_options_for_tenant_identity_and_kinds(emulator):
    roles = emulator.url + ROLES
    assert await status_of(roles, emulator.dfs_headers) == 200
    assert await status_of(roles, emulator.dfs_headers(identity_id=None)) == 200  # an app token
    assert await status_of(roles, emulator.dfs_headers(tenant_uid=GLOBEX_UID)) == 403  # admin has no Globex access
    for kind, status in (("expired", 401), ("revoked", 401), ("wrong_scope", 403), ("other_tenant", 401)):
        assert await status_of(roles, emulator.dfs_headers(kind=kind)) == status, kind
    await emulator.clock.advance(3600)  # tokens follow the namespace's clock
    assert await status_of(roles, emulator.dfs_headers) == 200
    token = await emulator.mint_dfs_token(kind="bad_signature")
    assert await status_of(roles, {"Authorization": f"Bearer {token}"}) == 401


def test_sync_handle_mints_through_the_control_api(emulator_sync):
    get105 = emulator_sync.customerid_url() + f"/users/{MAIJA}"
    assert blocking_status(get105, emulator_sync.bearer_headers) == 200
    assert blocking_status(get105, emulator_sync.bearer_headers(kind="wrong_scope")) == 403
    assert blocking_status(emulator_sync.url + ROLES, emulator_sync.dfs_headers(kind="revoked")) == 401
    assert blocking_status(emulator_sync.url + ROLES, emulator_sync.dfs_headers) == 200


def test_against_an_external_emulator(emulator_baseline):
    port = free_port()
    server = Server([sys.executable, "-m", "emulator", "--port", str(port)], port)
    try:
        server.wait_for(lambda line: "control API" in line, seconds=60)
        handle = EmulatorHandle(server.url, namespace="tokens-test", baseline=emulator_baseline)
        get105 = handle.customerid_url() + f"/users/{MAIJA}"
        headers = handle.bearer_headers
        assert headers["X-Emulator-Namespace"] == "tokens-test"
        assert blocking_status(get105, headers) == 200
        assert blocking_status(get105, handle.bearer_headers(kind="not_yet_valid")) == 401
        assert blocking_status(server.url + ROLES, handle.dfs_headers) == 200
        assert blocking_status(server.url + ROLES, handle.dfs_headers(kind="wrong_audience")) == 401
        other = {"Authorization": headers["Authorization"]}  # the token is the namespace's, not the default's
        assert blocking_status(get105, other) == 401
        with urllib.request.urlopen(server.url + "/__emulator/health", timeout=5) as response:
            assert json.load(response)["status"] == "ok"
    finally:
        server.stop()
