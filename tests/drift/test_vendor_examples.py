"""The vendor documents' request and response examples, transcribed into a cassette
(tests/data/drift/vendor-examples.jsonl: CustomerID 2.1 XML and JSON, 1.0, DFS JSON),
compare clean against the scenario of the entities they name; drifted copies do not.
Plus one focused test per cause of issue 19's false drift."""

import json
from pathlib import Path

import pytest

from emulator.drift.compare import compare_cassette
from emulator.drift.diff import TreeComparer
from emulator.drift.documents import parse
from emulator.drift.replay import IdMap
from emulator.drift.rules import Rule, Rules

DATA = Path(__file__).resolve().parents[1] / "data" / "drift"
CASSETTE = DATA / "vendor-examples.jsonl"
SCENARIOS = ["default", DATA / "vendor-examples.yaml"]
RULES = Rules.load(DATA / "vendor-examples.rules.yaml")


async def test_the_vendor_examples_compare_clean():
    report = await compare_cassette(CASSETTE, scenarios=SCENARIOS, rules=RULES)
    print(f"{len(report.results)} exchanges from the vendor documents' examples")
    assert not report.drift, report.text()
    assert len(report.results) >= 60
    assert {(row.api, row.version) for row in report.rows()} >= {
        ("customerid", "2.1"),
        ("customerid", "1.0"),
        ("dfs", "1.0"),
        ("dfs", "2.0"),
    }


def drifted(tmp_path, seq: int, change) -> Path:
    lines = CASSETTE.read_text(encoding="utf-8").splitlines()
    exchange = json.loads(lines[seq])
    change(exchange)
    lines[seq] = json.dumps(exchange)
    out = tmp_path / "drifted.jsonl"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def seq_of(operation: str) -> int:
    for line in CASSETTE.read_text(encoding="utf-8").splitlines()[1:]:
        exchange = json.loads(line)
        if exchange["operation"] == operation:
            return exchange["seq"]
    raise AssertionError(operation)


def json_body(change):
    def edit(exchange):
        body = json.loads(exchange["response"]["body"])
        change(body)
        exchange["response"]["body"] = json.dumps(body)

    return edit


@pytest.mark.parametrize(
    ("operation", "change", "kind"),
    [
        ("GET107", lambda e: e["response"].update(status=404), "status"),  # a status changed
        (
            "GET105",
            lambda e: e["response"].update(body=e["response"]["body"].replace('name="firstname"', 'name="givenname"')),
            "extra",  # an element renamed: the documented firstname is gone
        ),
        ("PUT123", lambda e: e["response"].update(body=e["response"]["body"].replace("userId>", "user>")), "missing"),
        ("get /v1.0/identities/provider-setting/{providerId}", json_body(lambda body: body.pop("Name")), "extra"),
        ("get /v2.0/roles/{roleId}", json_body(lambda body: body.update(ShortName=5)), "type"),
    ],
)
async def test_drifted_copies_of_the_vendor_examples_are_caught(tmp_path, operation, change, kind):
    cassette = drifted(tmp_path, seq_of(operation), change)
    report = await compare_cassette(cassette, scenarios=SCENARIOS, rules=RULES)
    assert report.differing == 1, report.text()
    [result] = [result for result in report.results if not result.matched]
    assert result.exchange.operation == operation and kind in {d.kind for d in result.differences}


# -- one focused test per cause -----------------------------------------------------------

A, B = "aaaaaaaa-0000-4000-8000-00000000000a", "bbbbbbbb-0000-4000-8000-00000000000b"
C, D = "cccccccc-0000-4000-8000-00000000000c", "dddddddd-0000-4000-8000-00000000000d"


BUILT_IN = Rules()


def compare(recorded: str, emulated: str, rules=BUILT_IN, media="application/xml", **options):
    return TreeComparer(rules, "GET104", **options).compare(
        parse(recorded.encode(), media), parse(emulated.encode(), media)
    )


