"""SortedKeys, the ordered-index key set: same answers as a sorted Python set,
whatever the mix of inserts, removals and forks (chunks shared copy-on-write)."""

import random

from emulator.store.sortedkeys import LOAD, SortedKeys


def test_random_inserts_and_removals_agree_with_a_sorted_set():
    rng = random.Random(12)
    keys, expected = SortedKeys(), set()
    for _ in range(6 * LOAD * 4):
        key = f"k{rng.randrange(5 * LOAD):05d}"
        if rng.random() < 0.7:
            keys.add(key)
            expected.add(key)
        else:
            keys.discard(key)
            expected.discard(key)
    assert list(keys) == sorted(expected) and len(keys) == len(expected)
    assert list(keys.starting_at("k00500")) == [k for k in sorted(expected) if k >= "k00500"]
    assert list(keys.starting_at("zzz")) == []


def test_forks_are_independent_and_share_untouched_chunks():
    base = SortedKeys(f"u{number:06d}" for number in range(10 * LOAD))
    left, right = base.fork(), base.fork()
    left.add("u000000a")
    right.discard("u000001")
    right.add("zz")
    assert "u000000a" in list(left) and "u000000a" not in list(right) and "u000000a" not in list(base)
    assert "u000001" in list(left) and "u000001" not in list(right) and "u000001" in list(base)
    assert list(base) == [f"u{number:06d}" for number in range(10 * LOAD)]
    # only the chunk written to was copied: the others are still the same objects
    assert sum(a is b for a, b in zip(left._chunks, base._chunks)) == len(base._chunks) - 1


def test_built_from_unsorted_keys_with_duplicates():
    keys = SortedKeys(["b", "a", "c", "a"])
    assert list(keys) == ["a", "b", "c"] and len(keys) == 3
    keys.discard("missing")
    assert len(keys) == 3
