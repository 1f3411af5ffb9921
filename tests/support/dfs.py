"""A DFS client for the tests: every answer it receives is checked against the
OpenAPI document the emulator serves (GET /__emulator/dfs/openapi.json): the
status must be one the operation declares, 204 has no body, JSON bodies validate
against the declared schema, and every answer carries X-Correlation-ID (equal to
an error body's CorrelationId)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import aiohttp
import jsonschema

# Ids fixed in the default scenario (emulator/builtin_scenarios/default.yaml) (dfs section)
TENANT_UID = "4ffd1a62-2c9e-4c2d-b495-18d00141498e"  # Additiv, TenantId 2
GLOBEX_UID = "7a1f3c2e-9b7d-4c55-8e21-3f4b5c6d7e8f"  # Globex Wealth, TenantId 12
ADMIN = "01000000-0000-0000-0000-000000000000"  # role admin (1), member 1, contacts 5001/5002
SYSTEM = "01000000-0000-0000-0000-000000000001"  # system account
SARAH = "02000000-0000-4000-8000-000000000001"  # head-advisor (2), member 3, also in Globex
KYLE = "02000000-0000-4000-8000-000000000002"  # head-advisor, member 4
MILES = "02000000-0000-4000-8000-000000000003"  # advisor (3), member 5, excludes TARISSA
TARISSA = "02000000-0000-4000-8000-000000000004"  # assistant (4), member 6
PETER = "02000000-0000-4000-8000-000000000005"  # advisor, member 7
BLAIR = "02000000-0000-4000-8000-000000000008"  # assistant, sign-in disabled, member 10
GRACE = "02000000-0000-4000-8000-000000000009"  # auditor (5, member access excluded), member 11
DANNY = "02000000-0000-4000-8000-000000000010"  # assistant, tenant access disabled, member 12
JOHN = "02000000-0000-4000-8000-000000000011"  # advisor, no member yet
HANK = "03000000-0000-4000-8000-000000000001"  # Globex only
UNKNOWN = "99999999-9999-4999-8999-999999999999"
ROLE_ADMIN, ROLE_HEAD, ROLE_ADVISOR, ROLE_ASSISTANT, ROLE_AUDITOR, ROLE_TRAINEE = 1, 2, 3, 4, 5, 6
GLOBEX_ROLE = 20

_DOCUMENT: dict | None = None


@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes
    json: object = None

    def expect(self, status: int, code: str | None = None) -> Reply:
        assert self.status == status, (self.status, self.body[:500])
        if code is not None:
            assert self.json["Code"] == code, self.json
        return self


class DfsClient:
    def __init__(self, emulator, session: aiohttp.ClientSession) -> None:
        self.emulator = emulator
        self.session = session
        self.headers = emulator.dfs_headers

    async def document(self) -> dict:
        global _DOCUMENT
        if _DOCUMENT is None:
            async with self.session.get(self.emulator.url + "/__emulator/dfs/openapi.json") as response:
                assert response.status == 200
                _DOCUMENT = await response.json()
        return _DOCUMENT

    async def operation(self, method: str, path: str):
        document = await self.document()
        best = None
        for template, item in document["paths"].items():
            pattern = "^" + re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(template)) + "/?$"
            if re.match(pattern, path):
                literals = sum(1 for part in template.split("/") if part and not part.startswith("{"))
                if best is None or literals > best[0]:
                    best = (literals, item)
        return None if best is None else best[1].get(method.lower())

    async def call(
        self,
        method: str,
        path: str,
        json_body=None,
        *,
        data: bytes | str | None = None,
        headers: dict | None = None,
        version: str | None = None,
    ) -> Reply:
        """``path`` starts with the version segment as the document writes it: "/v1.2/identities"."""
        headers = {**self.headers, **(headers or {})}
        kwargs = {"headers": {k: v for k, v in headers.items() if v is not None}}
        if json_body is not None:
            kwargs["json"] = json_body
        elif data is not None:
            kwargs["data"] = data
            kwargs["headers"].setdefault("Content-Type", "application/json")
        async with self.session.request(method, self.emulator.url + path, **kwargs) as response:
            body = await response.read()
            reply = Reply(response.status, dict(response.headers), body)
        await self.check(method, path, reply)
        return reply

    async def check(self, method: str, path: str, reply: Reply) -> None:
        document = await self.document()
        correlation = reply.headers.get("X-Correlation-ID")
        assert correlation and re.fullmatch(r"[0-9a-f]{32}", correlation), reply.headers
        operation = await self.operation(method, path)
        if reply.status == 204:
            assert reply.body == b"", reply.body
            assert operation is not None and "204" in operation["responses"], (method, path)
            return
        assert reply.headers.get("Content-Type", "").startswith("application/json"), reply.headers
        reply.json = json.loads(reply.body)
        if operation is None or reply.status == 405:  # router answers outside any operation
            schema_name = "Error"
        else:
            declared = operation["responses"].get(str(reply.status))
            assert declared is not None, f"{method} {path}: status {reply.status} is not in the OpenAPI document"
            schema_name = declared["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        schema = {"$ref": f"#/components/schemas/{schema_name}", "components": document["components"]}
        errors = list(jsonschema.Draft202012Validator(schema).iter_errors(reply.json))
        assert not errors, f"{method} {path} ({reply.status}) does not match {schema_name}: {errors[0].message}"
        if reply.status >= 400:
            assert reply.json["CorrelationId"] == correlation

    async def get(self, path, **kwargs) -> Reply:
        return await self.call("GET", path, **kwargs)

    async def post(self, path, json_body=None, **kwargs) -> Reply:
        return await self.call("POST", path, json_body, **kwargs)

    async def put(self, path, json_body=None, **kwargs) -> Reply:
        return await self.call("PUT", path, json_body, **kwargs)

    async def patch(self, path, json_body=None, **kwargs) -> Reply:
        return await self.call("PATCH", path, json_body, **kwargs)

    async def delete(self, path, **kwargs) -> Reply:
        return await self.call("DELETE", path, **kwargs)

    def token(self, **kwargs) -> dict:
        return {"Authorization": "Bearer " + self.emulator.dfs_token(**kwargs)}
