"""The request pipeline of every emulated API, one ordered list of steps:

1. **namespace**: ``X-Emulator-Namespace`` picks the world, faults and journal;
2. **route**: method and path -> the operation (``Routes``; a path asked before is
   a dict lookup);
3. **faults**: an injected fault may answer instead of steps 4-5, or after them
   (``emulator.world.faults``);
4. **operation**: the bound operation; a bug becomes the API's own 500 document
   (``run_operation``);
5. **contract**: with ``--contract``, the answer judged against the API's
   documents (``emulator.contract.check``), giving a verdict;
6. **journal**: the exchange recorded, with the fault's note and the verdict.

Whatever goes wrong outside an operation (no route, wrong method, body too large)
reaches the client as the API's own error document, never aiohttp's text/plain
page. With no faults and the journal on, a request costs one header lookup, one
dict lookup for its route, two clock reads and one journal entry.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from aiohttp import web

from ..contract.check import ContractCheck, contract_check
from ..endpoints import Operation
from ..world import faults
from ..world.state import EmulatorState, NamespaceError
from .connections import read_body
from .routing import PathRouter, RouteMatch

log = logging.getLogger("emulator")

OPERATION = web.RequestKey("emulator_operation", Operation)  # the Operation a request was routed to
ROUTE_CACHE_SIZE = 4096  # paths remembered per method and API; emptied when full


class Target:
    """What a route leads to: the operation, its hit-counter key, the bound
    callable and, with ``--contract``, the contract its answers must keep."""

    __slots__ = ("operation", "code", "version", "hit_key", "bound", "answer_contract")

    def __init__(self, operation: Operation, version: str, api_name: str, bound, answer_contract) -> None:
        self.operation, self.code, self.version = operation, operation.code, version
        self.hit_key = (api_name, operation.code, version)
        self.bound, self.answer_contract = bound, answer_contract


class Routes:
    """Step 2: the endpoint table's operations by method and path. A match is
    remembered per path; a miss is answered with the API's error document."""

    def __init__(self, api, contract: ContractCheck | None) -> None:
        self.router: PathRouter[Target] = PathRouter()
        for operation, version, template in api.endpoints.routes():
            checker = contract.checker(operation, version) if contract is not None else None
            self.router.add(
                template, operation.method, Target(operation, version, api.name, api.bind(operation, version), checker)
            )
        self.remembered: dict[str, dict[str, RouteMatch[Target]]] = {}
        self.error_response = api.error_response

    def find(self, request: web.Request, method: str, path: str) -> tuple[RouteMatch[Target] | None, Any]:
        found = self.router.match(method, path)
        if isinstance(found, RouteMatch):
            routes = self.remembered.get(method)
            if routes is None:
                routes = self.remembered[method] = {}
            elif len(routes) >= ROUTE_CACHE_SIZE:
                routes.clear()
            routes[path] = found
            return found, None
        if found is None:
            return None, self.error_response(404, f"no resource at {path}", request)
        if method == "OPTIONS":  # JAX-RS answers OPTIONS itself, with Allow
            return None, web.Response(status=200, headers={"Allow": ", ".join(found.allowed)})
        response = self.error_response(405, f"{method} is not supported on {path}", request)
        response.headers["Allow"] = ", ".join(found.allowed)
        return None, response


def failure_response(api, request: web.Request, error: Exception) -> web.StreamResponse:
    """Step 4's refusal: what escaped an operation, as the API's error document."""
    if isinstance(error, web.HTTPRequestEntityTooLarge):
        return api.error_response(413, "request body is larger than the emulator accepts", request)
    if isinstance(error, web.HTTPException):
        if error.status < 400:
            raise error
        return api.error_response(error.status, error.reason, request)
    log.error("unhandled error serving %s %s", request.method, request.path, exc_info=error)
    return api.error_response(500, "unexpected emulator error", request)


def build_pipeline(api, state: EmulatorState):
    """The aiohttp handler for everything under ``api``'s URL prefixes."""
    contract = contract_check(api, state.config.contract)
    routes = Routes(api, contract)
    if contract is not None:
        contract.report_unchecked()
    remembered, find_route = routes.remembered, routes.find
    hits = state.hits
    api_name = api.name
    max_hold = state.config.fault_max_hold_seconds
    perf_counter, wall_time = time.perf_counter, time.time
    namespace_for = state.namespace_for
    error_response = api.error_response

    async def run_operation(request: web.Request, target: Target | None, world, found, response):
        """Steps 4 and 5 (a fault's ``run``): the operation, then the contract."""
        answered = None  # the target whose operation answered
        if target is not None:
            try:
                response = await target.bound(request, world, found.path_params)
                answered = target
            except Exception as error:
                response = failure_response(api, request, error)
        if contract is None:
            return response, None
        if answered is not None:
            return contract.judge(request, answered.answer_contract, answered.code, answered.version, response)
        return contract.judge(request, None, None, None, response)

    async def dispatch(request: web.Request) -> web.StreamResponse:
        started = perf_counter()
        # 1. namespace
        try:
            namespace = namespace_for(request)
        except NamespaceError as error:
            return error_response(error.status, str(error), request)
        # 2. route
        method, path = request.method, request.path
        by_path = remembered.get(method)
        found = by_path.get(path) if by_path is not None else None
        response = None
        if found is None:
            found, response = find_route(request, method, path)
        target: Target | None
        code: str | None
        version: str | None
        if found is not None:
            target = found.target
            hits[target.hit_key] += 1
            request[OPERATION] = target.operation
            code, version = target.code, target.version
        else:
            target = code = version = None
        # 3. faults (the body read first only when a fault matches on it)
        fault = None
        fault_set = namespace.faults
        if fault_set:
            if fault_set.reads_body:
                try:
                    body = await read_body(request)
                except web.HTTPException as error:  # too large, too slow: answered as the operation would be
                    target, response = None, failure_response(api, request, error)
                else:
                    fault = fault_set.pick(request, api_name, code, body)
            else:
                fault = fault_set.pick(request, api_name, code)
        verdict = note = None
        if fault is not None:
            note = fault.journal_note()  # fired count as of this request
            judged: list = []

            async def run(world=namespace.world, response=response):
                answer, found_verdict = await run_operation(request, target, world, found, response)
                judged.append(found_verdict)
                return answer

            response = await faults.apply(fault, request, api, run, max_hold)
            verdict = judged[0] if judged else None
        elif found is not None and contract is None:
            # 4. operation, without a coroutine of its own on the common path
            try:
                response = await found.target.bound(request, namespace.world, found.path_params)
            except Exception as error:
                response = failure_response(api, request, error)
        else:
            # 4. and 5. contract
            response, verdict = await run_operation(request, target, namespace.world, found, response)
        # 6. journal
        journal = namespace.journal
        if journal.limit:
            journal.record_exchange(
                wall_time(),
                api_name,
                code,
                version,
                request,
                response,
                (perf_counter() - started) * 1000,
                note,
                isinstance(response, faults.Dropped),
                verdict,
            )
        return response

    dispatch.__name__ = f"{api.name}_dispatch"
    return dispatch


def mount_api(app: web.Application, api, state: EmulatorState) -> None:
    dispatch = build_pipeline(api, state)
    for prefix in api.url_prefixes:
        # [\s\S], not '.': a path with %0A in it is the API's too (its error document, journaled)
        app.router.add_route("*", prefix.rstrip("/") + "/{tail:[\\s\\S]*}", dispatch)
