"""A client for the control API in tests: JSON in, (status, JSON) out."""

from __future__ import annotations

import json
from typing import Any

import aiohttp


class ControlClient:
    def __init__(
        self, emulator, session: aiohttp.ClientSession, namespace: str | None = None, headers: dict | None = None
    ) -> None:
        self.base = emulator.url + "/__emulator"
        self.session = session
        self.headers = dict(headers or {})
        if namespace is not None:
            self.headers["X-Emulator-Namespace"] = namespace

    async def call(
        self, method: str, path: str, body: Any = None, *, params=None, data=None, headers=None
    ) -> tuple[int, Any]:
        kwargs: dict = {"params": params, "headers": {**self.headers, **(headers or {})}}
        if body is not None:
            kwargs["json"] = body
        if data is not None:
            kwargs["data"] = data
        async with self.session.request(method, self.base + path, **kwargs) as response:
            text = await response.text()
            assert response.content_type in ("application/json", "application/yaml"), (response.content_type, text)
            return response.status, (json.loads(text) if response.content_type == "application/json" else text)

    async def ok(self, method: str, path: str, body: Any = None, *, expect: int = 200, **kwargs) -> Any:
        status, answer = await self.call(method, path, body, **kwargs)
        assert status == expect, (status, answer)
        return answer

    async def get(self, path: str, **kwargs) -> Any:
        return await self.ok("GET", path, **kwargs)

    async def post(self, path: str, body: Any = None, **kwargs) -> Any:
        return await self.ok("POST", path, body, **kwargs)

    async def delete(self, path: str, **kwargs) -> Any:
        return await self.ok("DELETE", path, **kwargs)

    async def add_fault(self, **spec) -> str:
        return (await self.post("/faults", spec, expect=201))["id"]
