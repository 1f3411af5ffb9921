"""A namespace's journal as a Pact V4 file (GET /__emulator/pact, ``emulator pact export``,
``--emulator-pact-dir``): it verifies against a fresh emulator with pact-python's Verifier
used directly, and fails against one whose answers a fault changed."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest

pytest.importorskip("pact")

from pact import Verifier

from emulator.app import create_app
from emulator.cli import main
from emulator.control.pact import export
from emulator.pact.verify import STATE_PATH, _EmulatorThread, credentials_middleware

MAIJA = "aaaaaaaa-0000-4000-8000-000000000001"
UNKNOWN = "0b0e0f00-0000-4000-8000-0000000000ff"
CID = "/customerid-rest/services/2.1"
CID_NS = "http://schema.ubisecure.com/customerid/api"


def _call(url: str, method: str = "GET", headers: dict | None = None, body: dict | None = None) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url,
        method=method,
        data=data,
        headers={**(headers or {}), **({"Content-Type": "application/json"} if data else {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _session_traffic(emulator) -> None:
    """What a consumer's tests did: GET105 as XML and as JSON (Basic), a DFS identity search
    (Bearer), a 404, and GET105 of a user a provider state created."""
    basic = emulator.auth_headers
    assert _call(f"{emulator.url}{CID}/users/{MAIJA}", headers=basic)[0] == 200
    assert _call(f"{emulator.url}{CID}/users/{MAIJA}", headers={**basic, "Accept": "application/json"})[0] == 200
    assert _call(f"{emulator.url}{CID}/users/aaaaaaaa-0000-4000-8000-0000000000ff", headers=basic)[0] == 404
    status, _ = _call(
        f"{emulator.url}/v1.0/identities/search", "POST", emulator.dfs_headers, {"page": 1, "pageSize": 5}
    )
    assert status == 200
    assert _call(f"{emulator.url}/v2.0/roles", headers=emulator.dfs_headers)[0] == 200  # CreatedDate: date-time
    assert _call(f"{emulator.url}/v1.0/identities/{UNKNOWN}", headers=emulator.dfs_headers)[0] == 404  # Code: enum
    patched = _call(  # PATCH124 as XML: UserResponse/status is a userStatus (cid-2.1.xsd)
        f"{emulator.url}{CID}/users/{MAIJA}", "PATCH", {**basic, "Accept": "application/xml"}, {"firstname": "Maija"}
    )
    assert patched[0] == 200 and b"<status>" in patched[1], patched
    status, answer = _call(
        f"{emulator.url}/__emulator{STATE_PATH[len('/__emulator') :]}",
        "POST",
        body={"state": "a user with given attributes exists", "params": {"firstname": "Pat"}, "action": "setup"},
    )
    values = json.loads(answer)
    assert (
        _call(
            f"{emulator.url}{CID}/users/{values['userId']}",
            headers={"Authorization": f"Bearer {values['customeridToken']}"},
        )[0]
        == 200
    )
    _call(
        f"{emulator.url}/__emulator{STATE_PATH[len('/__emulator') :]}",
        "POST",
        body={"state": "a user with given attributes exists", "action": "teardown"},
    )


@pytest.fixture
def exported_pact(emulator_sync, tmp_path):
    _session_traffic(emulator_sync)
    status, body = _call(f"{emulator_sync.url}/__emulator/pact?consumer=acme-portal&provider=identity-emulator")
    assert status == 200
    path = tmp_path / "acme-portal-identity-emulator.json"
    path.write_bytes(body)
    return path


def test_one_interaction_per_operation_status_and_state_without_secrets(exported_pact):
    document = json.loads(exported_pact.read_text())
    assert (
        document["consumer"] == {"name": "acme-portal"}
        and document["metadata"]["pactSpecification"]["version"] == "4.0"
    )
    described = [interaction["description"] for interaction in document["interactions"]]
    # GET105 200 (XML and JSON are one), GET105 404, the search, the roles, the DFS 404, PATCH124, GET105 under the state
    assert len(described) == 7, described
    assert sum("given a user with given attributes exists" in text for text in described) == 1
    text = exported_pact.read_text()
    assert "cmVzdHVzZXI6c2VjcmV0" not in text and "eyJ" not in text  # restuser:secret, any JWT
    state_get105 = next(i for i in document["interactions"] if i.get("providerStates"))
    assert state_get105["request"]["generators"]["header"]["Authorization"]["expression"] == "Bearer ${customeridToken}"
    xml_rules = next(
        i
        for i in document["interactions"]
        if i["response"]["status"] == 200 and "xml" in i["response"]["headers"]["Content-Type"][0]
    )
    assert any(
        path.endswith("['#text']") and "customerid/api:" in path
        for path in xml_rules["response"]["matchingRules"]["body"]
    )


def _interaction(document: dict, code: str, status: int) -> dict:
    return next(i for i in document["interactions"] if code in i["description"] and i["response"]["status"] == status)


def _body_rule(interaction: dict, path: str) -> dict:
    return interaction["response"]["matchingRules"]["body"][path]["matchers"][0]


def test_matching_rules_come_from_the_api_documents(exported_pact):
    """DFS from its OpenAPI schemas (responses.yaml), CustomerID XML from its XSDs."""
    document = json.loads(exported_pact.read_text())
    search = _interaction(document, "post /v1.0/identities/search", 200)
    assert _body_rule(search, "$.Results[*].IdentityId") == {"match": "regex", "regex": export.UUID}  # format: uuid
    assert _body_rule(search, "$.Results[*].UserName") == {"match": "type"}  # type: string, whatever it looks like
    roles = _interaction(document, "get /v2.0/roles", 200)
    assert _body_rule(roles, "$[*].CreatedDate") == {"match": "regex", "regex": export.DATE_TIME}  # format: date-time
    assert _body_rule(roles, "$[*].Id") == {"match": "integer"}
    not_found = _interaction(document, "get /v1.0/identities/{identityId}", 404)
    code = _body_rule(not_found, "$.Code")  # Error.Code: enum [BadRequest, Unauthorized, ...]
    assert code["match"] == "regex" and code["regex"].startswith("^(BadRequest|Unauthorized|")
    assert re.fullmatch(code["regex"], "NotFound") and not re.fullmatch(code["regex"], "Nope")
    patch124 = _interaction(document, "PATCH124", 200)
    status = _body_rule(patch124, f"$['{CID_NS}:UserResponse']['{CID_NS}:status']['#text']")
    assert status == {
        "match": "regex",
        "regex": "^(Pending|Enabled|Disabled|Locked|Not initialized|Waiting for registration)$",
    }  # cid-2.1.xsd userStatus
    method = _body_rule(patch124, f"$['{CID_NS}:UserResponse']['@method']")  # httpMethod
    assert method == {"match": "regex", "regex": "^(GET|POST|PUT|DELETE|PATCH)$"}


def _verify(pact_path, *, fault: dict | None = None, states_before: int = 0) -> tuple[bool, str]:
    """pact-python's Verifier against a fresh emulator (credentials substituted as verify does)."""
    app = create_app()
    app.middlewares.append(credentials_middleware("export-check", keep_credentials=False))
    with _EmulatorThread(app) as server:
        base = f"http://localhost:{server.port}"
        if fault is not None:
            assert _call(f"{base}/__emulator/faults", "POST", body=fault)[0] == 201
        for _ in range(states_before):  # each setup's fresh scenario key gives its records other ids
            for action in ("setup", "teardown"):
                state = {"state": "a user with given attributes exists", "params": {"firstname": "X"}, "action": action}
                assert _call(base + STATE_PATH, "POST", body=state)[0] == 200
        verifier = Verifier("identity-emulator").add_transport(url=base).add_source(pact_path)
        verifier.state_handler(base + STATE_PATH, body=True, teardown=True)
        try:
            verifier.verify()
            return True, verifier.output(strip_ansi=True)
        except RuntimeError:
            return False, verifier.output(strip_ansi=True)


