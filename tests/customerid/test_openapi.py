"""The CustomerID OpenAPI 3.1 document (GET /__emulator/customerid/openapi.json):
valid, complete against the endpoint table, and true of real answers."""

from __future__ import annotations

import dataclasses
import json
import re

import aiohttp
import jsonschema
import pytest
from openapi_spec_validator import validate

from emulator.customerid import openapi as customerid_openapi
from emulator.customerid.api import CustomerIdApi
from emulator.endpoints import Operation
from tests.support.customerid import MAIJA, UNKNOWN_ID
from tests.support.openapi_xml import OpenApiXml

DOCUMENT = "/__emulator/customerid/openapi.json"
DOCUMENTED_VERSIONS = ("1.0", "1.2", "2.0", "2.1")
SSO_TAG = "Ubisecure SSO (OAuth2)"


@pytest.fixture
async def document(emulator):
    async with aiohttp.ClientSession() as http, http.get(emulator.url + DOCUMENT) as response:
        assert response.status == 200
        assert response.content_type == "application/json"
        return await response.json()


def _operation(document: dict, method: str, path: str) -> dict:
    return document["paths"][path][method.lower()]


async def test_document_is_valid_openapi_31_with_the_emulators_auth_schemes(document):
    validate(document)
    assert document["openapi"] == "3.1.0"
    schemes = document["components"]["securitySchemes"]
    assert schemes["basic"] == {**schemes["basic"], "type": "http", "scheme": "basic"}
    assert schemes["bearer"]["scheme"] == "bearer"
    assert (schemes["urlUsername"]["in"], schemes["urlUsername"]["name"]) == ("query", "username")
    assert (schemes["urlPassword"]["in"], schemes["urlPassword"]["name"]) == ("query", "password")
    assert {"urlUsername": [], "urlPassword": []} in document["security"]
    assert document["servers"] == [{"url": "/", "description": "this emulator"}]


async def test_every_row_of_the_endpoint_table_is_an_operation(document):
    table = CustomerIdApi().endpoints
    listed = {
        (method, item["operationId"]): item for path in document["paths"].values() for method, item in path.items()
    }
    ids = [key[1] for key in listed]
    assert len(ids) == len(set(ids))
    rows = [(operation, version) for operation in table.operations for version in operation.versions]
    assert len(listed) == len(rows)
    for operation, version in rows:
        code = operation.code_for(version)
        if version == "sso":  # "post /uas/oauth2/token" -> post_uas_oauth2_token
            operation_id, tag = re.sub(r"\W+", "_", code).strip("_"), SSO_TAG
        else:
            operation_id, tag = f"{code}_v{version.replace('.', '_')}", f"CustomerID {version}"
        matches = [
            item
            for (method, listed_id), item in listed.items()
            if method == operation.method.lower() and listed_id.startswith(operation_id)
        ]
        assert matches, f"{code} ({version}) is missing"
        assert all(item["summary"] == f"{code} {operation.summary}" for item in matches)
        assert all(item["tags"] == [tag] for item in matches)
    # POST100 in 2.0 is MOD001 (version_codes); 201 and 204 as the table says
    assert _operation(document, "POST", "/customerid-rest/services/2.0/organizations/")["operationId"] == "MOD001_v2_0"
    assert "201" in _operation(document, "POST", "/customerid-rest/services/2.1/organizations/")["responses"]
    force = _operation(document, "PUT", "/customerid-rest/services/2.1/users/{userId}/forcepasswordchange")
    assert "content" not in force["responses"]["204"]


async def test_every_documented_version_operation_is_described_and_no_description_is_stale(document):
    table = CustomerIdApi().endpoints
    descriptions = customerid_openapi._descriptions()["operations"]
    handlers = {operation.handler for operation in table.operations}
    assert set(descriptions) <= handlers, f"described but not in endpoints.yaml: {set(descriptions) - handlers}"
    for operation in table.operations:
        if set(operation.versions) & set(DOCUMENTED_VERSIONS):
            assert operation.handler in descriptions, f"{operation.code} has no openapi-operations.yaml entry"
    # the SSO's rows are described in sso/openapi.yaml, every one, nothing more
    sso_described = customerid_openapi._families()["sso"]["operations"]
    assert set(sso_described) == {operation.handler for operation in table.operations if "sso" in operation.versions}


