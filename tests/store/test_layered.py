"""LayeredDict: the store's rows and index buckets, forked in O(1), first write O(1)."""

import pickle
import random

import pytest

from emulator.store.core import Collection, Store
from emulator.store.layered import LayeredDict


def loaded(count: int) -> LayeredDict:
    table = LayeredDict()
    for number in range(count):
        table[f"k{number}"] = number
    return table


def test_a_fork_shares_its_base_and_a_write_touches_only_the_overlay():
    original = loaded(100)
    original.fork()  # the overlay outgrew the (empty) base: folded into one base
    base = original.base
    twin = original.fork()
    assert twin.base is base and not twin.overlay
    twin["k5"] = "five"
    twin["new"] = "added"
    assert twin.base is base and len(base) == 100  # nothing copied, nothing written below
    assert twin.overlay == {"k5": "five", "new": "added"}
    assert original["k5"] == 5 and "new" not in original and len(original) == 100
    assert twin["k5"] == "five" and len(twin) == 101


def test_a_tombstone_hides_a_base_row():
    original = loaded(10)
    original.fork()
    twin = original.fork()
    del twin["k3"]
    assert "k3" in twin.base and "k3" not in twin and twin.get("k3") is None and len(twin) == 9
    assert list(twin) == [f"k{n}" for n in range(10) if n != 3]
    with pytest.raises(KeyError):
        twin["k3"]
    with pytest.raises(KeyError):
        del twin["k3"]
    assert original["k3"] == 3


def test_it_behaves_as_a_dict_through_writes_and_forks_in_any_order():
    """The same operations on a plain dict (copied at each fork) and on layered
    dicts (forked) give the same items in the same order, on every side."""
    generator = random.Random(12)
    models, tables = [{}], [LayeredDict()]
    for step in range(4000):
        side = generator.randrange(len(tables))
        model, table = models[side], tables[side]
        key = f"k{generator.randrange(60)}"
        action = generator.random()
        if action < 0.03 and len(tables) < 8:
            models.append(dict(model))
            tables.append(table.fork())
        elif action < 0.45 and key in model:
            del model[key]
            del table[key]
        else:
            model[key] = step
            table[key] = step
        for model, table in zip(models, tables):
            assert list(table.items()) == list(model.items())
            assert list(table) == list(model) and list(table.values()) == list(model.values())
            assert len(table) == len(model)
    assert all(key in table for model, table in zip(models, tables) for key in model)


def test_a_fork_folds_an_overlay_bigger_than_its_base():
    table = loaded(50)
    table.fork()
    twin = table.fork()
    for number in range(60):
        twin[f"extra{number}"] = number
    del twin["k0"]
    assert len(twin.overlay) > len(twin.base)
    expected = list(twin.items())
    third = twin.fork()
    assert not twin.overlay and not third.overlay and third.base is twin.base
    assert list(twin.items()) == list(third.items()) == expected
    assert list(table.items()) == [(f"k{n}", n) for n in range(50)]  # the old base is untouched


def test_it_pickles_as_its_items():
    table = loaded(5)
    table.fork()
    twin = table.fork()
    del twin["k1"]
    twin["k1"] = "back"  # a base key deleted and added again iterates last
    copy = pickle.loads(pickle.dumps(twin))
    assert list(copy.items()) == list(twin.items()) == [("k0", 0), ("k2", 2), ("k3", 3), ("k4", 4), ("k1", "back")]


def test_a_rolled_back_transaction_leaves_a_fork_as_it_was():
    people = Collection("people")
    for number in range(20):
        people.put(str(number), ("person", number))
    store = Store([people]).fork()
    store.fork()  # folded: the rows now sit in one shared base
    rows = store["people"]._rows
    with pytest.raises(RuntimeError), store.transaction():
        store["people"].put("3", ("changed", 3))
        store["people"].delete("4")
        store["people"].put("new", ("person", "new"))
        raise RuntimeError("late validation error")
    assert store["people"].get("3") == ("person", 3) and store["people"].get("4") == ("person", 4)
    assert "new" not in store["people"] and len(store["people"]) == 20
    assert rows.base is store["people"]._rows.base and "4" in rows.base
