"""Schemathesis over the CustomerID, DFS and control OpenAPI documents, every CI run
(issues 11 and 19): every operation, positive and negative data, all of schemathesis's
checks (no server error, status codes, content types and bodies as documented,
schema-valid requests accepted and schema-violating ones refused). Bounded and
reproducible: derandomized hypothesis, FUZZ_CASES cases per document (default 300,
spread evenly over its operations).

The long run, not part of make test (`make fuzz`, docs/fidelity.md has its figures):
    FUZZ_CASES=20000 pytest -p no:xdist -s tests/robustness/test_fuzz_openapi.py -k dfs
"""

from __future__ import annotations

import math
import os
import time

import pytest
import requests

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402

CASES_PER_DOCUMENT = int(os.environ.get("FUZZ_CASES", "300"))

# Refusals of schema-valid data that a JSON Schema cannot express: business rules (DFS
# answers them 422, as the document says); for the control API, a scenario's cross
# references (a role key defined elsewhere in the state), refused 400 by the loader; for
# CustomerID 1.0, "exactly one of" rules over query parameters (MOD004b's user lookup,
# the users/{organization} bulk update), and RFC 6749 section 2.3's "one client
# authentication method per request" (the Basic header of every case plus a generated
# client_secret) at the SSO.
POSITIVE_EXPECTED = ["2xx", "3xx", "401", "403", "404", "409", "422", "429"]  # schemathesis default, 5xx out, 422 in
UNEXPRESSIBLE = {
    ("POST", "/__emulator/scenarios"): ["positive_data_acceptance"],
    ("POST", "/__emulator/pact/provider-states"): ["positive_data_acceptance"],  # the scenario's state names
    ("GET", "/eidm2/services/user/"): ["positive_data_acceptance"],
    ("PUT", "/eidm2/services/users/{organization}"): ["positive_data_acceptance"],
    ("POST", "/uas/oauth2/token"): ["positive_data_acceptance"],
    ("POST", "/uas/oauth2/introspection"): ["positive_data_acceptance"],
    # a request is valid only for a registered client and its registered redirect URIs (the scenario's)
    ("GET", "/uas/oauth2/authorization"): ["positive_data_acceptance"],
    ("POST", "/uas/oauth2/authorization"): ["positive_data_acceptance"],
    ("GET", "/uas/oauth2/logout"): ["positive_data_acceptance"],
    ("POST", "/uas/oauth2/logout"): ["positive_data_acceptance"],
    ("POST", "/uas/oauth2/revocation"): ["positive_data_acceptance"],  # RFC 6749's one-authentication rule
}


# CustomerID refusals (HTTP 400) of what no schema can know: "Invalid reference" (code 10),
# a query parameter naming an entity that does not exist, the 404 of a parameter; "Size
# limit exceeded" (code 12), more matches than maxResults; an organization type, search
# or organization attribute the scenario does not configure; a 1.0 organization removed
# without recursive=true while it has sub-organizations; enable and disable both true.
STATE_DEPENDENT_REFUSALS = (
    b"<code>10</code>",
    b"<code>12</code>",
    b"unknown organization type",
    b"unknown search attribute",
    b"is not configured",
    b"has sub-organizations",
    b"cannot both be true",
    b"name different types",  # 1.0: organizationClass and organizationType both given, unequal
    b"<code>9</code>",  # "Parent not non-virtual": the run itself made that organization virtual
)


def _whole_floats_to_ints(value):
    """DFS reads integers the .NET way: 1.0 is not an Int32 (docs/fidelity.md). JSON
    Schema 2020-12 cannot say so, so integers go out spelled as integers."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_whole_floats_to_ints(item) for item in value]
    if isinstance(value, dict):
        return {key: _whole_floats_to_ints(item) for key, item in value.items()}
    return value


def run_schemathesis(document: dict, base_url: str, headers: dict) -> dict:
    config = schemathesis.Config.from_dict(
        {"checks": {"positive_data_acceptance": {"expected-statuses": POSITIVE_EXPECTED}}}
    )
    schema = schemathesis.openapi.from_dict(document, config=config)
    totals = {"cases": 0, "server_errors": 0, "operations": 0}
    failures: list[str] = []
    session = requests.Session()
    operations = [result.ok() for result in schema.get_all_operations()]
    examples = max(2, math.ceil(CASES_PER_DOCUMENT / len(operations)))  # per operation, both modes
    for operation in operations:
        totals["operations"] += 1
        excluded = UNEXPRESSIBLE.get((operation.method.upper(), operation.path), [])
        strategy = operation.as_strategy(generation_mode=GenerationMode.POSITIVE) | operation.as_strategy(
            generation_mode=GenerationMode.NEGATIVE
        )

        @given(case=strategy)
        @settings(
            max_examples=examples,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
        )
        def exercise(case) -> None:
            totals["cases"] += 1
            if isinstance(case.body, (dict, list, float)):
                case.body = _whole_floats_to_ints(case.body)
            if operation.path == "/__emulator/requests/wait" and isinstance(case.body, dict):
                timeout = case.body.get("timeout", 60)  # a valid wait may last 60 s: keep each case short
                if isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and timeout > 0.2:
                    case.body["timeout"] = 0.2
            # a wait answers within its own timeout (at most 60 s), however the case was built
            call_timeout = 70 if operation.path == "/__emulator/requests/wait" else 10
            response = case.call(base_url=base_url, session=session, headers=headers, timeout=call_timeout)
            if response.status_code >= 500:
                totals["server_errors"] += 1
            state_dependent = response.status_code == 400 and any(
                refusal in response.content for refusal in STATE_DEPENDENT_REFUSALS
            )
            checks = _checks([*excluded, "positive_data_acceptance"] if state_dependent else excluded)
            case.validate_response(response, excluded_checks=checks, headers=headers)

        try:
            exercise()
        except (Exception, BaseExceptionGroup) as error:  # noqa: B036 - schemathesis raises groups
            failures.append(f"{operation.method.upper()} {operation.path}: {str(error)[:1500]}")
    assert not failures, "\n\n".join(failures)
    return totals


def _checks(names: list[str]) -> list:
    from schemathesis.checks import CHECKS

    return [check for check in CHECKS.get_all() if check.__name__ in names]


def fuzz_document(emulator_sync, name: str, path: str, headers: dict, min_operations: int) -> None:
    started = time.perf_counter()
    document = requests.get(emulator_sync.url + path, timeout=10).json()
    totals = run_schemathesis(document, emulator_sync.url, headers)
    print(
        f"schemathesis {name}: {totals['operations']} operations, {totals['cases']} cases, "
        f"{totals['server_errors']} server errors, 0 failures, {time.perf_counter() - started:.1f} s"
    )
    assert totals["server_errors"] == 0 and totals["operations"] >= min_operations


def test_schemathesis_over_the_customerid_document(emulator_sync):
    fuzz_document(emulator_sync, "CustomerID", "/__emulator/customerid/openapi.json", emulator_sync.auth_headers, 80)


def test_schemathesis_over_the_dfs_document(emulator_sync):
    fuzz_document(emulator_sync, "DFS", "/__emulator/dfs/openapi.json", emulator_sync.dfs_headers, 40)


def test_schemathesis_over_the_control_document(emulator_sync):
    fuzz_document(emulator_sync, "control", "/__emulator/openapi.json", {}, 25)