async def test_parameters_bodies_and_errors_are_described(document):
    list_users = _operation(document, "GET", "/customerid-rest/services/2.1/users/")
    names = {parameter["name"]: parameter for parameter in list_users["parameters"]}
    # what params.parse_count and checked_text take (issue 19): a Java int, XML-safe text
    assert names["maxResults"]["schema"] == {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}
    create = _operation(document, "POST", "/customerid-rest/services/2.1/organizations/")
    technical_name = next(item for item in create["parameters"] if item["name"] == "technicalName")
    assert not technical_name["required"] and technical_name["schema"]["maxLength"] == 4096  # default: a UUID
    friendly_name = next(item for item in create["parameters"] if item["name"] == "friendlyName")
    assert friendly_name["schema"]["pattern"].startswith("^[^\\u0000-")
    assert technical_name["schema"]["pattern"] == "^[a-zA-ZäöåÄÖÅ0-9 ,._-]*$"
    # 1.0: one handler for user/?login=... and user/{user}; the lookups only on the first
    by_key = {item["name"] for item in _operation(document, "GET", "/eidm2/services/user/")["parameters"]}
    by_name = _operation(document, "GET", "/eidm2/services/user/{userOrOrganization}")["parameters"]
    assert {"uniqueId", "login"} <= by_key and not {"uniqueId", "login"} & {item["name"] for item in by_name}
    assert names["user_search"]["style"] == "form" and names["user_search"]["explode"] is True
    # 2.0 names the organization type organizationClass, 2.1 organizationType
    for version, wanted, unwanted in (
        ("2.0", "organizationClass", "organizationType"),
        ("2.1", "organizationType", "organizationClass"),
    ):
        create = _operation(document, "POST", f"/customerid-rest/services/{version}/organizations/")
        names = {parameter["name"] for parameter in create["parameters"]}
        assert wanted in names and unwanted not in names
    patch = _operation(document, "PATCH", "/customerid-rest/services/2.1/users/{userId}")
    assert set(patch["requestBody"]["content"]) == {
        "application/x-www-form-urlencoded",
        "application/xml",
        "application/json",
    }
    xml_body = document["components"]["schemas"]["cid-2.1.UserRequest"]
    assert xml_body["xml"] == {"name": "UserRequest", "namespace": "http://schema.ubisecure.com/customerid/api"}
    error = document["components"]["responses"]["Error404"]["content"]["application/xml"]["schema"]
    assert error == {"$ref": "#/components/schemas/customerid-error.error"}
    assert "WWW-Authenticate" in document["components"]["responses"]["Error401"]["headers"]
    # 1.0 names an entity by a path of segments; user/{user} and user/{organization} share one path
    user_10 = document["paths"]["/eidm2/services/user/{userOrOrganization}"]
    assert set(user_10) == {"get", "put", "post", "delete"}
    assert user_10["post"]["operationId"] == "MOD009_v1_0"


