"""``--emulator-pact-dir``: one Pact V4 file per session from the tests' traffic."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("pact")

SUITE = """
import urllib.request

MAIJA = "aaaaaaaa-0000-4000-8000-000000000001"


def _get(emulator, path, headers):
    request = urllib.request.Request(emulator.url + path, headers=headers)
    try:
        with urllib.request.urlopen(request) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_get105(emulator_sync):
    assert _get(emulator_sync, "/customerid-rest/services/2.1/users/" + MAIJA, emulator_sync.auth_headers) == 200


def test_get105_again_and_a_dfs_read(emulator_sync):
    assert _get(emulator_sync, "/customerid-rest/services/2.1/users/" + MAIJA, emulator_sync.auth_headers) == 200
    assert _get(emulator_sync, "/v1.0/access-policies", emulator_sync.dfs_headers) == 200
"""


def test_the_session_writes_one_pact_of_its_distinct_interactions(pytester, tmp_path):
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--emulator-pact-dir", str(tmp_path), "--emulator-pact-consumer", "acme-portal"
    )
    result.assert_outcomes(passed=2)
    document = json.loads((tmp_path / "acme-portal-identity-emulator.json").read_text())
    assert len(document["interactions"]) == 2  # GET105 once, the DFS read once
    assert "cmVzdHVzZXI6c2VjcmV0" not in json.dumps(document)


def test_without_the_option_no_pact_is_written(pytester, tmp_path):
    pytester.makepyfile(test_suite=SUITE)
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=2)
    assert list(tmp_path.iterdir()) == []
