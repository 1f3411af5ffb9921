"""The shared store: copy-on-write forks, indexes, transactions."""

from dataclasses import dataclass

import pytest

from emulator.store.core import Collection, IndexSpec, Store


@dataclass(frozen=True)
class Person:
    id: str
    team: str
    email: str


def people_store() -> Store:
    people = Collection(
        "people",
        [
            IndexSpec("team", lambda p: (p.team,)),
            IndexSpec("attribute", lambda p: (("email", p.email),), ordered=True),
        ],
    )
    for number in range(6):
        people.put(str(number), Person(str(number), f"t{number % 2}", f"user{number}@example.org"))
    return Store([people])


def test_fork_is_isolated_in_both_directions():
    original = people_store()
    twin = original.fork()
    twin["people"].put("9", Person("9", "t1", "new@example.org"))
    twin["people"].delete("1")
    original["people"].put("8", Person("8", "t1", "eight@example.org"))
    assert original["people"].lookup("team", "t1") == {"1", "3", "5", "8"}
    assert twin["people"].lookup("team", "t1") == {"3", "5", "9"}
    assert original["people"].lookup_prefix("attribute", "email", "new") == set()
    assert twin["people"].lookup_prefix("attribute", "email", "eight") == set()


def test_indexing_a_collection_gives_a_record_that_must_be_there():
    people = people_store().fork()["people"]
    assert people["2"] == Person("2", "t0", "user2@example.org")
    people.delete("2")
    with pytest.raises(KeyError):
        people["2"]  # a broken invariant fails loudly, never as None further on
    with pytest.raises(KeyError):
        people["no such id"]


def test_fork_of_fork_does_not_leak_into_parent():
    parent = people_store().fork()
    child = parent.fork()
    child["people"].delete("3")
    assert "3" in parent["people"] and parent["people"].lookup("team", "t1") == {"1", "3", "5"}


def test_prefix_lookup_walks_only_matching_keys():
    store = people_store()
    assert store["people"].lookup_prefix("attribute", "email", "user1") == {"1"}
    assert store["people"].lookup_prefix("attribute", "email", "user") == {str(n) for n in range(6)}
    assert store["people"].lookup_prefix("attribute", "other", "user") == set()


def test_update_refiles_changed_keys_only():
    store = people_store()
    store["people"].put("2", Person("2", "t1", "user2@example.org"))
    assert "2" in store["people"].lookup("team", "t1") and "2" not in store["people"].lookup("team", "t0")


def test_transaction_rolls_back_every_write_on_error():
    store = people_store()
    with pytest.raises(RuntimeError):
        with store.transaction():
            store["people"].delete("0")
            store["people"].put("7", Person("7", "t0", "seven@example.org"))
            store["people"].put("2", Person("2", "t9", "changed@example.org"))
            raise RuntimeError("late validation failure")
    assert sorted(store["people"].ids()) == ["0", "1", "2", "3", "4", "5"]
    assert store["people"].get("2").team == "t0"
    assert store["people"].lookup("team", "t9") == set()
    assert store["people"].lookup_prefix("attribute", "email", "seven") == set()


def test_bulk_load_sorts_once_and_prefix_search_works_after():
    people = Collection("people", [IndexSpec("attribute", lambda p: (("email", p.email),), ordered=True)])
    store = Store([people])
    with store.bulk_load():
        for number in (5, 3, 9, 1):
            people.put(str(number), Person(str(number), "t", f"u{number}@x"))
    assert people.lookup_prefix("attribute", "email", "u") == {"1", "3", "5", "9"}
    assert people.lookup_prefix("attribute", "email", "u3") == {"3"}


def test_index_with_declared_fields_refiles_only_when_those_fields_change():
    calls = []

    def by_team(person):
        calls.append(person.id)
        return (person.team,)

    people = Collection("people", [IndexSpec("team", by_team, fields=("team",))])
    people.put("1", Person("1", "t1", "a@example.org"))
    calls.clear()
    people.put("1", Person("1", "t1", "b@example.org"))  # email only: the team index is left alone
    assert calls == []
    assert people.lookup("team", "t1") == {"1"}
    people.put("1", Person("1", "t2", "b@example.org"))
    assert calls == ["1", "1"]  # old and new keys
    assert people.lookup("team", "t1") == set() and people.lookup("team", "t2") == {"1"}


def test_keys_go_from_one_record_to_several_and_back_in_both_forks():
    """A key naming one record holds the bare id; the second record makes it a set
    (copied per fork), removing down to one makes it a bare id again."""
    original = people_store()
    people = original["people"]
    people.put("a", Person("a", "solo", "a@example.org"))
    twin = original.fork()
    twin["people"].put("b", Person("b", "solo", "a@example.org"))
    assert set(twin["people"].lookup("team", "solo")) == {"a", "b"}
    assert set(people.lookup("team", "solo")) == {"a"}
    assert twin["people"].lookup_prefix("attribute", "email", "a@") == {"a", "b"}
    assert people.lookup_prefix("attribute", "email", "a@") == {"a"}
    twin["people"].delete("a")
    assert set(twin["people"].lookup("team", "solo")) == {"b"} and set(people.lookup("team", "solo")) == {"a"}
    people.delete("a")
    assert not people.lookup("team", "solo") and set(twin["people"].lookup("team", "solo")) == {"b"}
    assert people.lookup_prefix("attribute", "email", "a@") == set()


def test_a_key_listed_twice_files_an_inserted_record_once_and_a_delete_unfiles_it():
    """An insert or a delete files the keys as the key function lists them (no set
    arithmetic): a key listed twice must still leave one clean entry, and none after."""
    people = Collection(
        "people",
        [
            IndexSpec("words", lambda p: (p.team, p.team, p.email)),
            IndexSpec("attribute", lambda p: (("team", p.team), ("team", p.team)), ordered=True),
        ],
    )
    people.put("1", Person("1", "red", "a@example.org"))
    people.put("2", Person("2", "red", "b@example.org"))
    assert people.lookup("words", "red") == {"1", "2"}
    assert sorted(people.index_keys("attribute")) == [("team", "red")]
    people.delete("1")
    assert set(people.lookup("words", "red")) == {"2"}
    assert people.lookup("words", "a@example.org") == frozenset()
    people.delete("2")
    assert people.lookup("words", "red") == frozenset() and list(people.index_keys("attribute")) == []