async def test_real_answers_validate_against_the_document(emulator, document):
    checker = OpenApiXml(document)

    def answer_schema(method: str, path: str, status: int, media_type: str = "application/xml") -> dict:
        response = _operation(document, method, path)["responses"][str(status)]
        if "$ref" in response:
            response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
        return response["content"][media_type]["schema"]

    v21 = "/customerid-rest/services/2.1"
    async with emulator.session() as http:
        async with http.get(f"{emulator.url}{v21}/users/{MAIJA}") as response:  # GET105
            user = checker.validate(await response.read(), answer_schema("GET", f"{v21}/users/{{userId}}", 200))
        assert any(attribute["name"] == "email" for attribute in user["Attribute"])
        async with http.get(f"{emulator.url}{v21}/users/") as response:  # GET104
            users = checker.validate(await response.read(), answer_schema("GET", f"{v21}/users/", 200))
        assert MAIJA in users["Id"]
        async with http.get(f"{emulator.url}{v21}/organizations/{UNKNOWN_ID}") as response:  # GET107, 404
            assert response.status == 404
            error = checker.validate(
                await response.read(), answer_schema("GET", f"{v21}/organizations/{{organizationId}}", 404)
            )
        assert error["code"] == "7"
        async with http.patch(
            f"{emulator.url}{v21}/users/{MAIJA}",
            json={"firstname": "Maija-Liisa"},
            headers={"Accept": "application/json"},
        ) as response:  # PATCH124, JSON answer
            checker.validate_json(
                await response.json(), answer_schema("PATCH", f"{v21}/users/{{userId}}", 200, "application/json")
            )
        async with http.get(f"{emulator.url}/eidm2/services/orgs/", params={"entities": "true"}) as response:
            organizations = checker.validate(  # D10-ListOrganizations, entitylist branch of the oneOf
                await response.read(), answer_schema("GET", "/eidm2/services/orgs/", 200)
            )
        assert organizations["organization"]
    # the checker is not a rubber stamp: a missing or an unknown element is refused
    error_schema = answer_schema("GET", f"{v21}/organizations/{{organizationId}}", 404)
    for broken in (b"<error><code>7</code></error>", b"<error><code>7</code><message>m</message><at/></error>"):
        with pytest.raises(jsonschema.ValidationError):
            checker.validate(broken, error_schema)


