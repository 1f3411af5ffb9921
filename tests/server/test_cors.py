"""CORS (--cors ORIGIN[,ORIGIN], EMULATOR_CORS): preflights and response headers on
CustomerID, DFS and the control API; off by default."""

from __future__ import annotations

import aiohttp
import pytest

from emulator.app import create_app
from emulator.config import EmulatorConfig
from emulator.server.cors import parse_origins
from tests.support.customerid import MAIJA

APP = "https://app.example"
OTHER = "https://evil.example"
USER = f"/customerid-rest/services/2.1/users/{MAIJA}"


def preflight(method: str, origin: str = APP, headers: str = "authorization") -> dict:
    return {"Origin": origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": headers}


@pytest.fixture
async def cors_emulator(make_emulator):
    return await make_emulator(cors_origins=(APP, "http://localhost:3000"))


@pytest.mark.parametrize("path", [USER, "/eidm2/services/users/", "/v1.0/access-policies", "/__emulator/faults"])
async def test_an_allowed_origins_preflight_is_answered_on_every_api(cors_emulator, path):
    async with aiohttp.ClientSession() as http:
        async with http.options(
            cors_emulator.url + path, headers=preflight("DELETE", APP, "authorization, content-type")
        ) as response:
            assert response.status == 204
            assert response.headers["Access-Control-Allow-Origin"] == APP
            assert response.headers["Access-Control-Allow-Credentials"] == "true"
            assert "DELETE" in response.headers["Access-Control-Allow-Methods"]
            assert response.headers["Access-Control-Allow-Headers"] == "authorization, content-type"
            assert "Origin" in response.headers["Vary"]
            assert "Allow" not in response.headers  # not the JAX-RS OPTIONS answer


async def test_a_preflight_from_an_origin_not_listed_is_refused(cors_emulator):
    async with aiohttp.ClientSession() as http:
        async with http.options(cors_emulator.url + USER, headers=preflight("GET", OTHER)) as response:
            assert response.status == 403
            assert "Access-Control-Allow-Origin" not in response.headers
        # OPTIONS without Access-Control-Request-Method is no preflight: the dispatcher's JAX-RS answer
        async with http.options(cors_emulator.url + USER, headers={"Origin": APP}) as response:
            assert response.status == 200
            assert "GET" in response.headers["Allow"]


async def test_actual_answers_carry_cors_headers_for_allowed_origins_only(cors_emulator):
    async with aiohttp.ClientSession() as http:
        async with http.get(cors_emulator.url + USER, headers={"Origin": APP}) as response:  # GET105, 401
            assert response.status == 401
            assert response.headers["Access-Control-Allow-Origin"] == APP
            exposed = response.headers["Access-Control-Expose-Headers"]
            assert "WWW-Authenticate" in exposed and "Location" in exposed and "X-Correlation-ID" in exposed
        async with (
            cors_emulator.session() as authenticated,
            authenticated.get(cors_emulator.url + USER, headers={"Origin": "http://localhost:3000"}) as response,
        ):
            assert response.status == 200
            assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
        async with http.get(cors_emulator.url + "/__emulator/health", headers={"Origin": APP}) as response:
            assert response.headers["Access-Control-Allow-Origin"] == APP
        async with http.get(cors_emulator.url + "/v1.0/access-policies", headers={"Origin": APP}) as response:
            assert response.status == 401 and response.headers["Access-Control-Allow-Origin"] == APP
        async with http.get(cors_emulator.url + USER, headers={"Origin": OTHER}) as response:
            assert "Access-Control-Allow-Origin" not in response.headers
        async with http.get(cors_emulator.url + USER) as response:
            assert "Access-Control-Allow-Origin" not in response.headers


async def test_cors_is_off_by_default(emulator):
    assert EmulatorConfig().cors_origins == ()
    assert not emulator.app.middlewares and not emulator.app.on_response_prepare  # zero cost when off
    async with aiohttp.ClientSession() as http:
        async with http.options(emulator.url + USER, headers=preflight("GET")) as response:
            assert response.status == 200  # the JAX-RS answer; a browser sees no CORS permission
            assert "Access-Control-Allow-Origin" not in response.headers
        async with http.get(emulator.url + USER, headers={"Origin": APP}) as response:
            assert "Access-Control-Allow-Origin" not in response.headers


async def test_any_origin_echoes_the_origin_so_credentialed_requests_work(make_emulator):
    handle = await make_emulator(cors_origins=("*",))
    async with aiohttp.ClientSession() as http:
        async with http.options(handle.url + USER, headers=preflight("PATCH", OTHER)) as response:
            assert response.status == 204
            # a literal * would be refused by browsers on requests with credentials
            assert response.headers["Access-Control-Allow-Origin"] == OTHER
            assert response.headers["Access-Control-Allow-Credentials"] == "true"
        async with http.get(handle.url + USER, headers={"Origin": OTHER}) as response:
            assert response.headers["Access-Control-Allow-Origin"] == OTHER


@pytest.mark.parametrize("path", [USER, "/__emulator/faults"])
async def test_any_origin_never_means_the_opaque_origin_null(make_emulator, path):
    """Sandboxed frames, file: and data: pages all send Origin: null: allowing it with
    credentials would let every such page act as the user (docs/limits.md)."""
    handle = await make_emulator(cors_origins=("*",))
    async with aiohttp.ClientSession() as http:
        async with http.options(handle.url + path, headers=preflight("DELETE", "null")) as response:
            assert response.status == 403
            assert "Access-Control-Allow-Origin" not in response.headers
        async with http.get(handle.url + path, headers={"Origin": "null"}) as response:
            assert "Access-Control-Allow-Origin" not in response.headers
            assert "Access-Control-Allow-Credentials" not in response.headers


def test_null_is_refused_as_a_configured_origin(capsys):
    from emulator.cli import main

    with pytest.raises(ValueError, match="null"):
        parse_origins("https://app.example,null")
    assert main(["--cors", "null", "--port", "0"]) == 2
    assert "origin null" in capsys.readouterr().err


def test_origins_come_from_the_environment_and_bad_ones_are_refused():
    config = EmulatorConfig.from_environment({"EMULATOR_CORS": "https://App.example/, http://localhost:3000"})
    assert config.cors_origins == (APP, "http://localhost:3000")
    assert EmulatorConfig.from_environment({}, cors_origins=("*",)).cors_origins == ("*",)
    for bad in ("app.example", "https://app.example/path", "https://"):
        with pytest.raises(ValueError):
            parse_origins(bad)
    assert create_app(EmulatorConfig(cors_origins=(APP,))).middlewares


def test_the_cli_takes_cors_and_refuses_a_bad_origin(capsys):
    from emulator.cli import main

    assert main(["--cors", "not-an-origin", "--port", "0"]) == 2
    assert "not an origin" in capsys.readouterr().err
