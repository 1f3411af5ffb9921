"""``--contract off|warn|strict``: every answer of an emulated API checked, as it
leaves, against the API's published contract (CustomerID's XSDs, DFS's OpenAPI
document; each API says what through ``response_contract()``).

This is the pipeline's contract step (``emulator.server.pipeline``): it judges
the operation's own answer, or the error document the pipeline built outside an
operation, and gives back the answer to send and its verdict, which the journal
step records with the exchange. ``warn`` sends the answer as it was; ``strict``
answers 500 with the API's own error document naming the violation, so an
emulator bug fails the user's test instead of becoming a wrong assumption.
``off`` (and an API without a published contract) has no step at all. Injected
faults act outside the operation and are never judged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web

from ..api import HasResponseContract

log = logging.getLogger("emulator.contract")

# (status, content type, body) -> None, or (contract name, problem)
AnswerContract = Callable[[int, str, bytes | None], "tuple[str, str] | None"]
Verdict = dict[str, Any]


class ContractCheck:
    """One API's published contract, asked per operation and version."""

    def __init__(self, api, contract, mode: str) -> None:
        self._error_response = api.error_response
        self._api_name = api.name
        self._contract = contract
        self._strict = mode == "strict"
        self._mode = mode
        self.unchecked: list[str] = []

    def checker(self, operation, version: str) -> AnswerContract | None:
        """The operation's answer contract (``None``: not published, not checked)."""
        answer_contract = self._contract.checker(operation, version)
        if answer_contract is None:
            self.unchecked.append(f"{operation.code_for(version)} ({version})")
        return answer_contract

    def report_unchecked(self) -> None:
        if self.unchecked:
            log.info(
                "contract: %s operations without a published contract, not checked: %s",
                self._api_name,
                ", ".join(sorted(set(self.unchecked))),
            )

    def judge(
        self,
        request: web.Request,
        answer_contract: AnswerContract | None,
        code: str | None,
        version: str | None,
        response: web.StreamResponse,
    ) -> tuple[web.StreamResponse, Verdict | None]:
        """An operation's answer (``answer_contract`` from ``checker``), or, with
        ``answer_contract`` None, an error document built outside an operation:
        judged by the contract that covers the request's path, if any."""
        if answer_contract is None:
            answer_contract = self._contract.error_checker(request.path)
            if answer_contract is None:  # e.g. a token server's URL space: no published contract
                return response, None
            code = version = None
        body = getattr(response, "body", None)
        if request.method == "HEAD":
            body = None  # aiohttp sends HEAD answers without their body: only the status counts
        elif body is None:
            body = b""
        elif isinstance(body, (bytes, bytearray)):
            body = bytes(body)
        else:
            return response, None  # a streamed or payload body: not visible here
        found = answer_contract(response.status, response.content_type if body else "", body)
        if found is None:
            return response, None
        contract, problem = found
        where = f"{code} ({version})" if code else f"{request.method} {request.path}"
        verdict = {
            "mode": self._mode,
            "operation": code,
            "version": version,
            "status": response.status,
            "contract": contract,
            "violation": problem,
        }
        log.warning(
            "contract violation: %s answered %s, which breaks %s: %s", where, response.status, contract, problem
        )
        if not self._strict:
            return response, verdict
        return self._error_response(
            500, f"contract violation: {where} answered {response.status}, which breaks {contract}: {problem}", request
        ), verdict


def contract_check(api, mode: str) -> ContractCheck | None:
    """The contract step for ``api`` under ``--contract mode``; ``None`` (no step)
    when the mode is off or the API publishes no contract."""
    if mode == "off":
        return None
    if not isinstance(api, HasResponseContract):
        log.info("contract: %s publishes no contract; its answers are not checked", api.name)
        return None
    return ContractCheck(api, api.response_contract(), mode)
