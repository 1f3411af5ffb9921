"""Golden CustomerID 2.1 fixtures against the reconstructed cid-2.1.xsd.

The fixtures in fixtures/customerid/2.1/ transcribe the example response
documents of "REST API 2.1 - CustomerID" (see CORRECTIONS.md there for the few
doc slips that were fixed). Every XML fixture must be valid against the schema
the emulator renders to, and the schema must still reject wrong documents.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import xmlschema

from tests.support.customerid import document_schema, error_schema
from tests.support.xmlshape import same_shape, shape

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "customerid" / "2.1"

NS = "http://schema.ubisecure.com/customerid/api"

# Every documented 2.1 operation. PUT125 answers 204 No Content: no fixture.
OPERATIONS = [
    "POST100",
    "PUT101",
    "DEL102",
    "PUT103",
    "PUT123",
    "PATCH124",
    "PUT125",
    "GET104",
    "GET113",
    "GET105",
    "GET106",
    "GET107",
    "GET108",
    "GET117",
    "GET109",
    "GET110",
    "GET118",
    "GET119",
    "GET120",
    "GET121",
    "GET122",
    "GET111",
    "GET112",
    "GET114",
    "GET115",
    "GET116",
]
NO_BODY = {"PUT125"}
WITH_JSON = {"PUT123", "PATCH124"}
EXTRA_FIXTURES = ["PATCH124.request.xml", "PATCH124.request.json"]

HTTP_METHOD = {"POST": "POST", "PUT": "PUT", "DEL": "DELETE", "GET": "GET", "PATCH": "PATCH"}


def _errors(schema: xmlschema.XMLSchema10, source) -> list[str]:
    return [str(e) for e in schema.iter_errors(source)]


def _xml_fixtures() -> list[str]:
    return sorted(p.name for p in FIXTURES.glob("*.xml"))


def _json_fixtures() -> list[str]:
    return sorted(p.name for p in FIXTURES.glob("*.json"))


def _op_prefix(code: str) -> str:
    return code.rstrip("0123456789")


# --------------------------------------------------------------------------- schemas


def test_schemas_load_without_errors():
    for schema in (document_schema(), error_schema()):
        assert schema.validity == "valid"
        assert schema.all_errors == []
    assert document_schema().target_namespace == NS
    assert document_schema().version == "2.1"
    assert error_schema().target_namespace == ""


def test_schema_declares_documented_elements():
    expected = {
        "User",
        "Organization",
        "Role",
        "Mandate",
        "Workflow",
        "MandateTemplate",
        "RoleInvitation",
        "Delegation",
        "Users",
        "Organizations",
        "Roles",
        "Mandates",
        "Workflows",
        "RoleInvitations",
        "MandateInvitations",
        "Delegations",
        "ReinviteResponse",
        "UserResponse",
        "UserRequest",
        "UserDTO",
    }
    assert expected <= set(document_schema().elements)


# --------------------------------------------------------------------------- fixtures


@pytest.mark.parametrize("code", [c for c in OPERATIONS if c not in NO_BODY])
def test_every_operation_has_a_fixture(code):
    assert (FIXTURES / f"{code}.xml").is_file(), f"missing fixture {code}.xml"
    if code in WITH_JSON:
        assert (FIXTURES / f"{code}.json").is_file(), f"missing fixture {code}.json"


@pytest.mark.parametrize("name", EXTRA_FIXTURES)
def test_request_samples_present(name):
    assert (FIXTURES / name).is_file(), f"missing fixture {name}"


def test_no_body_operations_have_no_fixture():
    for code in NO_BODY:
        assert not list(FIXTURES.glob(f"{code}.*")), f"{code} answers 204 and needs no fixture"


def test_fixture_directory_is_populated():
    assert len(_xml_fixtures()) == len(OPERATIONS) - len(NO_BODY) + 1  # + PATCH124.request.xml
    assert len(_json_fixtures()) == len(WITH_JSON) + 1  # + PATCH124.request.json


@pytest.mark.parametrize("name", _xml_fixtures())
def test_xml_fixture_is_valid(name):
    errors = _errors(document_schema(), str(FIXTURES / name))
    assert not errors, f"{name} is not valid against cid-2.1.xsd:\n" + "\n".join(errors)


@pytest.mark.parametrize("name", [n for n in _xml_fixtures() if ".request." not in n])
def test_xml_fixture_method_matches_operation(name):
    code = name.split(".")[0]
    doc = shape((FIXTURES / name).read_bytes())
    assert doc["root"].startswith("{" + NS + "}")
    assert "method" in doc["attributes"] and "inResponseTo" in doc["attributes"]
    root = xmlschema.XMLResource(str(FIXTURES / name)).root
    assert root.get("method") == HTTP_METHOD[_op_prefix(code)]


@pytest.mark.parametrize("name", _json_fixtures())
def test_json_fixture_parses(name):
    with (FIXTURES / name).open(encoding="utf-8") as fh:
        data = json.load(fh)
    assert isinstance(data, dict) and data


def test_patch124_json_request_has_evident_meaning():
    data = json.loads((FIXTURES / "PATCH124.request.json").read_text(encoding="utf-8"))
    assert data["customAttributes"] == {"Custom1": ["Value1", "Value2"], "Custom2": "Value3"}
    assert data["pwd.activated"] == "true"


def test_corrections_file_present():
    assert (FIXTURES / "CORRECTIONS.md").is_file()


# --------------------------------------------------------------------------- negative


BAD_DOCUMENTS = {
    "idlist with an Attribute child": (
        f'<Users xmlns="{NS}" inResponseTo="/2.1/users" method="GET">'
        '<Attribute name="id"><Value>x</Value></Attribute></Users>'
    ),
    "wrong namespace": (
        '<Users xmlns="http://example.org/not-customerid" inResponseTo="/2.1/users" method="GET"><Id>x</Id></Users>'
    ),
    "no namespace (the doc's GET111 as printed)": (
        '<Mandate inResponseTo="/2.1/mandates/x" method="GET">'
        '<Attribute name="id"><Value>x</Value></Attribute></Mandate>'
    ),
    "unknown method": f'<Users xmlns="{NS}" inResponseTo="/2.1/users" method="FETCH"><Id>x</Id></Users>',
    "Id after an entity": (f'<Mandates xmlns="{NS}" method="GET"><Mandate/><Id>x</Id></Mandates>'),
    "Attribute without name": f'<User xmlns="{NS}"><Attribute><Value>x</Value></Attribute></User>',
    "UserResponse without userId": (
        f'<UserResponse xmlns="{NS}" method="PATCH"><firstname>A</firstname></UserResponse>'
    ),
    "UserResponse children out of order": (
        f'<UserResponse xmlns="{NS}" method="PATCH"><userId>u</userId><firstname>A</firstname></UserResponse>'
    ),
    "UserRequest with inResponseTo": f'<UserRequest xmlns="{NS}" inResponseTo="x"/>',
    "UserRequest with unknown element": f'<UserRequest xmlns="{NS}"><nickname>x</nickname></UserRequest>',
    "ReinviteResponse without userId": (
        f'<ReinviteResponse xmlns="{NS}" method="PUT"><email>a@b</email></ReinviteResponse>'
    ),
    "undeclared root": f'<Groups xmlns="{NS}"><Id>x</Id></Groups>',
}


@pytest.mark.parametrize("label", sorted(BAD_DOCUMENTS))
def test_schema_rejects_wrong_document(label):
    assert not document_schema().is_valid(BAD_DOCUMENTS[label]), f"schema accepted: {label}"


def test_schema_accepts_expanded_entities():
    doc = (
        f'<Mandates xmlns="{NS}" inResponseTo="/2.1/mandates" method="GET">'
        '<Mandate><Attribute name="id"><Value>m1</Value></Attribute>'
        '<Attribute name="mandatee" type="user"><User>'
        '<Attribute name="id"><Value>u1</Value></Attribute></User></Attribute>'
        "</Mandate></Mandates>"
    )
    errors = _errors(document_schema(), doc)
    assert not errors, "\n".join(errors)


# --------------------------------------------------------------------------- error document


def test_error_document_valid():
    doc = "<error><code>7</code><message>Entity not found: user 1234</message></error>"
    errors = _errors(error_schema(), doc)
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize(
    "doc",
    [
        "<error><code>7</code></error>",
        "<error><message>m</message><code>7</code></error>",
        f'<error xmlns="{NS}"><code>7</code><message>m</message></error>',
    ],
)
def test_error_schema_rejects_wrong_document(doc):
    assert not error_schema().is_valid(doc)


# --------------------------------------------------------------------------- xmlshape


def test_shape_of_id_list():
    s = shape((FIXTURES / "GET104.xml").read_bytes())
    assert s == {
        "root": "{" + NS + "}Users",
        "attributes": ["inResponseTo", "method"],
        "children": ["Id"],
    }


def test_shape_of_entity_ignores_attribute_names():
    s = shape((FIXTURES / "GET111.xml").read_text(encoding="utf-8"))
    assert s["root"] == "{" + NS + "}Mandate"
    assert s["children"] == ["Attribute"]


def test_shape_recurses_one_level():
    s = shape((FIXTURES / "PATCH124.xml").read_bytes())
    assert {"tag": "customAttributes", "children": ["attribute"]} in s["children"]
    assert s["children"][-4:] == ["userId", "repoId", "organization", "organizationEntityName"]


def test_same_shape_fixtures():
    ok, why = same_shape((FIXTURES / "GET104.xml").read_bytes(), (FIXTURES / "GET113.xml").read_bytes())
    assert ok, why
    ok, why = same_shape((FIXTURES / "GET104.xml").read_bytes(), (FIXTURES / "GET105.xml").read_bytes())
    assert not ok
    assert "root differs" in why


def test_same_shape_detects_differences():
    users = (FIXTURES / "GET104.xml").read_text(encoding="utf-8")
    ok, why = same_shape(users, users.replace(' method="GET"', ""))
    assert not ok and "attributes" in why
    ok, why = same_shape(users, users.replace("<Id>USERID2</Id>", "<Extra>x</Extra>"))
    assert not ok and "children" in why
    # entity with fewer / other attributes and values: same shape
    user = (FIXTURES / "GET105.xml").read_bytes()
    live = (
        f'<User xmlns="{NS}" inResponseTo="/2.1/users/u1" method="GET">'
        '<Attribute name="id"><Value>u1</Value></Attribute></User>'
    )
    assert same_shape(user, live) == (True, "same shape")
