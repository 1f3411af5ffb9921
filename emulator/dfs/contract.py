"""DFS's published contract, for ``--contract`` (emulator/contract.py): the
OpenAPI document the emulator serves (openapi.py, built from endpoints.yaml and
schemas/responses.yaml) says per operation which statuses it answers and the
schema of each body; the Error schema covers answers outside any operation."""

from __future__ import annotations

from ..contract.schemacheck import AnswerContract, JsonSchemaCheck
from ..endpoints import EndpointTable, Operation
from .openapi import openapi_document, response_definitions

JSON = "application/json"
SOURCE = "responses.yaml"


class DfsContract:
    def __init__(self, endpoints: EndpointTable) -> None:
        self.endpoints = endpoints
        self.document = openapi_document(endpoints)
        self.definitions = response_definitions()
        self.schemas: dict[str, JsonSchemaCheck] = {}
        self.errors = AnswerContract({}, any_error={JSON: self._schema("Error")}, listed_in="openapi.json")
        # The Admin API's URL space (not the identity server's /connect/, /.well-known/).
        self.prefixes = tuple(
            sorted(
                {
                    endpoints.base_paths[version].rstrip("/") + "/"
                    for operation in endpoints.operations
                    if self._documented(operation)
                    for version in operation.versions
                }
            )
        )

    @staticmethod
    def _documented(operation: Operation) -> bool:
        return operation.response is not None or operation.success_status == 204

    def _schema(self, name: str) -> JsonSchemaCheck:
        if name not in self.schemas:
            self.schemas[name] = JsonSchemaCheck(self.definitions, name, f"{SOURCE}#/{name}")
        return self.schemas[name]

    def checker(self, operation: Operation, version: str) -> AnswerContract | None:
        if not self._documented(operation):
            return None  # the table names no answer schema (e.g. a token endpoint): no published contract
        url = operation.url_template(self.endpoints.base_paths[version])
        documented = self.document["paths"].get(url, {}).get(operation.method.lower())
        if documented is None:
            return None  # served, but not in the OpenAPI document: no published contract
        statuses: dict[int, dict | None] = {}
        for status, answer in documented["responses"].items():
            content = answer.get("content")
            if content is None:
                statuses[int(status)] = None
            else:
                statuses[int(status)] = {
                    media: self._schema(body["schema"]["$ref"].rsplit("/", 1)[1]) for media, body in content.items()
                }
        return AnswerContract(statuses, listed_in=f"openapi.json {operation.method.lower()} {url}")

    def error_checker(self, path: str) -> AnswerContract | None:
        return self.errors if path.startswith(self.prefixes) else None


_BUILT: dict[int, DfsContract] = {}


def dfs_contract(endpoints: EndpointTable) -> DfsContract:
    """Built once per process and endpoint table (EndpointTable.load reads each file once):
    the checks hold no state, and compiling them takes about half a second."""
    if id(endpoints) not in _BUILT:
        _BUILT[id(endpoints)] = DfsContract(endpoints)
    return _BUILT[id(endpoints)]
