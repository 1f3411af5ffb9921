"""The on-disk baseline cache of the command-line server: a second start with
the same scenarios and the same emulator code reads back an identical store;
another scenario content, or the switch turned off, loads afresh."""

import pytest

from emulator.app import default_apis
from emulator.world import baselinecache
from emulator.world.scenarios import load_baseline

EXTRA = """\
name: extra
customerid:
  users:
    cached-user: {organization: acme, login: cached.user, email: Cached.User@example.org}
"""


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("EMULATOR_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("EMULATOR_BASELINE_CACHE", raising=False)
    return tmp_path / "cache"


def loads_counted(monkeypatch) -> list:
    calls = []

    def counting(*args, **kwargs):
        calls.append(args)
        return load_baseline(*args, **kwargs)

    monkeypatch.setattr(baselinecache, "load_baseline", counting)
    return calls


def test_second_load_reads_the_same_store_back(cache, tmp_path, monkeypatch):
    extra = tmp_path / "extra.yaml"
    extra.write_text(EXTRA)
    calls = loads_counted(monkeypatch)
    fresh = baselinecache.load_baseline_cached(["default", extra], default_apis())
    cached = baselinecache.load_baseline_cached(["default", extra], default_apis())
    assert len(calls) == 1 and len(list(cache.glob("baseline-*.pickle"))) == 1
    assert cached.keys == fresh.keys and cached.files == fresh.files and cached.settings == fresh.settings
    for kind in fresh.store.kinds():
        assert dict(zip(cached.store[kind].ids(), cached.store[kind])) == dict(
            zip(fresh.store[kind].ids(), fresh.store[kind])
        ), kind
    users = cached.store.fork()["customerid.users"]
    user_id = cached.keys[("user", "cached-user")]
    assert users.lookup("attribute", ("email", "cached.user@example.org")) == {user_id}
    assert user_id in users.lookup_prefix("attribute", "login", "cached.")
    users.delete(user_id)  # a fork of the read-back baseline writes without touching it
    assert user_id in cached.store["customerid.users"] and user_id not in users


def test_other_content_or_switched_off_loads_afresh(cache, tmp_path, monkeypatch):
    extra = tmp_path / "extra.yaml"
    extra.write_text(EXTRA)
    calls = loads_counted(monkeypatch)
    baselinecache.load_baseline_cached(["default", extra], default_apis())
    extra.write_text(EXTRA.replace("cached.user", "other.user"))
    changed = baselinecache.load_baseline_cached(["default", extra], default_apis())
    assert len(calls) == 2 and changed.store["customerid.users"].lookup_prefix("attribute", "login", "other.")
    monkeypatch.setenv("EMULATOR_BASELINE_CACHE", "0")
    baselinecache.load_baseline_cached(["default", extra], default_apis())
    assert len(calls) == 3 and len(list(cache.glob("baseline-*.pickle"))) == 2


def test_a_damaged_cache_file_is_ignored(cache, monkeypatch):
    calls = loads_counted(monkeypatch)
    baselinecache.load_baseline_cached(["default"], default_apis())
    for path in cache.glob("baseline-*.pickle"):
        path.write_bytes(b"not a pickle")
    again = baselinecache.load_baseline_cached(["default"], default_apis())
    assert len(calls) == 2 and len(again.store["customerid.users"]) > 0


def test_records_are_read_back_through_their_init_not_the_dataclass_setstate(cache, monkeypatch):
    from emulator.customerid.models.records import User

    calls = loads_counted(monkeypatch)
    fresh = baselinecache.load_baseline_cached(["default"], default_apis())

    def refuse(self, state):
        raise AssertionError("read back through the dataclass __setstate__")

    monkeypatch.setattr(User, "__setstate__", refuse)
    cached = baselinecache.load_baseline_cached(["default"], default_apis())
    assert len(calls) == 1  # the second came from the file
    users = cached.store["customerid.users"]
    assert dict(zip(users.ids(), users)) == dict(
        zip(fresh.store["customerid.users"].ids(), fresh.store["customerid.users"])
    )