async def test_sso_operations_are_oauth2_json_not_customerid_xml(document):
    assert {"name": SSO_TAG, "description": document["tags"][-1]["description"]} in document["tags"]
    assert "CustomerID sso" not in {tag["name"] for tag in document["tags"]}
    schemes = document["components"]["securitySchemes"]
    assert (schemes["ssoClient"]["type"], schemes["ssoClient"]["scheme"]) == ("http", "basic")
    token = _operation(document, "POST", "/uas/oauth2/token")  # post /uas/oauth2/token
    assert token["operationId"] == "post_uas_oauth2_token" and token["tags"] == [SSO_TAG]
    assert token["security"] == [{"ssoClient": []}, {}]  # Basic, or client_id/client_secret in the form
    form = token["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    form = document["components"]["schemas"][form["$ref"].rsplit("/", 1)[1]]
    assert {"grant_type", "username", "password", "client_id", "client_secret", "refresh_token", "scope"} <= set(
        form["properties"]
    )
    assert form["properties"]["grant_type"]["enum"] == [
        "password",  # first: what Swagger UI pre-selects, and a form that works with the examples
        "client_credentials",
        "refresh_token",
        "authorization_code",
    ]
    introspection = _operation(document, "POST", "/uas/oauth2/introspection")
    form = introspection["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert document["components"]["schemas"][form["$ref"].rsplit("/", 1)[1]]["required"] == ["token"]
    assert _operation(document, "GET", "/uas/oauth2/userinfo")["security"] == [{"bearer": []}]
    for path in ("/uas/.well-known/openid-configuration", "/uas/oauth2/metadata.jwks"):
        assert _operation(document, "GET", path)["security"] == [{}]  # open, as the vendor's
    for method, path in (
        ("POST", "/uas/oauth2/token"),
        ("POST", "/uas/oauth2/introspection"),
        ("GET", "/uas/oauth2/userinfo"),
        ("GET", "/uas/.well-known/openid-configuration"),
        ("GET", "/uas/oauth2/metadata.jwks"),
    ):
        responses = _operation(document, method, path)["responses"]
        assert set(responses["200"]["content"]) == {"application/json"}, path
        for status, response in responses.items():
            if status != "200":  # the RFC 6749 error JSON, never CustomerID's <error> document
                error = document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
                assert error["content"] == {
                    "application/json": {"schema": {"$ref": "#/components/schemas/sso.OAuthError"}}
                }
    assert "WWW-Authenticate" in document["components"]["responses"]["ssoError401"]["headers"]


async def test_real_sso_answers_validate_against_the_document(emulator, document):
    checker = OpenApiXml(document)

    def answer_schema(method: str, path: str, status: int) -> dict:
        response = _operation(document, method, path)["responses"][str(status)]
        if "$ref" in response:
            response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
        return response["content"]["application/json"]["schema"]

    client = {"Authorization": aiohttp.encode_basic_auth("ci-client", "ci-client-secret")}
    async with aiohttp.ClientSession() as http:
        form = {"grant_type": "password", "username": "api-user", "password": "api-user-password"}
        async with http.post(emulator.url + "/uas/oauth2/token", data=form, headers=client) as response:
            issued = await response.json()
            checker.validate_json(issued, answer_schema("POST", "/uas/oauth2/token", 200))
        assert issued["refresh_token"]
        async with http.post(
            emulator.url + "/uas/oauth2/introspection",
            data={"token": issued["access_token"]},
            headers={"Authorization": aiohttp.encode_basic_auth("customerid-api", "customerid-api-secret")},
        ) as response:
            introspected = await response.json()
            checker.validate_json(introspected, answer_schema("POST", "/uas/oauth2/introspection", 200))
        assert introspected["active"] is True and introspected["usn"] == "api-user"
        async with http.post(
            emulator.url + "/uas/oauth2/token", data={**form, "password": "wrong"}, headers=client
        ) as response:
            assert response.status == 400
            refused = await response.json()
            checker.validate_json(refused, answer_schema("POST", "/uas/oauth2/token", 400))
        for path in ("/uas/.well-known/openid-configuration", "/uas/oauth2/metadata.jwks"):
            async with http.get(emulator.url + path) as response:
                checker.validate_json(await response.json(), answer_schema("GET", path, 200))
        async with http.get(
            emulator.url + "/uas/oauth2/userinfo", headers={"Authorization": "Bearer " + issued["access_token"]}
        ) as response:
            checker.validate_json(await response.json(), answer_schema("GET", "/uas/oauth2/userinfo", 200))
    # not a rubber stamp: an answer without access_token, or an unknown error code, is refused
    for broken, schema in (
        ({"token_type": "Bearer", "expires_in": 1, "scope": ""}, ("POST", "/uas/oauth2/token", 200)),
        ({"error": "no_such_error"}, ("POST", "/uas/oauth2/token", 400)),
    ):
        with pytest.raises(jsonschema.ValidationError):
            checker.validate_json(broken, answer_schema(*schema))


def test_a_new_row_appears_without_a_description():
    """New rows (issue 15 adds SSO token endpoints) are listed before anyone describes them."""
    table = CustomerIdApi().endpoints
    extra = Operation(
        api="customerid",
        code="SSO-Token",
        summary="Token",
        method="POST",
        path="/oauth2/token",
        versions=("uas",),
        handler="sso_token",
    )
    widened = dataclasses.replace(
        table, base_paths={**table.base_paths, "uas": "/uas"}, operations=table.operations + (extra,)
    )
    document = customerid_openapi._document(widened, handlers=None)  # not cached: a throwaway table
    validate(json.loads(json.dumps(document)))
    token = document["paths"]["/uas/oauth2/token"]["post"]
    assert token["operationId"] == "SSO-Token_vuas" and token["summary"] == "SSO-Token Token"
    assert "400" in token["responses"] and "200" in token["responses"]


async def test_the_document_answers_only_get(emulator):
    async with aiohttp.ClientSession() as http, http.post(emulator.url + DOCUMENT) as response:
        assert response.status == 405


async def test_the_document_is_open_when_a_control_token_is_set(make_emulator):
    handle = await make_emulator(control_token="s3cret")
    async with aiohttp.ClientSession() as http:
        async with http.get(handle.url + DOCUMENT) as response:
            assert response.status == 200
        async with http.get(handle.url + "/__emulator/dfs/openapi.json") as response:
            assert response.status == 200
        async with http.get(handle.url + "/__emulator/faults") as response:
            assert response.status == 401