def test_the_exported_pact_verifies_against_a_fresh_emulator(exported_pact):
    passed, report = _verify(exported_pact)
    assert passed, report


def test_a_path_id_a_state_created_is_generated_from_the_state(exported_pact, tmp_path):
    """The verifier's state creates a user with another id: the path follows ``${userId}``."""
    document = json.loads(exported_pact.read_text())
    under_state = next(i for i in document["interactions"] if i.get("providerStates"))
    assert under_state["request"]["generators"]["path"]["expression"] == f"{CID}/users/${{userId}}"
    passed, report = _verify(exported_pact, states_before=1)
    assert passed, report
    del under_state["request"]["generators"]["path"]  # the literal id: not the user the state made this time
    literal = tmp_path / "literal.json"
    literal.write_text(json.dumps(document))
    passed, report = _verify(literal, states_before=1)
    assert not passed and "expected 200 but was 404" in report, report


def test_the_exported_pact_fails_against_an_emulator_a_fault_changed(exported_pact):
    passed, report = _verify(
        exported_pact, fault={"match": {"operation": "post /v1.0/identities/search"}, "action": {"status": 500}}
    )
    assert not passed
    assert "expected 200 but was 500" in report


def test_export_names_a_bad_api(emulator_sync):
    status, body = _call(f"{emulator_sync.url}/__emulator/pact?consumer=c&api=soap")
    assert status == 400 and json.loads(body)["where"] == "?api"


def test_the_cli_exports_a_running_emulators_journal(emulator_sync, tmp_path, capsys):
    _session_traffic(emulator_sync)
    out = tmp_path / "pact.json"
    assert main(["pact", "export", "--url", emulator_sync.url, "--consumer", "acme-portal", "--out", str(out)]) == 0
    assert len(json.loads(out.read_text())["interactions"]) == 7
    assert main(["pact", "export", "--url", emulator_sync.url, "--consumer", " "]) == 2
