"""PathRouter (emulator/routing.py): literal and one-segment parameters, and the
``{name:path}`` tail parameter the 1.x entity-name paths use (org/ORG/SUB)."""

from pathlib import Path

import jsonschema
import pytest

from emulator.endpoints import ENDPOINTS_SCHEMA, EndpointTable
from emulator.formats.packagedata import read_yaml
from emulator.server.routing import MethodNotAllowed, PathRouter, RouteMatch


def router() -> PathRouter:
    r = PathRouter()
    r.add("/svc/orgs/", "GET", "list-root")
    r.add("/svc/orgs/{parent:path}", "GET", "list-under")
    r.add("/svc/org/{entityName:path}", "GET", "query")
    r.add("/svc/org/{entityName:path}", "DELETE", "remove")
    r.add("/svc/user/", "GET", "query-by-parameter")
    r.add("/svc/user/{entityName:path}", "GET", "query-user")
    r.add("/svc/items/{id}", "GET", "item")
    r.add("/svc/items/{id}/sub", "GET", "item-sub")
    r.add("/svc/items/{rest:path}", "GET", "item-tail")
    return r


@pytest.mark.parametrize(
    ("path", "target", "params"),
    [
        ("/svc/orgs/", "list-root", {}),
        ("/svc/orgs/ACME", "list-under", {"parent": "ACME"}),
        ("/svc/orgs/ACME/", "list-under", {"parent": "ACME"}),
        ("/svc/orgs/1234567-8/sales/nordics/", "list-under", {"parent": "1234567-8/sales/nordics"}),
        ("/svc/org/Partners/Resellers", "query", {"entityName": "Partners/Resellers"}),
        ("/svc/org/ACME Oy", "query", {"entityName": "ACME Oy"}),
        ("/svc/user/", "query-by-parameter", {}),
        ("/svc/user/acme/abcd-1234", "query-user", {"entityName": "acme/abcd-1234"}),
        # a one-segment parameter and a literal beat the tail; the tail takes what they leave
        ("/svc/items/x", "item", {"id": "x"}),
        ("/svc/items/x/sub", "item-sub", {"id": "x"}),
        ("/svc/items/x/y", "item-tail", {"rest": "x/y"}),
    ],
)
def test_tail_parameter_matches_one_or_more_segments(path, target, params):
    found = router().match("GET", path)
    assert isinstance(found, RouteMatch), path
    assert (found.target, found.path_params) == (target, params)


@pytest.mark.parametrize(
    "path", ["/svc/org/", "/svc/org", "/svc/org//x", "/svc/org/a//b", "/svc/orgs/a//", "/svc/other/a/b"]
)
def test_tail_parameter_needs_non_empty_segments(path):
    assert router().match("GET", path) is None


def test_tail_parameter_path_serves_several_methods():
    found = router().match("PUT", "/svc/org/a/b")
    assert isinstance(found, MethodNotAllowed)
    assert found.allowed == ("DELETE", "GET", "HEAD", "OPTIONS")
    assert router().match("DELETE", "/svc/org/a/b").target == "remove"


def test_tail_parameter_must_be_last():
    with pytest.raises(ValueError):
        PathRouter().add("/svc/{rest:path}/more", "GET", "x")


def test_endpoint_table_serves_no_slash_twin_for_a_tail(tmp_path):
    table = tmp_path / "endpoints.yaml"
    table.write_text(
        "api: t\ntitle: T\nbase_paths: {'1.0': /t}\noperations:\n"
        "  - {code: A, summary: a, method: GET, path: '/org/{name:path}', versions: ['1.0'], handler: a}\n"
        "  - {code: B, summary: b, method: GET, path: /orgs/, versions: ['1.0'], handler: b,"
        " version_codes: {'1.0': B10}}\n"
    )
    loaded = EndpointTable.load(table)
    assert [template for _, _, template in loaded.routes()] == ["/t/org/{name:path}", "/t/orgs/", "/t/orgs"]
    assert loaded.operations[1].code_for("1.0") == "B10"
    assert loaded.operations[0].code_for("1.0") == "A"


@pytest.mark.parametrize("api", ["customerid", "dfs"])
def test_package_endpoint_tables_follow_the_table_format(api):
    """EndpointTable.load does not run jsonschema at start-up; the shipped tables are checked here."""
    path = Path(__file__).resolve().parents[2] / "emulator" / api / "endpoints.yaml"
    jsonschema.validate(read_yaml(path), ENDPOINTS_SCHEMA)
    table = EndpointTable.load(path)
    assert table.api == api and table.operations


def test_table_format_refuses_an_unknown_key():
    document = {
        "api": "t",
        "title": "T",
        "base_paths": {"1.0": "/t"},
        "operations": [
            {
                "code": "A",
                "summary": "a",
                "method": "GET",
                "path": "/a",
                "versions": ["1.0"],
                "handler": "a",
                "handlr": "typo",
            }
        ],
    }
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, ENDPOINTS_SCHEMA)
