"""Which operation an exchange is: the API packages' endpoint tables, routed the
way the emulator routes (emulator.routing), give the API, the vendor's code in
that version (2.0 calls POST100 MOD001) and the version."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from ..server.routing import MethodNotAllowed, PathRouter


@dataclass(frozen=True)
class Named:
    api: str | None
    operation: str | None
    version: str | None


class OperationNamer:
    def __init__(self, apis: list | None = None) -> None:
        if apis is None:
            from ..app import default_apis

            apis = default_apis()
        self.apis = apis

    @cached_property
    def _router(self) -> PathRouter:
        router: PathRouter = PathRouter()
        for api in self.apis:
            for operation, version, template in api.endpoints.routes():
                router.add(template, operation.method, (api.name, operation.code_for(version), version, template))
        return router

    def api_for_path(self, path: str) -> str | None:
        """The API whose URL prefixes hold the path (a miss still belongs to an API)."""
        for api in self.apis:
            if any(
                path.startswith(prefix.rstrip("/") + "/") or path == prefix.rstrip("/") for prefix in api.url_prefixes
            ):
                return api.name
        return None

    def name(self, method: str, path: str) -> Named:
        """``path`` as aiohttp's ``request.path`` has it: percent-decoded."""
        found = self._router.match(method.upper(), path)
        if found is None or isinstance(found, MethodNotAllowed):
            return Named(self.api_for_path(path), None, None)
        api, code, version, _template = found.target
        return Named(api, code, version)

    def parameters(self, method: str, path: str) -> tuple[str, dict[str, str]]:
        """The URL template that serves ``path`` and its path parameters in template order
        (``("", {})`` when none does): which segments are ids, and of what."""
        found = self._router.match(method.upper(), path)
        if found is None or isinstance(found, MethodNotAllowed):
            return "", {}
        return found.target[3], found.path_params
