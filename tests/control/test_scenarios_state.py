"""Control API: runtime scenarios (GET/POST /__emulator/scenarios), the state dump
(GET /__emulator/state) and its round trip, snapshots (/__emulator/snapshots)."""

import asyncio

import yaml

from emulator.app import default_apis
from emulator.config import PROJECT_SCENARIOS
from emulator.world.scenarios import load_baseline
from emulator.world.state import EmulatorState
from tests.support.customerid import MAIJA, MATTI, VILLE

NEW_ORGANIZATION = "77777777-7777-4777-8777-777777777771"
EXTRA = {
    "name": "extra",
    "customerid": {
        "organizations": {"extra-org": {"id": NEW_ORGANIZATION, "parent": "acme", "technicalName": "extra"}},
        "users": {"eero": {"organization": "extra-org", "login": "eero", "email": "eero@example.org"}},
    },
}


async def test_list_scenarios_loaded_and_available(control):
    listing = await control.get("/scenarios")
    assert listing["loaded"] == [str(PROJECT_SCENARIOS / "default.yaml")]
    assert listing["baseline"] == listing["loaded"]
    assert {"name": "bulk-50k", "file": str(PROJECT_SCENARIOS / "bulk-50k.yaml")} in listing["available"]


async def test_post_json_scenario_loads_on_top_referring_to_existing_keys(control, cid):
    answer = await control.post("/scenarios", EXTRA)
    assert answer["scenarios"][-1] == "(posted) extra" and answer["counts"]["customerid"]["users"] == 10
    assert (await cid.get(f"/organizations/{NEW_ORGANIZATION}")).status == 200
    assert (await cid.get(f"/users/{MAIJA}")).status == 200  # still there
    assert (await control.get("/scenarios"))["loaded"][-1] == "(posted) extra"


async def test_post_yaml_scenario(control, cid):
    await control.post("/scenarios", data=yaml.safe_dump(EXTRA), headers={"Content-Type": "application/yaml"})
    assert (await cid.get(f"/organizations/{NEW_ORGANIZATION}")).status == 200


async def test_invalid_scenario_changes_nothing_and_says_where(control, cid):
    broken = {"customerid": {**EXTRA["customerid"], "roles": {"r": {"organization": "no-such-org"}}}}
    status, problem = await control.call("POST", "/scenarios", broken)
    assert status == 400
    assert problem["where"] == "customerid.roles.r.organization" and "no-such-org" in problem["error"]
    assert (await cid.get(f"/organizations/{NEW_ORGANIZATION}")).status == 404  # the org before it did not stay
    status, problem = await control.call("POST", "/scenarios", {"customerid": {"users": {"x": {}}}})
    assert status == 400 and problem["where"] == "customerid.users.x" and "organization" in problem["error"]
    status, problem = await control.call("POST", "/scenarios", data="a: [1,\n", headers={"Content-Type": "text/yaml"})
    assert status == 400 and problem["where"].startswith("line ")
    status, problem = await control.call("POST", "/scenarios", EXTRA)
    assert status == 200
    status, problem = await control.call("POST", "/scenarios", EXTRA)  # same keys again
    assert status == 400 and "already exists" in problem["error"]


async def test_generated_data_in_a_faker_locale_that_exists_loads(control, cid):
    generated = {"customerid": {"generate": [{"organization": "acme", "users": 2, "locales": ["sv_SE", "fi"]}]}}
    status, answer = await control.call("POST", "/scenarios", generated)
    assert status == 200 and answer["counts"]["customerid"]["users"] == 9 + 2


