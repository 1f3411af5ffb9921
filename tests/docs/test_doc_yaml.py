"""Every ```yaml block in README.md and docs/*.md is checked, so an example cannot
drift from the format it shows. A block is classified by its top-level keys:

- a **scenario** names an API's section (``customerid``, ``dfs``: every API of
  ``default_apis()``): it is parsed by the scenario reader and validated against
  the scenario schema, the first step of ``emulator validate``. A block that is a
  whole file of an example project (``<!-- example: pytest-file NAME -->``) must
  also load on top of the built-in ``default`` scenario, as that project loads it;
  the others are excerpts (they name keys defined elsewhere, elide PEM keys);
- a **drift rules file** (``rules`` / ``values``) is loaded by ``Rules.load``, as
  ``emulator compare --rules`` loads it;
- anything else (CI workflows, compose files) must parse as a YAML mapping.
"""

import re
from pathlib import Path

import pytest
import yaml

from emulator.app import default_apis
from emulator.drift.rules import Rules
from emulator.world.scenarios import ScenarioError, load_baseline, parse_scenario_text, validate_scenario

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"(?:<!-- example: ([a-z-]+)[^>]*-->\s*)?```ya?ml\n(.*?)```", re.S)
RULES_KEYS = {"rules", "values", "ids", "placeholders"}
APIS = default_apis()
API_SECTIONS = {api.name for api in APIS}


def yaml_blocks() -> list[tuple[str, str, str]]:
    """(where, example kind or "", text) of every yaml block; where is FILE:LINE."""
    found = []
    for document in DOCUMENTS:
        text = document.read_text(encoding="utf-8")
        for match in BLOCK.finditer(text):
            line = text.count("\n", 0, match.start(2)) + 1
            found.append((f"{document.name}:{line}", match.group(1) or "", match.group(2)))
    return found


def kind_of(text: str) -> str:
    document = yaml.safe_load(text)
    assert isinstance(document, dict), "a YAML example is a mapping"
    if API_SECTIONS & set(document):
        return "scenario"
    if set(document) <= RULES_KEYS:
        return "rules"
    return "other"


def check_block(where: str, example: str, text: str, tmp_path: Path) -> None:
    kind = kind_of(text)
    if kind == "scenario":
        validate_scenario(parse_scenario_text(text, where), where, APIS)
        if example == "pytest-file":
            path = tmp_path / "example.yaml"
            path.write_text(text, encoding="utf-8")
            load_baseline(["default", path], APIS)
    elif kind == "rules":
        path = tmp_path / "rules.yaml"
        path.write_text(text, encoding="utf-8")
        Rules.load(path)


BLOCKS = yaml_blocks()


def test_the_documents_have_scenario_rules_and_other_yaml_examples():
    kinds = [kind_of(text) for _, _, text in BLOCKS]
    assert kinds.count("scenario") >= 4 and "rules" in kinds and "other" in kinds, kinds


@pytest.mark.parametrize("where, example, text", BLOCKS, ids=[where for where, _, _ in BLOCKS])
def test_yaml_example(where, example, text, tmp_path):
    try:
        check_block(where, example, text, tmp_path)
    except ScenarioError as error:
        pytest.fail(f"{where}: the example is not a valid scenario: {error}")


DFS_SETTINGS_UNDER_CLIENTS = """\
dfs:
  settings:
    defaultTenant: additiv
  clients:
    dfs-ci-client: {secret: dfs-ci-secret, tenants: [additiv]}
    maxPageSize: 1000
"""


def test_a_setting_under_clients_is_caught(tmp_path):
    """The mistake docs/scenarios.md once made: the check refuses it, naming the path."""
    with pytest.raises(ScenarioError, match=r"dfs\.clients\.maxPageSize"):
        check_block("example.md:1", "", DFS_SETTINGS_UNDER_CLIENTS, tmp_path)


def test_an_unknown_key_in_a_whole_example_file_is_caught(tmp_path):
    with pytest.raises(ScenarioError, match="nickname"):
        check_block("example.md:1", "pytest-file", "customerid:\n  users:\n    eero: {nickname: e}\n", tmp_path)


def test_a_whole_example_file_naming_an_unknown_key_does_not_load(tmp_path):
    text = "customerid:\n  users:\n    eero: {organization: no-such-organization}\n"
    check_block("example.md:1", "", text, tmp_path)  # an excerpt: the schema alone
    with pytest.raises(ScenarioError, match="no-such-organization"):
        check_block("example.md:1", "pytest-file", text, tmp_path)


def test_a_broken_rules_file_is_caught(tmp_path):
    with pytest.raises(ValueError, match="action"):
        check_block("example.md:1", "", "rules:\n  - {field: lastLogin, action: shrug}\n", tmp_path)


def test_yaml_that_does_not_parse_is_caught(tmp_path):
    with pytest.raises(yaml.YAMLError):
        check_block("example.md:1", "", "jobs: [unclosed\n", tmp_path)
