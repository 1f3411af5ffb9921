"""``emulator pact verify``: a consumer's pact, written with pact-python's mock server
(tests/pact/consumer.py: GET105 XML, POST100, a DFS search with a Bearer token from a
provider state), verified against a fresh emulator by the real Pact verifier."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("pact")

from emulator.cli import main
from tests.pact.consumer import write_consumer_pact


@pytest.fixture(scope="module")
def consumer_pact(tmp_path_factory):
    return write_consumer_pact(tmp_path_factory.mktemp("pacts"))


def test_the_consumers_pact_verifies(consumer_pact, capsys):
    assert main(["pact", "verify", str(consumer_pact)]) == 0
    report = capsys.readouterr().out
    assert "Verifying a pact between acme-portal and identity-emulator" in report
    assert "GET105 a user as XML" in report and "FAILED" not in report


def test_a_directory_of_pacts_verifies(consumer_pact, capsys):
    assert main(["pact", "verify", str(consumer_pact.parent)]) == 0


def test_a_pact_expecting_another_shape_fails_with_pacts_mismatch_report(tmp_path, capsys):
    pact = write_consumer_pact(tmp_path, search_shape="Items")  # DFS answers {"Results": [...]}
    assert main(["pact", "verify", str(pact)]) == 1
    report = capsys.readouterr().out
    assert "Actual map is missing the following keys: Items" in report


def test_a_pact_expecting_another_status_fails(tmp_path, capsys):
    pact = write_consumer_pact(tmp_path, get105_status=404)
    assert main(["pact", "verify", str(pact)]) == 1
    report = capsys.readouterr().out
    assert "has status code 404 (FAILED)" in report and "expected 404 but was 200" in report


def test_literal_credentials_are_kept_on_request_and_then_refused(consumer_pact, capsys):
    # the pact's Basic header is portal:an-old-password: as written, CustomerID answers 401
    assert main(["pact", "verify", "--keep-credentials", str(consumer_pact)]) == 1
    assert "401" in capsys.readouterr().out


def test_a_missing_pact_file_is_bad_input(tmp_path, capsys):
    assert main(["pact", "verify", str(tmp_path / "nope.json")]) == 2
    assert "no pact file" in capsys.readouterr().err


def test_a_file_that_is_not_a_pact_is_bad_input(tmp_path, capsys):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    assert main(["pact", "verify", str(broken)]) == 2
    assert "not a pact file" in capsys.readouterr().err


def test_the_pytest_helper_verifies_and_fails_the_test_on_a_mismatch(consumer_pact, tmp_path, emulator_pact_verify):
    assert emulator_pact_verify(consumer_pact).passed
    wrong = write_consumer_pact(tmp_path, search_shape="Items")
    result = emulator_pact_verify(wrong, check=False)
    assert not result.passed and "Items" in result.output
    with pytest.raises(pytest.fail.Exception, match="Pact verification failed"):
        emulator_pact_verify(wrong)


def test_verify_reports_json_results(consumer_pact, emulator_pact_verify):
    results = emulator_pact_verify(consumer_pact).results
    assert json.dumps(results)  # Pact's own JSON result document
