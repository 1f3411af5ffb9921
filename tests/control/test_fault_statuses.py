"""Injected status faults answer exactly the status asked, 400-599, on every
operation of every API, with that API's own error document: CustomerID's XML
``<error>`` (customerid-error.xsd), DFS's JSON error with the status's ``Code``
(schemas/responses.yaml#/Error), RFC 6749 JSON errors on the token servers (the
SSO under /uas, the DFS identity server). Every status goes through each API's
``error_response`` directly; over HTTP, every status hits a few operations, and a
set of statuses hits every operation in every version."""

from __future__ import annotations

import json
import re
from functools import lru_cache

import aiohttp
import jsonschema
import pytest
from aiohttp.test_utils import make_mocked_request
from defusedxml.ElementTree import fromstring

import emulator.dfs as dfs_package
from emulator.api import package_file
from emulator.app import default_apis
from emulator.dfs.errors import code_for_status
from emulator.formats.packagedata import read_yaml
from tests.support.customerid import MAIJA, error_schema
from tests.support.dfs import TENANT_UID

EVERY_STATUS = range(400, 600)
SAMPLE_STATUSES = (400, 401, 403, 404, 409, 418, 422, 429, 500, 501, 502, 503, 504, 599)
OAUTH_PREFIXES = ("/uas/", "/connect/", "/.well-known/")
# RFC 6749 section 5.2 / 4.1.2.1 codes, plus not_found for a token server's unknown path
OAUTH_ERRORS = {"invalid_request", "invalid_client", "server_error", "temporarily_unavailable", "not_found"}
APIS = {api.name: api for api in default_apis()}
# A few operations of each API that every status is tried on over HTTP (method, path)
FEW_OPERATIONS = (
    ("GET", f"/customerid-rest/services/2.1/users/{MAIJA}"),  # GET105
    ("PUT", "/eidm2/services/user/acme/maija"),  # MOD004b (REST 1.0)
    ("POST", "/uas/oauth2/token"),  # the SSO's token endpoint
    ("GET", f"/v1.2/tenants/{TENANT_UID}/identities"),
    ("POST", "/connect/token"),  # the DFS identity server
)


@lru_cache(maxsize=1)
def dfs_error_schema() -> dict:
    document = read_yaml(package_file(dfs_package.__file__, "schemas", "responses.yaml"))
    return {**document, "$ref": "#/Error"}


def assert_error_document(path: str, status: int, content_type: str, body: bytes) -> None:
    """``body`` is the error document the API serving ``path`` answers ``status`` with."""
    if path.startswith(OAUTH_PREFIXES):
        assert content_type == "application/json", (path, status, content_type)
        document = json.loads(body)
        assert set(document) == {"error", "error_description"}, document
        expected = "temporarily_unavailable" if status == 503 else "server_error" if status >= 500 else None
        assert document["error"] == expected if expected else document["error"] in OAUTH_ERRORS, (status, document)
    elif path.startswith(("/customerid-rest/", "/eidm2/")):
        assert content_type == "application/xml", (path, status, content_type)
        error_schema().validate(body.decode())
        assert fromstring(body).tag == "error"
    else:
        assert content_type == "application/json", (path, status, content_type)
        document = json.loads(body)
        jsonschema.Draft202012Validator(dfs_error_schema()).validate(document)
        assert document["Code"] == code_for_status(status), (status, document)


def concrete(template: str) -> str:
    """A URL the template's route serves: every path parameter filled in."""
    return re.sub(r"\{[^}]+\}", "x", template)


def every_route() -> list[tuple[str, str, str, str, str]]:
    """(api, operation code, version, method, path): one URL per operation and version."""
    routes = []
    for api in APIS.values():
        seen = set()
        for operation, version, template in api.endpoints.routes():
            if (operation.code, version) not in seen:
                seen.add((operation.code, version))
                routes.append((api.name, operation.code, version, operation.method, concrete(template)))
    return routes


# -- every status, straight from each API's error_response ---------------------------------------

UNIT_PATHS = {
    "customerid": (f"/customerid-rest/services/2.1/users/{MAIJA}", "/eidm2/services/user/x", "/uas/oauth2/token"),
    "dfs": (f"/v1.2/tenants/{TENANT_UID}/identities", "/connect/token", "/.well-known/openid-configuration"),
}