def test_list_items_are_not_paired_by_position():
    outcome = compare(f"<Users><Id>{A}</Id><Id>{B}</Id></Users>", f"<Users><Id>{C}</Id><Id>{D}</Id></Users>")
    assert outcome.id_pairs == [] and outcome.differences == []
    known = {A: C}.get  # once A is known as C, the item is paired by identity, and B by nothing
    outcome = compare(
        f"<Users><Id>{B}</Id><Id>{A}</Id></Users>",
        f"<Users><Id>{C}</Id></Users>",
        known=lambda kind, value: known(value),
    )
    assert B not in {recorded for _, recorded, _ in outcome.id_pairs}  # B matched nothing: not paired with D


def test_a_modifications_one_entity_answer_pairs_its_id():
    outcome = compare(
        f"<Organizations><Id>{A}</Id></Organizations>",
        f"<Organizations><Id>{C}</Id></Organizations>",
        single_entity=True,
    )
    assert [(recorded, emulated) for _, recorded, emulated in outcome.id_pairs] == [(A, C)]


def test_a_later_conflicting_pairing_does_not_overwrite_the_first():
    ids = IdMap()
    ids.learn([("user", A, C)], seq=1)
    ids.learn([("user", A, D), ("user", B, C)], seq=2)
    assert ids.uuids == {A: C}
    assert [(conflict.recorded, conflict.emulated) for conflict in ids.conflicts] == [(A, D), (B, C)]


def test_integer_ids_are_mapped_per_kind_and_only_where_an_id_stands():
    ids = IdMap()
    ids.learn([("item", "12", "2453"), ("role", "23", "22")])
    assert ids.path("/v1.0/tenants/12/roles", {"tenantId": "12"}) == "/v1.0/tenants/12/roles"
    assert ids.path("/v2.0/roles/23", {"roleId": "23"}) == "/v2.0/roles/22"
    assert ids.path("/v2.0/things/23", {}) == "/v2.0/things/23"  # no id parameter stands there
    assert json.loads(ids.body(b'{"DefaultMenuItemId": 12, "Count": 12}', "application/json")) == {
        "DefaultMenuItemId": 2453,
        "Count": 12,
    }


def test_declared_placeholder_ids_are_mapped_in_requests():
    ids = IdMap((("XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX", A),))
    assert ids.path("/users/XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX/roles") == f"/users/{A}/roles"
    assert ids.query("parentOrganizationId=XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX") == f"parentOrganizationId={A}"


def test_an_empty_xml_list_is_data_not_a_type():
    assert compare("<Users/>", f"<Users><Id>{A}</Id></Users>").differences == []
    assert [
        d.kind for d in compare("<User/>", "<User><Attribute name='id'><Value>1</Value></Attribute></User>").differences
    ] == ["type"]


def test_optional_attributes_are_data_documented_ones_structure():
    user = "<User><Attribute name='id'><Value>1</Value></Attribute>{}</User>"
    locale = "<Attribute name='locale'><Value>fi</Value></Attribute>"
    assert compare(user.format(""), user.format(locale)).differences == []
    firstname = "<Attribute name='firstname'><Value>M</Value></Attribute>"
    assert [d.kind for d in compare(user.format(""), user.format(firstname)).differences] == ["extra"]
    strict = Rules(rules=(Rule("required", path="/User/Attribute:locale"), *BUILT_IN.rules))  # rules say otherwise
    assert [d.kind for d in compare(user.format(""), user.format(locale), rules=strict).differences] == ["extra"]


def test_custom_attributes_and_json_members_are_unordered():
    recorded = '{"a": 1, "customAttributes": {"Custom2": "x", "Custom1": ["y"]}}'
    emulated = '{"customAttributes": {"Custom1": ["y"], "Custom2": "x"}, "a": 1}'
    assert compare(recorded, emulated, media="application/json").differences == []
    xml = "<R><customAttributes><attribute name='{}'/><attribute name='{}'/></customAttributes><a/><b/></R>"
    assert compare(xml.format("C2", "C1"), xml.format("C1", "C2")).differences == []
    assert [d.kind for d in compare("<R><a>1</a><b>1</b></R>", "<R><b>1</b><a>1</a></R>").differences] == ["order"]
