"""The on-disk baseline cache of the command-line server: a second start with
the same scenarios and the same emulator code reads back an identical store;
another scenario content, or the switch turned off, loads afresh. A damaged,
foreign or stale entry, a killed writer's leftovers or an unusable directory
cost one warning line and a fresh load, never a start (issue 19, point 4)."""

import logging
import os
import struct
import time

import pytest

from emulator.app import default_apis
from emulator.formats import cachedir
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
    monkeypatch.setattr(cachedir, "_warned", False)  # one warning line per process: per test here
    return tmp_path / "cache"


def cache_warnings(caplog) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "emulator" and record.levelno >= logging.WARNING and "cache" in record.getMessage()
    ]


def same_store(one, other) -> bool:
    """The same records by id and the same scenario keys (two loads differ only in their
    ``created`` times, which come from the clock)."""
    return one.keys == other.keys and all(
        set(one.store[kind].ids()) == set(other.store[kind].ids()) for kind in one.store.kinds()
    )


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


HEADER = struct.Struct(">8sH32sQ32s")  # cachedir's: magic, version, identity, length, SHA-256


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _zeroed(data: bytes) -> bytes:
    return bytes(len(data))


def _garbage(data: bytes) -> bytes:
    return os.urandom(len(data))


def _short(data: bytes) -> bytes:
    return data[:20]


def _flipped_payload_byte(data: bytes) -> bytes:
    return data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:]


def _another_format_version(data: bytes) -> bytes:
    magic, version, identity, length, checksum = HEADER.unpack_from(data)
    return HEADER.pack(magic, version + 1, identity, length, checksum) + data[HEADER.size :]


def _written_for_other_inputs(data: bytes) -> bytes:
    """Stale or foreign: a whole, well-formed entry, of another emulator or other scenario files."""
    magic, version, _, length, checksum = HEADER.unpack_from(data)
    return HEADER.pack(magic, version, bytes(32), length, checksum) + data[HEADER.size :]


def _bare_pickle(data: bytes) -> bytes:
    """What the cache used to hold (a pickle with no header) is never unpickled."""
    return data[HEADER.size :]


@pytest.mark.parametrize(
    "damage",
    [
        _truncated,
        _zeroed,
        _garbage,
        _short,
        _flipped_payload_byte,
        _another_format_version,
        _written_for_other_inputs,
        _bare_pickle,
    ],
)
def test_a_damaged_foreign_or_stale_entry_is_ignored_with_one_warning_and_rebuilt(cache, monkeypatch, caplog, damage):
    calls = loads_counted(monkeypatch)
    fresh = baselinecache.load_baseline_cached(["default"], default_apis())
    (entry,) = cache.glob("baseline-*.pickle")
    whole = entry.read_bytes()
    entry.write_bytes(damage(whole))
    with monkeypatch.context() as patched:
        patched.setattr("pickle.loads", _refuse_unchecked_unpickling(whole))
        again = baselinecache.load_baseline_cached(["default"], default_apis())
    assert len(calls) == 2 and same_store(again, fresh)
    assert len(cache_warnings(caplog)) == 1, caplog.text
    baselinecache.load_baseline_cached(["default"], default_apis())
    assert len(calls) == 2  # rebuilt: the next start reads it back


def _refuse_unchecked_unpickling(whole: bytes):
    """pickle.loads that fails the test when given anything but the entry's own payload."""
    import pickle

    loads = pickle.loads

    def checked(data, *args, **kwargs):
        assert bytes(data) == whole[HEADER.size :], "unpickled an entry that did not check out"
        return loads(data, *args, **kwargs)

    return checked


def test_a_killed_writers_leftovers_are_removed_and_its_half_entry_ignored(cache, monkeypatch, caplog):
    calls = loads_counted(monkeypatch)
    fresh = baselinecache.load_baseline_cached(["default"], default_apis())
    (entry,) = cache.glob("baseline-*.pickle")
    entry.write_bytes(entry.read_bytes()[:4096])  # a final file cut short (as by a full disk)
    dead_writer = cache / f".{entry.name}.999999999.tmp"  # no such process
    old_writer = cache / f".{entry.name}.{os.getppid()}.tmp"  # alive, but it has been at it for minutes
    for leftover in (dead_writer, old_writer):
        leftover.write_bytes(b"\x80\x05partial pickle")
    an_hour_ago = time.time() - 3600
    os.utime(old_writer, (an_hour_ago, an_hour_ago))
    live_writer = cache / f".package-x.marshal.{os.getppid()}.tmp"  # a live writer's fresh temporary
    live_writer.write_bytes(b"partial")
    monkeypatch.setattr(cachedir, "_swept", set())  # a new process: sweeps at its start
    again = baselinecache.load_baseline_cached(["default"], default_apis())
    assert len(calls) == 2 and same_store(again, fresh)
    assert not dead_writer.exists() and not old_writer.exists() and live_writer.exists()
    assert len(cache_warnings(caplog)) == 1, caplog.text
    assert sorted(path.name for path in cache.glob(".*.tmp")) == [live_writer.name]


@pytest.mark.parametrize("unusable", ["not a directory", "group-writable"])
def test_an_unusable_cache_directory_costs_one_warning_and_no_start(cache, monkeypatch, caplog, unusable):
    calls = loads_counted(monkeypatch)
    fresh = baselinecache.load_baseline_cached(["default"], default_apis())
    if unusable == "not a directory":  # as unwritable as it gets, even for root
        monkeypatch.setenv("EMULATOR_CACHE_DIR", str(cache / "baseline-file" / "cache"))
        (cache / "baseline-file").write_bytes(b"")
    else:  # anyone could have planted the pickle in there: it is not read
        cache.chmod(0o777)
    first = baselinecache.load_baseline_cached(["default"], default_apis())
    second = baselinecache.load_baseline_cached(["default"], default_apis())
    assert len(calls) == 3 and same_store(first, fresh) and same_store(second, fresh)
    assert len(cache_warnings(caplog)) == 1, caplog.text


def test_the_same_scenario_loads_to_the_same_ids_cached_or_not(tmp_path, monkeypatch):
    """Ids the scenario does not give (an organization's roles) used to be random:
    9 of them changed from one load of the default scenario to the next."""
    monkeypatch.delenv("EMULATOR_BASELINE_CACHE", raising=False)
    monkeypatch.setattr(cachedir, "_warned", False)
    loads = []
    for directory in ("first", "second", "second"):  # two empty caches, then one read back
        monkeypatch.setenv("EMULATOR_CACHE_DIR", str(tmp_path / directory))
        loads.append(baselinecache.load_baseline_cached(["default"], default_apis()))
    one, other, cached = loads
    for kind in one.store.kinds():
        assert set(one.store[kind].ids()) == set(other.store[kind].ids()) == set(cached.store[kind].ids()), kind
    assert one.keys == other.keys == cached.keys
    roles = [dict(zip(load.store["customerid.roles"].ids(), load.store["customerid.roles"])) for load in loads]
    assert roles[0] == roles[1] == roles[2]
