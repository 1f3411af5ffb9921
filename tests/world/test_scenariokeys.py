"""ScenarioKeys (emulator/scenariokeys.py): numbered runs of generated keys kept
compactly, behaving exactly like the dict they replace."""

import pickle
import random

import pytest

from emulator.world.scenariokeys import ScenarioKeys


def test_a_numbered_run_is_kept_as_a_prefix_and_ids():
    keys = ScenarioKeys()
    for number in range(1, 1001):
        keys[("user", f"acme-sales-user-{number}")] = f"id-{number}"
    keys[("user", "maija")] = "aaaa"
    assert keys._runs == {("user", "acme-sales-user-"): [f"id-{n}" for n in range(1, 1001)]}
    assert keys._named == {("user", "maija"): "aaaa"}
    assert keys[("user", "acme-sales-user-17")] == "id-17"
    assert len(keys) == 1001


@pytest.mark.parametrize(
    "name",
    [
        "acme-sales-user-0",
        "acme-sales-user-017",
        "acme-sales-user-1001",
        "acme-sales-user-",
        "acme-sales-user-+5",
        "acme-sales-user-٥",
        "other-1",
    ],
)
def test_keys_outside_the_run_are_not_found(name):
    keys = ScenarioKeys({("user", f"acme-sales-user-{n}"): f"id-{n}" for n in range(1, 1001)})
    assert (("user", name) in keys) is False
    with pytest.raises(KeyError):
        keys[("user", name)]
    assert ("organization", "acme-sales-user-1") not in keys


def test_it_behaves_as_a_dict_under_random_binds_rebinds_and_deletes():
    rng = random.Random(12)
    keys, expected = ScenarioKeys(), {}
    names = [f"{prefix}{number}" for prefix in ("u-", "v-", "x") for number in range(0, 40)] + ["plain", "u-07"]
    for step in range(6000):
        key = (rng.choice(["user", "role"]), rng.choice(names))
        action = rng.random()
        if action < 0.7:
            keys[key] = expected[key] = f"id-{step}"
        elif action < 0.85 and key in expected:
            del keys[key]
            del expected[key]
        else:
            assert keys.get(key) == expected.get(key)
        if step % 500 == 0:
            assert dict(keys) == expected and len(keys) == len(expected)
    assert dict(keys) == expected
    assert dict(pickle.loads(pickle.dumps(keys))) == expected


def test_a_copy_is_independent():
    keys = ScenarioKeys({("user", f"g-{n}"): f"id-{n}" for n in range(1, 4)})
    twin = keys.copy()
    twin[("user", "g-4")] = "id-4"
    twin[("user", "g-1")] = "changed"
    assert (dict(keys), len(twin)) == ({("user", f"g-{n}"): f"id-{n}" for n in range(1, 4)}, 4)
    assert twin[("user", "g-1")] == "changed"


async def test_generated_users_keep_their_keys_in_a_run(emulator):
    """The bulk scenario's generated users answer GET /__emulator/keys/user/<key> as before."""
    await emulator.load_scenario(
        {"seed": 3, "customerid": {"generate": [{"organization": "acme-sales", "users": 300, "roles": ["acme-user"]}]}}
    )
    keys = emulator.state.world.keys
    assert isinstance(keys, ScenarioKeys) and ("user", "acme-sales-user-") in keys._runs
    assert len(keys._runs[("user", "acme-sales-user-")]) == 300
    found = await emulator.control("GET", "/keys/user/acme-sales-user-300")
    assert found["id"] == keys[("user", "acme-sales-user-300")]
    listing = await emulator.control("GET", "/keys")
    assert sum(1 for item in listing["keys"] if item["key"].startswith("acme-sales-user-")) == 300
