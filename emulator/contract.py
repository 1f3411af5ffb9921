"""``--contract off|warn|strict``: every answer of an emulated API checked, as it
leaves, against the API's published contract (CustomerID's XSDs, DFS's OpenAPI
document; each API says what through ``response_contract()``).

``warn`` serves the answer and records the violation on its journal entry (and
in the log); ``strict`` answers 500 with the API's own error document naming
it, so an emulator bug fails the user's test instead of becoming a wrong
assumption. ``off`` costs nothing per request: the checks are wrappers put
around the bound operations when an API is mounted, and with ``off`` nothing is
wrapped. What is checked is the operation's own answer: injected faults act
outside it and are never reported as violations."""

from __future__ import annotations

import logging
from typing import Any, Callable

from aiohttp import web

from .state import EmulatorState, NamespaceError

log = logging.getLogger("emulator.contract")

VIOLATION = web.RequestKey("emulator_contract_violation", dict)


def mount(make_dispatcher: Callable[[Any, EmulatorState], Callable], api, state: EmulatorState) -> Callable:
    """The API's dispatcher, built by ``make_dispatcher``, with the contract checked
    when the configuration asks for it; otherwise exactly the plain dispatcher."""
    mode = state.config.contract
    if mode == "off":
        return make_dispatcher(api, state)
    contract_of = getattr(api, "response_contract", None)
    if contract_of is None:
        log.info("contract: %s publishes no contract; its answers are not checked", api.name)
        return make_dispatcher(api, state)
    checked = CheckedApi(api, contract_of(), mode)
    dispatch = make_dispatcher(checked, state)
    if checked.unchecked:
        log.info("contract: %s operations without a published contract, not checked: %s",
                 api.name, ", ".join(sorted(set(checked.unchecked))))

    async def dispatch_and_journal(request: web.Request) -> web.StreamResponse:
        response = await dispatch(request)
        violation = request.get(VIOLATION)
        if violation is not None:
            _journal(state, request, violation)
        return response

    dispatch_and_journal.__name__ = dispatch.__name__
    return dispatch_and_journal


def _journal(state: EmulatorState, request: web.Request, violation: dict) -> None:
    """Put the violation on the request's journal entry: the dispatcher records it
    and returns without suspending, so it is still the namespace's newest entry."""
    try:
        journal = state.namespace_for(request).journal
    except NamespaceError:
        return
    if journal.entries:
        entry = journal.entries[-1]
        if entry.method == request.method and entry.path == request.path:
            entry.contract = violation


class CheckedApi:
    """The API as the dispatcher sees it, with every bound operation and every
    error document it builds outside an operation checked on the way out."""

    def __init__(self, api, contract, mode: str) -> None:
        self._api = api
        self._contract = contract
        self._strict = mode == "strict"
        self._mode = mode
        self.unchecked: list[str] = []

    def __getattr__(self, name: str):
        return getattr(self._api, name)

    def bind(self, operation, version: str):
        bound = self._api.bind(operation, version)
        answer_contract = self._contract.checker(operation, version)
        code = operation.code_for(version)
        if answer_contract is None:
            self.unchecked.append(f"{code} ({version})")
            return bound

        async def checked(request: web.Request, world, path_params: dict[str, str]) -> web.StreamResponse:
            return self._judge(answer_contract, code, version, request,
                               await bound(request, world, path_params))

        return checked

    def error_response(self, status: int, detail: str, request: web.Request) -> web.Response:
        response = self._api.error_response(status, detail, request)
        answer_contract = self._contract.error_checker(request.path)
        if answer_contract is None:  # e.g. a token server's URL space: no published contract
            return response
        return self._judge(answer_contract, None, None, request, response)

    def _judge(self, answer_contract, code: str | None, version: str | None, request: web.Request,
               response: web.StreamResponse) -> web.StreamResponse:
        body = getattr(response, "body", None)
        if request.method == "HEAD":
            body = None  # aiohttp sends HEAD answers without their body: only the status counts
        elif body is None:
            body = b""
        elif isinstance(body, (bytes, bytearray)):
            body = bytes(body)
        else:
            return response  # a streamed or payload body: not visible here
        found = answer_contract(response.status, response.content_type if body else "", body)
        if found is None:
            return response
        contract, problem = found
        where = f"{code} ({version})" if code else f"{request.method} {request.path}"
        violation = {"mode": self._mode, "operation": code, "version": version, "status": response.status,
                     "contract": contract, "violation": problem}
        request[VIOLATION] = violation
        log.warning("contract violation: %s answered %s, which breaks %s: %s",
                    where, response.status, contract, problem)
        if not self._strict:
            return response
        return self._api.error_response(
            500, f"contract violation: {where} answered {response.status}, which breaks {contract}: {problem}",
            request)
