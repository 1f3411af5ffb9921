"""Scenario files: JSON Schema validation, symbolic keys, stable ids, Faker bulk data."""

from pathlib import Path

import pytest

from emulator.app import default_apis
from emulator.config import DEFAULT_SCENARIO
from emulator.world.scenarios import ScenarioError, load_baseline, parse_scenario_text


def load(tmp_path: Path, text: str, *, with_default: bool = True):
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return load_baseline(([DEFAULT_SCENARIO] if with_default else []) + [path], default_apis())


def test_default_scenario_covers_every_status_and_a_virtual_tree():
    baseline = load_baseline([DEFAULT_SCENARIO], default_apis())
    users = baseline.store["customerid.users"]
    assert {user.status for user in users} >= {0, 1, 2, 3, 5}
    organizations = list(baseline.store["customerid.organizations"])
    assert any(o.virtual for o in organizations)
    assert max(o.entity_name.count("/") for o in organizations) >= 2  # three levels
    assert {m.type for m in baseline.store["customerid.mandates"]} >= {"OrgToPer", "OrgToOrg", "PerToPer"}
    assert any(d.role_id for d in baseline.store["customerid.delegations"])
    assert len(baseline.store["customerid.role_invitations"]) >= 1
    assert all(user.attributes for user in users if user.status != 5 or user.attributes)


def test_ids_are_stable_across_loads_when_not_given(tmp_path):
    text = "customerid:\n  organizations:\n    org1: {friendlyName: One}\n"
    first = load(tmp_path, text, with_default=False)
    second = load(tmp_path, text, with_default=False)
    assert first.keys[("organization", "org1")] == second.keys[("organization", "org1")]


def test_schema_error_names_file_and_path(tmp_path):
    with pytest.raises(ScenarioError) as caught:
        load(tmp_path, "customerid:\n  users:\n    bob: {organization: acme, status: [1]}\n")
    assert caught.value.file.endswith("scenario.yaml")
    assert caught.value.path == "customerid.users.bob.status"


def test_unknown_top_level_key_is_refused(tmp_path):
    with pytest.raises(ScenarioError, match="customerd"):
        load(tmp_path, "customerd: {}\n")


def test_yaml_syntax_error_names_line(tmp_path):
    with pytest.raises(ScenarioError, match=r"line \d+, column \d+: not valid YAML"):
        load(tmp_path, "customerid:\n  users: {a: b\n  c: [d\n")


def test_reference_to_unknown_key_names_path(tmp_path):
    with pytest.raises(ScenarioError) as caught:
        load(tmp_path, "customerid:\n  users:\n    bob: {organization: nowhere}\n")
    assert caught.value.path == "customerid.users.bob.organization"
    assert "nowhere" in caught.value.problem


def test_model_rules_apply_to_scenarios_too(tmp_path):
    text = (
        "customerid:\n  organizations:\n    v: {virtual: true}\n"
        "    n: {parent: v, friendlyName: Normal under virtual}\n"
    )
    with pytest.raises(ScenarioError) as caught:
        load(tmp_path, text, with_default=False)
    assert caught.value.path == "customerid.organizations.n"
    assert "Parent not non-virtual" in caught.value.problem


def test_a_failing_file_leaves_nothing_loaded(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text("customerid:\n  organizations:\n    org1: {}\n", encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text("customerid:\n  users:\n    bob: {organization: missing}\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="bad.yaml"):
        load_baseline([good, bad], default_apis())


def test_faker_bulk_users_are_reproducible_and_follow_status_shares(tmp_path):
    text = (
        "seed: 7\ncustomerid:\n  generate:\n"
        "    - {organization: acme, users: 200, statuses: {Enabled: 90, Waiting for registration: 10},"
        " roles: [acme-user], attributes: {department: [A, B]}}\n"
    )
    first = load(tmp_path, text)
    second = load(tmp_path, text)
    users_first = sorted((u.id, u.firstname, u.surname, u.status) for u in first.store["customerid.users"])
    users_second = sorted((u.id, u.firstname, u.surname, u.status) for u in second.store["customerid.users"])
    assert users_first == users_second
    generated = [
        u
        for u in first.store["customerid.users"]
        if u.login and u.login.endswith(tuple(f".{n}" for n in range(1, 201)))
    ]
    assert len(generated) == 200
    assert sum(1 for u in generated if u.status == 5) == 20
    assert all(u.attributes["department"][0] in ("A", "B") for u in generated)


def test_empty_document_is_a_valid_scenario():
    assert parse_scenario_text("", "empty.yaml") == {}