async def test_an_unknown_faker_locale_is_a_400_naming_it_not_a_500(control):
    generated = {"customerid": {"generate": [{"organization": "acme", "users": 2, "locales": ["fi_FI", "xx_YY"]}]}}
    status, problem = await control.call("POST", "/scenarios", generated)
    assert status == 400 and problem["where"] == "customerid.generate[0].locales" and "'xx_YY'" in problem["error"]
    dfs_batch = {"count": 1, "role": "r", "locale": "no_SUCH"}
    tenant = {"id": 91, "name": "T", "roles": {"r": {"shortName": "R", "roleKey": "r"}}, "generate": [dfs_batch]}
    status, problem = await control.call("POST", "/scenarios", {"dfs": {"tenants": {"t": tenant}}})
    assert status == 400 and problem["where"] == "dfs.tenants.t.generate[0].locale" and "'no_SUCH'" in problem["error"]


async def test_post_by_name_loads_a_file_from_the_scenario_directory(control, emulator):
    status, problem = await control.call("POST", "/scenarios", {"name": "../etc/passwd"})
    assert status == 404 and "bulk-50k" in problem["available"]
    answer = await control.post("/scenarios", {"name": "default"}, params={"replace": "true"})
    assert answer["replaced"] is True and answer["scenarios"] == [str(PROJECT_SCENARIOS / "default.yaml")]


async def test_replace_true_replaces_the_state(control, cid):
    minimal = {"customerid": {"organizations": {"solo": {"technicalName": "solo"}}}}
    answer = await control.post("/scenarios", minimal, params={"replace": "true"})
    assert answer["counts"]["customerid"]["organizations"] == 1 and answer["counts"]["customerid"]["users"] == 0
    assert (await cid.get(f"/users/{MAIJA}")).status == 404
    status, _ = await control.call("POST", "/scenarios", minimal, params={"replace": "maybe"})
    assert status == 400


async def test_state_dump_loads_back_unchanged(control, cid, emulator):
    # change things first, so the dump is not just the scenario file
    await cid.put(f"/users/{MATTI}", params={"mobile": "+358400000000"})
    await cid.put(f"/users/{MAIJA}/forcePasswordChange")
    await cid.delete(f"/users/{VILLE}")
    await control.post("/scenarios", EXTRA)
    before_records = {
        kind: dict(zip(c.ids(), c))
        for kind in emulator.state.world.store.kinds()
        for c in [emulator.state.world.store[kind]]
    }
    dumped = await control.get("/state")
    assert await control.post("/scenarios", dumped, params={"replace": "true"})
    again = await control.get("/state")
    assert {key: value for key, value in again.items() if key != "description"} == {
        key: value for key, value in dumped.items() if key != "description"
    }
    after_records = {
        kind: dict(zip(c.ids(), c))
        for kind in emulator.state.world.store.kinds()
        for c in [emulator.state.world.store[kind]]
    }
    assert after_records == before_records
    assert (await cid.get(f"/users/{MATTI}")).attribute("mobile") == "+358400000000"


async def test_state_dump_as_yaml_loads_back(control):
    text = await control.get("/state", params={"format": "yaml"})
    assert "customerid:" in text
    await control.post(
        "/scenarios", data=text, params={"replace": "true"}, headers={"Content-Type": "application/yaml"}
    )
    status, problem = await control.call("GET", "/state", params={"format": "xml"})
    assert status == 400 and problem["where"] == "?format"
    status, problem = await control.call("GET", "/state", params={"format": ""})  # the document's enum has no ""
    assert status == 400 and problem["where"] == "?format"


async def test_snapshot_restore_and_delete(control, cid):
    snapshot = await control.post("/snapshots", expect=201)
    assert snapshot["id"] == "s1" and snapshot["counts"]["customerid"]["users"] == 9
    await cid.delete(f"/users/{MAIJA}")
    named = await control.post("/snapshots", {"id": "without-maija"}, expect=201)
    assert named["counts"]["customerid"]["users"] == 8
    listed = await control.get("/snapshots")
    assert [item["id"] for item in listed["snapshots"]] == ["s1", "without-maija"]
    restored = await control.post("/snapshots/s1/restore")
    assert restored["status"] == "restored" and restored["milliseconds"] < 50
    assert (await cid.get(f"/users/{MAIJA}")).status == 200
    await control.post("/snapshots/without-maija/restore")
    assert (await cid.get(f"/users/{MAIJA}")).status == 404
    await control.post("/snapshots/s1/restore")  # a snapshot can be restored again
    assert (await cid.get(f"/users/{MAIJA}")).status == 200
    assert await control.delete("/snapshots/s1") == {"deleted": "s1"}
    for method, path in (("POST", "/snapshots/s1/restore"), ("DELETE", "/snapshots/s1")):
        status, problem = await control.call(method, path)
        assert status == 404 and problem["where"] == "id"
    status, problem = await control.call("POST", "/snapshots", {"id": ""})
    assert status == 400