@pytest.mark.parametrize("api_name", sorted(UNIT_PATHS))
def test_error_response_answers_every_status_with_the_apis_own_document(api_name):
    api = APIS[api_name]
    for path in UNIT_PATHS[api_name]:
        request = make_mocked_request("GET", path)
        for status in EVERY_STATUS:
            response = api.error_response(status, "asked for", request)
            assert response.status == status, (path, status, response.status)
            assert_error_document(path, status, response.content_type, response.body)


def test_dfs_codes_are_the_dotnet_names_and_reason_phrases():
    assert [code_for_status(status) for status in (400, 409, 418, 429, 502, 503, 504)] == [
        "BadRequest",
        "Conflict",
        "ImATeapot",
        "TooManyRequests",
        "BadGateway",
        "ServiceUnavailable",
        "GatewayTimeout",
    ]
    assert (code_for_status(499), code_for_status(599)) == ("ClientError", "ServerError")


# -- over HTTP ----------------------------------------------------------------------------------------


async def test_every_status_on_a_few_operations_of_each_api(emulator, control):
    async with aiohttp.ClientSession() as session:
        for status in EVERY_STATUS:
            await control.add_fault(id="every-status", action={"kind": "status", "status": status})
            for method, path in FEW_OPERATIONS:
                async with session.request(method, emulator.url + path) as response:
                    body = await response.read()
                    assert response.status == status, (method, path, status, body[:200])
                    assert_error_document(path, status, response.content_type, body)


@pytest.mark.parametrize("status", SAMPLE_STATUSES)
async def test_a_status_fault_on_every_operation_of_every_api_answers_that_status(emulator, control, status):
    routes = every_route()
    assert len({(api, code) for api, code, *_ in routes}) > 100  # CustomerID (all versions, the SSO) and DFS
    async with aiohttp.ClientSession() as session:
        for api_name in APIS:
            await control.add_fault(id="every-operation", match={"api": api_name}, action={"status": status})
            for api, _code, _version, method, path in routes:
                if api != api_name:
                    continue
                async with session.request(method, emulator.url + path) as response:
                    body = await response.read()
                    assert response.status == status, (method, path, status, body[:200])
                    assert_error_document(path, status, response.content_type, body)
    journal = (await control.get("/requests"))["requests"]
    served = [(entry["api"], entry["operation"], entry["version"], entry["status"]) for entry in journal]
    assert served == [(api, code, version, status) for api, code, version, _method, _path in routes]
    assert all(entry["fault"]["kind"] == "status" for entry in journal)


@pytest.mark.parametrize(
    ("status", "method", "path"),
    [(429, "GET", f"/customerid-rest/services/2.1/users/{MAIJA}"), (503, "POST", "/connect/token")],
)
async def test_retry_after_comes_with_the_fault_answer(emulator, control, status, method, path):
    await control.add_fault(action={"status": status, "headers": {"Retry-After": "7"}})
    async with aiohttp.ClientSession() as session, session.request(method, emulator.url + path) as response:
        assert (response.status, response.headers["Retry-After"]) == (status, "7")
        assert_error_document(path, status, response.content_type, await response.read())


async def test_a_delay_fault_adds_its_headers_to_the_real_answer(emulator, control):
    await control.add_fault(action={"kind": "delay", "delay_ms": 1, "headers": {"Retry-After": "3"}})
    async with aiohttp.ClientSession() as session:
        url = emulator.url + f"/customerid-rest/services/2.1/users/{MAIJA}"
        async with session.get(url, headers=emulator.auth_headers) as response:
            assert (response.status, response.headers["Retry-After"]) == (200, "3")


async def test_a_malformed_fault_sends_its_headers_in_the_head(emulator):
    async with aiohttp.ClientSession() as session:
        control_url = emulator.url + "/__emulator/faults"
        spec = {"action": {"kind": "malformed", "status": 503, "headers": {"Retry-After": "5"}}}
        async with session.post(control_url, json=spec) as created:
            assert created.status == 201
        async with session.get(emulator.url + "/v1.2/identities") as response:
            assert (response.status, response.headers["Retry-After"]) == (503, "5")
            with pytest.raises(aiohttp.ClientPayloadError):
                await response.read()


@pytest.mark.parametrize(
    "headers", [{"Retry-After": "1\r\nSet-Cookie: a=b"}, {"Bad Name": "1"}, {"Retry-After": "\x00"}]
)
async def test_fault_headers_that_are_not_http_headers_are_refused(control, headers):
    status, problem = await control.call("POST", "/faults", {"action": {"status": 503, "headers": headers}})
    assert status == 400
    assert problem["where"].startswith("action.headers."), problem
