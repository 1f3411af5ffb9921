"""Swagger UI at /__emulator/docs: vendored assets, the three documents, open with a control token."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path

import aiohttp
from openapi_spec_validator import validate

import emulator.control.apidocs as apidocs

DOCUMENTS = {
    "customerid": "/__emulator/customerid/openapi.json",
    "dfs": "/__emulator/dfs/openapi.json",
    "control": "/__emulator/openapi.json",
}


async def _page(url: str, http: aiohttp.ClientSession) -> str:
    async with http.get(url + "/__emulator/docs") as response:
        assert response.status == 200
        assert response.content_type == "text/html"
        return await response.text()


async def test_the_page_offers_the_three_documents_and_each_is_valid_with_a_relative_server(emulator):
    async with aiohttp.ClientSession() as http:
        page = await _page(emulator.url, http)
        listed = {document["key"]: document for document in apidocs.documents(emulator.state)}
        assert {key: document["url"] for key, document in listed.items()} == DOCUMENTS
        for key, url in DOCUMENTS.items():
            assert f'"url": "{url}"' in page
            async with http.get(emulator.url + url) as response:
                assert response.status == 200, key
                document = await response.json()
            validate(document)
            # "Try it out" calls this emulator: no absolute server URL in any document
            assert all(not server["url"].startswith("http") for server in document.get("servers", [{"url": "/"}]))
        async with http.get(emulator.url + DOCUMENTS["control"]) as response:
            control = await response.json()
        assert control["components"]["securitySchemes"]["controlToken"]["scheme"] == "bearer"


async def test_every_asset_the_page_loads_is_served_from_the_package(emulator):
    async with aiohttp.ClientSession() as http:
        page = await _page(emulator.url, http)
        assets = re.findall(r'(?:src|href)="([^"]+)"', page)
        assert len(assets) == 5 and all(asset.startswith("/__emulator/docs/static/") for asset in assets)
        assert "//" not in "".join(assets)  # no CDN
        for asset in assets:
            async with http.get(emulator.url + asset) as response:
                assert response.status == 200, asset
                body = await response.read()
                assert body
            if asset.endswith(".js"):
                assert response.content_type == "text/javascript"
            elif asset.endswith(".css"):
                assert response.content_type == "text/css"
        for license_file in ("LICENSE", "NOTICE"):
            async with http.get(emulator.url + "/__emulator/docs/static/swagger-ui/" + license_file) as response:
                assert response.status == 200
        docs_js = (Path(apidocs.__file__).parent / "static" / "docs.js").read_text()
        assert "validatorUrl: null" in docs_js  # Swagger UI would otherwise call validator.swagger.io


async def test_unknown_assets_and_escapes_are_404(emulator):
    async with aiohttp.ClientSession() as http:
        for name in ("nothing.js", "..%2F__init__.py", "../__init__.py", "index.html"):
            async with http.get(f"{emulator.url}/__emulator/docs/static/{name}") as response:
                assert response.status == 404, name
                assert response.content_type in ("application/json", "text/plain")


async def test_the_page_assets_and_documents_are_open_with_a_control_token(make_emulator):
    handle = await make_emulator(control_token="s3cret")
    async with aiohttp.ClientSession() as http:
        await _page(handle.url, http)
        async with http.get(handle.url + "/__emulator/docs/static/swagger-ui/swagger-ui.css") as response:
            assert response.status == 200
        for url in DOCUMENTS.values():
            async with http.get(handle.url + url) as response:
                assert response.status == 200, url
        async with http.get(handle.url + "/__emulator/requests") as response:
            assert response.status == 401


def test_package_data_ships_every_asset():
    project = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
    patterns = project["tool"]["setuptools"]["package-data"]["*"]
    static = Path(apidocs.__file__).parent / "static"
    files = [path for path in static.rglob("*") if path.is_file()]
    assert {path.name for path in files} >= {
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
        "swagger-ui.css",
        "LICENSE",
        "NOTICE",
        "index.html",
        "docs.js",
    }
    for path in files:
        assert any(fnmatch.fnmatch(path.name, pattern) for pattern in patterns), f"{path.name} is not package data"


async def test_documents_carry_example_ids_from_the_namespace_and_open_on_the_current_version(emulator):
    """Issue 23 point 6: "Try it out" starts with ids that exist; CustomerID 2.1 comes first; DFS says how to get a token."""
    async with aiohttp.ClientSession() as session:
        async with session.get(emulator.url + "/__emulator/customerid/openapi.json") as response:
            customerid = await response.json()
        async with session.get(emulator.url + "/__emulator/dfs/openapi.json") as response:
            dfs = await response.json()
    validate(customerid)
    validate(dfs)
    assert customerid["tags"][0]["name"] == "CustomerID 2.1" and customerid["tags"][3]["name"] == "CustomerID 1.0"
    get105 = customerid["paths"]["/customerid-rest/services/2.1/users/{userId}"]["get"]
    user_id = next(p for p in get105["parameters"] if p["name"] == "userId")["example"]
    assert user_id in {entry["id"] for entry in (await emulator.control("GET", "/records/customerid/users"))["records"]}
    identity = dfs["paths"]["/v1.0/identities/{identityId}"]["get"]
    identity_id = next(p for p in identity["parameters"] if p["name"] == "identityId")["example"]
    assert (await emulator.control("GET", f"/records/dfs/identities/{identity_id}"))["id"] == identity_id
    assert "POST /__emulator/dfs/token" in dfs["components"]["securitySchemes"]["Bearer"]["description"]
    assert "/connect/token" in dfs["info"]["description"]


async def test_an_empty_or_unknown_namespace_gets_no_examples(emulator):
    async with aiohttp.ClientSession() as session:
        await session.post(
            emulator.url + "/__emulator/scenarios?replace=true",
            json={"customerid": {"organizations": {}}},
            headers={"X-Emulator-Namespace": "apidocs-empty"},
        )
        for namespace in ("apidocs-empty", "apidocs-never-made"):
            async with session.get(
                emulator.url + "/__emulator/customerid/openapi.json", headers={"X-Emulator-Namespace": namespace}
            ) as response:
                assert response.status == 200
                document = await response.json()
            get105 = document["paths"]["/customerid-rest/services/2.1/users/{userId}"]["get"]
            assert "example" not in next(p for p in get105["parameters"] if p["name"] == "userId")


ACME_SCENARIO = {
    "dfs": {
        "tenants": {"acme": {"id": 7, "uid": "7a7a7a7a-0000-4000-8000-000000000007", "key": "Acme", "name": "Acme"}},
        "clients": {
            "acme-web": {
                "secret": "acme-web-secret",
                "tenants": ["acme"],
                "grantTypes": ["authorization_code"],
                "redirectUris": ["http://localhost:9/cb"],
            },
            "acme-batch": {"secret": "acme demo secret", "tenants": ["acme"]},
        },
    }
}


async def _dfs_document(session: aiohttp.ClientSession, url: str, namespace: str) -> dict:
    async with session.get(url + "/__emulator/dfs/openapi.json", headers={"X-Emulator-Namespace": namespace}) as got:
        assert got.status == 200
        return await got.json()


async def test_the_dfs_document_says_how_to_get_a_token_for_the_loaded_scenario(emulator):
    """Issue 23 point 6: the DFS page names the loaded scenario's client, not the default one's."""
    async with aiohttp.ClientSession() as session:
        async with session.post(
            emulator.url + "/__emulator/scenarios?replace=true",
            json=ACME_SCENARIO,
            headers={"X-Emulator-Namespace": "apidocs-acme"},
        ) as loaded:
            assert loaded.status == 200, await loaded.text()
        acme = await _dfs_document(session, emulator.url, "apidocs-acme")
        validate(acme)
        howto = acme["components"]["securitySchemes"]["Bearer"]["description"]
        assert acme["info"]["description"].endswith(howto)
        # the first client that may use client_credentials, with the secret its scenario holds, quoted for a shell
        assert "`acme-batch`" in howto and "-u 'acme-batch:acme demo secret'" in howto
        assert "dfs-ci-client" not in howto and "acme-web" not in howto
        # the line works as documented
        async with session.post(
            emulator.url + "/connect/token",
            data={"grant_type": "client_credentials"},
            headers={
                "X-Emulator-Namespace": "apidocs-acme",
                "Authorization": aiohttp.encode_basic_auth("acme-batch", "acme demo secret"),
            },
        ) as token:
            assert token.status == 200 and (await token.json())["access_token"]
        default = await _dfs_document(session, emulator.url, "default")
        assert "-u dfs-ci-client:dfs-ci-secret" in default["components"]["securitySchemes"]["Bearer"]["description"]


async def test_without_a_client_the_dfs_document_names_none(emulator):
    async with aiohttp.ClientSession() as session:
        await session.post(
            emulator.url + "/__emulator/scenarios?replace=true",
            json={"customerid": {"organizations": {}}},
            headers={"X-Emulator-Namespace": "apidocs-no-client"},
        )
        for namespace in ("apidocs-no-client", "apidocs-never-made"):
            howto = (await _dfs_document(session, emulator.url, namespace))["info"]["description"]
            assert "a client of the scenario's `dfs.settings.clients`" in howto and " -u " not in howto, namespace
            assert "POST /__emulator/dfs/token" in howto