async def test_writes_after_a_snapshot_do_not_leak_into_it(control, cid):
    await control.post("/snapshots", {"id": "base"}, expect=201)
    await cid.put(f"/users/{MATTI}", params={"mobile": "+358400000000"})
    await control.post("/snapshots/base/restore")
    assert (await cid.get(f"/users/{MATTI}")).attribute("mobile") == "+358407654321"
    await cid.put(f"/users/{MATTI}", params={"mobile": "+358400000001"})
    await control.post("/snapshots/base/restore")
    assert (await cid.get(f"/users/{MATTI}")).attribute("mobile") == "+358407654321"


async def test_restore_is_atomic_for_concurrent_readers(control, cid):
    """Readers racing a series of restores get answers from one snapshot or the
    other, never from a half-restored state."""
    search = {"login": "ma", "exactMatch": "false"}
    with_maija = set((await cid.get("/users", params=search)).ids)
    await control.post("/snapshots", {"id": "with"}, expect=201)
    await cid.delete(f"/users/{MAIJA}")
    without_maija = set((await cid.get("/users", params=search)).ids)
    await control.post("/snapshots", {"id": "without"}, expect=201)
    assert with_maija - without_maija == {MAIJA}
    seen = []

    async def reader():
        for _ in range(30):
            seen.append(frozenset((await cid.get("/users", params=search)).ids))

    async def restorer():
        for index in range(30):
            await control.post(f"/snapshots/{'with' if index % 2 else 'without'}/restore")

    await asyncio.gather(reader(), reader(), restorer())
    assert set(seen) <= {frozenset(with_maija), frozenset(without_maija)}
    assert len(seen) == 60


def test_restore_reset_and_new_namespaces_share_the_loaded_rows_instead_of_copying_them():
    """On 50,000 users, reset, restore and namespace creation are forks: the new world's
    collections share their rows with the state they came from (a layered dict's base), so
    their cost does not grow with the state. (Their timings are in `make bench`, not here.)"""
    apis = default_apis()
    baseline = load_baseline([PROJECT_SCENARIOS / "default.yaml", PROJECT_SCENARIOS / "bulk-50k.yaml"], apis)
    state = EmulatorState(apis, baseline)
    namespace = state.default
    loaded = {kind: baseline.store[kind]._rows.base for kind in baseline.store.kinds()}
    assert len(loaded["customerid.users"]) > 50_000

    def shares_rows(world, source) -> bool:
        return all(world.store[kind]._rows.base is source[kind] for kind in source)

    namespace.reset()
    assert shares_rows(namespace.world, loaded)
    assert shares_rows(state.create_namespace("worker-1").world, loaded)
    snapshot = namespace.save_snapshot()
    namespace.restore(snapshot)
    assert shares_rows(namespace.world, loaded)
    # A write copies nothing: it goes to the world's own overlay, the base stays shared.
    with namespace.world.store.transaction():
        user = next(iter(namespace.world.store["customerid.users"]))
        namespace.world.store["customerid.users"].delete(user.id)
    assert shares_rows(namespace.world, loaded)
    assert dict(namespace.world.store["customerid.users"]._rows.overlay).keys() == {user.id}
    assert user.id in loaded["customerid.users"] and user.id not in namespace.world.store["customerid.users"]
