"""Every CustomerID 2.1 operation against its golden fixture, by shape.

For each operation in emulator/customerid/endpoints.yaml this makes the call the
vendor's documentation shows (its curl example, on the ids of
the default scenario (emulator/builtin_scenarios/default.yaml); writes are valid writes) and compares the live answer with
fixtures/customerid/2.1/{CODE}.xml using tests/support/xmlshape.same_shape: root
element and namespace, root attributes, child elements in order. PUT123 and
PATCH124 are also compared with their JSON fixtures (key sets and value kinds)
with ``Accept: application/json``; PUT125 answers 204 with no body and has no
fixture.

The call is also checked to have been served by the operation it is filed under
(the control API's per-operation hit counter), so a routing slip cannot pass as
another operation's shape. A new operation in endpoints.yaml without an entry in
SHAPE_CALLS fails test_every_served_operation_has_a_shape_call.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from emulator.endpoints import EndpointTable
from tests.support.customerid import (
    ACME,
    ANNA,
    GLOBEX,
    LIISA,
    MAIJA,
    MANDATE_ACME_TO_SARI,
    PEKKA,
    ROLE_DELEGATION_SARI_TO_ANNA,
    SALES_MANAGER,
    SARI,
    VILLE,
)
from tests.support.xmlshape import same_shape, shape

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "customerid" / "2.1"
ENDPOINTS_YAML = ROOT / "emulator" / "customerid" / "endpoints.yaml"
VERSION = "2.1"

# PATCH124's documented request samples name the custom attributes Custom1 (two
# values) and Custom2 (one value); the default scenario (emulator/builtin_scenarios/default.yaml) configures these instead.
CUSTOM_ATTRIBUTE_NAMES = {"Custom1": "browsers", "Custom2": "department"}


def patch124_xml_request() -> bytes:
    body = (FIXTURES / "PATCH124.request.xml").read_text(encoding="utf-8")
    for documented, configured in CUSTOM_ATTRIBUTE_NAMES.items():
        body = body.replace(f'name="{documented}"', f'name="{configured}"')
    return body.encode("utf-8")


def patch124_json_request() -> bytes:
    document = json.loads((FIXTURES / "PATCH124.request.json").read_text(encoding="utf-8"))
    document["customAttributes"] = {
        CUSTOM_ATTRIBUTE_NAMES[name]: values for name, values in document["customAttributes"].items()
    }
    return json.dumps(document).encode("utf-8")


@dataclass(frozen=True)
class ShapeCall:
    method: str
    path: str
    params: dict = field(default_factory=dict)
    body: bytes | None = None
    content_type: str | None = None

    def headers(self, accept: str | None = None) -> dict:
        headers = {}
        if self.content_type:
            headers["Content-Type"] = self.content_type
        if accept:
            headers["Accept"] = accept
        return headers


# The documented call of every operation (the curl examples, on default.yaml ids).
# Each list operation is called where the scenario has at least one result, so the
# shape includes the <Id> children the fixtures show.
SHAPE_CALLS: dict[str, ShapeCall] = {
    # -- modification operations
    "POST100": ShapeCall(
        "POST", "/organizations/", {"friendlyName": "Luotava Organisaatio", "parentOrganizationId": ACME}
    ),
    "PUT101": ShapeCall("PUT", f"/organizations/{ACME}", {"friendlyName": "TestOrganizationRENAME"}),
    "DEL102": ShapeCall("DELETE", f"/users/{PEKKA}"),
    "PUT103": ShapeCall("PUT", f"/users/{MAIJA}", {"mobile": "+358401234567891", "status": "Enabled"}),
    "PUT123": ShapeCall("PUT", f"/users/{VILLE}/reinvite"),
    "PATCH124": ShapeCall("PATCH", f"/users/{MAIJA}", body=patch124_xml_request(), content_type="application/xml"),
    "PUT125": ShapeCall("PUT", f"/users/{MAIJA}/forcepasswordchange"),
    # -- request operations
    "GET104": ShapeCall("GET", "/users/"),
    "GET113": ShapeCall("GET", f"/organizations/{ACME}/users/", {"recursive": "true"}),
    "GET105": ShapeCall("GET", f"/users/{MAIJA}"),
    "GET106": ShapeCall("GET", "/organizations/"),
    "GET107": ShapeCall("GET", f"/organizations/{ACME}"),
    "GET108": ShapeCall("GET", "/roles"),
    "GET117": ShapeCall("GET", f"/users/{MAIJA}/roles"),
    "GET109": ShapeCall("GET", f"/roles/{SALES_MANAGER}"),
    "GET110": ShapeCall("GET", "/mandates/"),
    "GET118": ShapeCall("GET", f"/organizations/{ACME}/givenmandates"),
    "GET119": ShapeCall("GET", f"/organizations/{GLOBEX}/receivedmandates"),
    "GET120": ShapeCall("GET", f"/users/{MAIJA}/givenmandates"),
    "GET121": ShapeCall("GET", f"/users/{SARI}/receivedmandates"),
    "GET122": ShapeCall("GET", f"/users/{LIISA}/receivedmandatedelegations"),
    "GET111": ShapeCall("GET", f"/mandates/{MANDATE_ACME_TO_SARI}"),
    "GET112": ShapeCall("GET", "/roleinvitations"),
    "GET114": ShapeCall("GET", f"/users/{VILLE}/roleinvitations"),
    "GET115": ShapeCall("GET", f"/users/{ANNA}/delegations"),
    "GET116": ShapeCall("GET", f"/delegations/{ROLE_DELEGATION_SARI_TO_ANNA}"),
}

# JSON answers (Accept: application/json), documented for these two only.
JSON_CALLS: dict[str, ShapeCall] = {
    "PUT123": SHAPE_CALLS["PUT123"],
    "PATCH124": ShapeCall("PATCH", f"/users/{MAIJA}", body=patch124_json_request(), content_type="application/json"),
}

NO_BODY = {"PUT125"}  # 204 No Content


def endpoint_table() -> EndpointTable:
    return EndpointTable.load(ENDPOINTS_YAML)


def operations() -> dict:
    return {operation.code: operation for operation in endpoint_table().operations if VERSION in operation.versions}


def template_pattern(template: str) -> re.Pattern:
    """A path template of endpoints.yaml as a regex; routes serve the trailing-slash twin too."""
    pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template.rstrip("/")))
    return re.compile(f"^{pattern}/?$")


async def hit_counts(cid) -> dict[str, int]:
    """Requests served per operation code, from the control API."""
    async with cid.session.get(cid.emulator.url + "/__emulator/endpoints") as response:
        assert response.status == 200
        listing = await response.json()
    return {
        entry["code"]: entry["hits"]
        for entry in listing["endpoints"]
        if entry["api"] == "customerid" and entry["version"] == VERSION
    }


async def served_call(cid, code: str, call: ShapeCall, accept: str | None = None):
    """Make ``call`` and check it was served by operation ``code`` with its success status."""
    before = await hit_counts(cid)
    reply = await cid.call(
        call.method, call.path, params=call.params or None, data=call.body, headers=call.headers(accept)
    )
    after = await hit_counts(cid)
    changed = {name: after[name] - before[name] for name in after if after[name] != before[name]}
    assert changed == {code: 1}, f"{call.method} {call.path} was served by {changed}, not by {code}"
    expected_status = operations()[code].success_status
    assert reply.status == expected_status, f"{code}: {reply.status} (expected {expected_status}): {reply.text}"
    return reply


# --------------------------------------------------------------------------- coverage


def test_every_served_operation_has_a_shape_call():
    served = set(operations())
    assert served, "endpoints.yaml lists no 2.1 operation"
    missing = sorted(served - set(SHAPE_CALLS))
    stale = sorted(set(SHAPE_CALLS) - served)
    assert not missing, f"operations without a shape test: {missing}"
    assert not stale, f"shape calls for operations endpoints.yaml does not serve: {stale}"


async def test_live_endpoint_listing_matches_the_shape_calls(cid):
    """The running emulator serves exactly the operations this module covers."""
    assert set(await hit_counts(cid)) == set(SHAPE_CALLS)


@pytest.mark.parametrize("code", sorted(SHAPE_CALLS))
def test_shape_call_uses_the_operations_method_and_path(code):
    operation = operations()[code]
    call = SHAPE_CALLS[code]
    assert call.method == operation.method, code
    assert template_pattern(operation.path).match(call.path), f"{code}: {call.path} does not fit {operation.path}"


def test_every_operation_with_a_body_has_a_fixture():
    for code in SHAPE_CALLS:
        if code in NO_BODY:
            continue
        assert (FIXTURES / f"{code}.xml").is_file(), f"missing fixture {code}.xml"
    for code in JSON_CALLS:
        assert (FIXTURES / f"{code}.json").is_file(), f"missing fixture {code}.json"


# --------------------------------------------------------------------------- XML shapes


@pytest.mark.parametrize("code", sorted(set(SHAPE_CALLS) - NO_BODY))
async def test_live_answer_has_the_fixture_shape(cid, code):
    reply = await served_call(cid, code, SHAPE_CALLS[code])
    assert reply.headers["Content-Type"].startswith("application/xml"), reply.headers
    fixture = (FIXTURES / f"{code}.xml").read_bytes()
    ok, why = same_shape(fixture, reply.body)
    assert ok, f"{code}: {why}\nfixture: {shape(fixture)}\nlive:    {shape(reply.body)}\n{reply.text}"
    assert reply.root.get("method") == SHAPE_CALLS[code].method


@pytest.mark.parametrize("code", sorted(NO_BODY))
async def test_no_content_operation_has_no_fixture_and_no_body(cid, code):
    fixtures = [p for p in FIXTURES.glob(f"{code}.*") if p.stat().st_size > 0]
    assert not fixtures, f"{code} answers 204 No Content; a non-empty fixture contradicts it: {fixtures}"
    reply = await served_call(cid, code, SHAPE_CALLS[code])
    assert reply.status == 204
    assert reply.body == b""


# --------------------------------------------------------------------------- JSON shapes


def json_kind(value) -> str:
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array of " + "/".join(sorted({json_kind(item) for item in value}))
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def json_shape(document: dict) -> dict:
    """Top-level keys with the kind of their values; ``customAttributes`` names are
    data, so it becomes the set of its value kinds (one value: a string; several: an array)."""
    result = {}
    for key, value in document.items():
        if key == "customAttributes" and isinstance(value, dict):
            result[key] = sorted({json_kind(v) for v in value.values()})
        else:
            result[key] = json_kind(value)
    return result


def test_json_shape_tells_one_value_from_several():
    assert json_shape({"customAttributes": {"a": "x", "b": ["y", "z"]}}) == {
        "customAttributes": ["array of string", "string"]
    }
    assert json_shape({"customAttributes": {"a": ["x"]}}) != json_shape({"customAttributes": {"a": "x"}})
    assert json_shape({"userId": "u"}) != json_shape({"userId": "u", "email": "e"})


@pytest.mark.parametrize("code", sorted(JSON_CALLS))
async def test_live_json_answer_has_the_fixture_shape(cid, code):
    reply = await served_call(cid, code, JSON_CALLS[code], accept="application/json")
    assert reply.headers["Content-Type"].startswith("application/json"), reply.headers
    fixture = json.loads((FIXTURES / f"{code}.json").read_text(encoding="utf-8"))
    live = reply.json
    assert isinstance(live, dict), reply.text
    assert set(live) == set(fixture), (
        f"{code}: keys differ: only in fixture {sorted(set(fixture) - set(live))}, "
        f"only live {sorted(set(live) - set(fixture))}"
    )
    assert json_shape(live) == json_shape(fixture), f"{code}: {json_shape(live)} != {json_shape(fixture)}"


@pytest.mark.parametrize("accept", ["application/xml", None])
async def test_patch124_json_request_answers_xml_unless_json_is_accepted(cid, accept):
    """The body's media type does not choose the answer's: Accept does (XML by default)."""
    reply = await served_call(cid, "PATCH124", JSON_CALLS["PATCH124"], accept=accept)
    ok, why = same_shape((FIXTURES / "PATCH124.xml").read_bytes(), reply.body)
    assert ok, why
