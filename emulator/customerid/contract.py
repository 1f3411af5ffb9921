"""CustomerID's published contract, for ``--contract`` (emulator/contract.py): the
document family of each version (cid-1.2.xsd for REST 1.0 and the 1.2 API,
cid-2.1.xsd for 2.0 and 2.1), the error document (customerid-error.xsd) for every
4xx/5xx, the JSON answers of PUT123 and PATCH124 (schemas/json-answers.yaml), and
the operation's success status from endpoints.yaml."""

from __future__ import annotations

import functools
from typing import Any

from ..api import package_file
from ..contract.schemacheck import AnswerContract, JsonSchemaCheck, XsdCheck
from ..endpoints import Operation
from ..formats.packagedata import read_yaml
from .render import JSON_CONTENT_TYPE, XML_CONTENT_TYPE

FAMILIES = {"1.0": "cid-1.2.xsd", "1.2": "cid-1.2.xsd", "2.0": "cid-2.1.xsd", "2.1": "cid-2.1.xsd"}
ERROR_XSD = "customerid-error.xsd"
JSON_FILE = "json-answers.yaml"
# The operations whose documentation shows a JSON answer (Accept: application/json).
JSON_ANSWERS = {"PUT123": "ReinviteResponse", "PATCH124": "UserResponse"}
# Operations with a second success status besides endpoints.yaml's: 1.0 MOD004b
# with create=true creates the missing user and answers 201 (docs/fidelity.md).
OTHER_SUCCESS = {"MOD004b": 201}
# The URL space the XSDs cover (not the SSO's /uas/, which answers OAuth2 JSON).
REST_PREFIXES = ("/customerid-rest/", "/eidm2/")


class CustomerIdContract:
    def __init__(self) -> None:
        schemas = package_file(__file__, "schemas")
        self.xsd = {name: XsdCheck(schemas / name) for name in {*FAMILIES.values(), ERROR_XSD}}
        definitions = read_yaml(schemas / JSON_FILE)["$defs"]
        self.json = {
            code: JsonSchemaCheck(definitions, name, f"{JSON_FILE}#/$defs/{name}")
            for code, name in JSON_ANSWERS.items()
        }
        self.errors = AnswerContract({}, any_error={XML_CONTENT_TYPE: self.xsd[ERROR_XSD]}, listed_in=ERROR_XSD)

    def checker(self, operation: Operation, version: str) -> AnswerContract | None:
        family = FAMILIES.get(version)
        if family is None:
            return None  # not a CustomerID REST version: no published document family
        code = operation.code_for(version)
        success: dict[str, Any] | None
        if operation.success_status == 204:
            success = None
        else:
            success = {XML_CONTENT_TYPE: self.xsd[family]}
            if code in self.json:
                success[JSON_CONTENT_TYPE] = self.json[code]
        statuses = {operation.success_status: success}
        if code in OTHER_SUCCESS:
            statuses[OTHER_SUCCESS[code]] = success
        return AnswerContract(statuses, any_error=self.errors.any_error, listed_in="endpoints.yaml")

    def error_checker(self, path: str) -> AnswerContract | None:
        return self.errors if path.startswith(REST_PREFIXES) else None


@functools.lru_cache(maxsize=1)
def customerid_contract() -> CustomerIdContract:
    """Built once per process (about half a second: three XSDs): it holds no state."""
    return CustomerIdContract()
