"""Loaded scenarios kept on disk between starts of the server.

Generating and indexing 100,000 users takes seconds; reading back the store
they made takes a fraction of that. Even the default scenario's load (parsing,
jsonschema's import and validation, loading) takes several times as long as
reading its pickle back. So after every load the server pickles the baseline
(records, index contents, settings, scenario keys) to the cache directory
(cachedir.py). The file's name is a digest of the scenario files' paths and
contents *and* of the emulator's own source, so an edited scenario or another
emulator version never reads a stale store.
``EMULATOR_BASELINE_CACHE=0`` turns it off.

A pickle runs code when read, so an entry is unpickled only after cachedir.py
has checked that the directory and the file belong to the user and nobody else
can write them, and that the entry's header (magic, format version, this key's
full digest, length, SHA-256 of the payload) checks out. A damaged, foreign or
stale entry is ignored with one warning line and rebuilt (docs/limits.md).

Records (frozen, slotted dataclasses) are written as their class and field
values and read back through the class's own ``__init__``: the dataclass's
``__setstate__``, pickle's default, calls ``fields()`` for every record, which
was 0.3 s of reading back 100,000 users.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import pickle
from collections.abc import Iterable
from pathlib import Path

from ..formats.cachedir import CacheEntryRejected, cache_directory, read_entry, usable_directory, warn_once, write_entry
from .scenarios import Baseline, empty_store, load_baseline, resolve_scenario

KEEP_FILES = 4  # the most recently written baselines kept; older ones are removed
PACKAGE = Path(__file__).resolve().parent.parent  # the emulator package: its code and data key the cache


@functools.cache
def _code_digest() -> bytes:
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix in (".py", ".yaml", ".json", ".xsd") and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(PACKAGE)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.digest()


def _identity(files: list[Path]) -> bytes:
    """What a baseline depends on: the emulator's code and data, the scenario files' paths and contents."""
    digest = hashlib.sha256(_code_digest())
    for path in files:
        digest.update(str(path.resolve()).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.digest()


def load_baseline_cached(
    entries: Iterable[Path | str], apis, directories: Iterable[Path] = (), progress=None
) -> Baseline:
    """``load_baseline(entries, apis, directories=...)``, read from the cache when it holds it."""
    apis, directories = list(apis), list(directories)
    configured = cache_directory()
    directory = usable_directory(configured) if configured is not None else None
    if directory is None:
        return load_baseline(entries, apis, directories=directories, progress=progress)
    files = [resolve_scenario(entry, directories=directories) for entry in entries]
    try:
        identity = _identity(files)
    except OSError:  # an unreadable file: let the loader say so
        return load_baseline(files, apis, progress=progress)
    path = directory / f"baseline-{identity.hex()[:32]}.pickle"
    cached = _read(path, identity, apis)
    if cached is not None:
        return cached
    baseline = load_baseline(files, apis, progress=progress)
    _write(path, identity, baseline)
    return baseline


def _read(path: Path, identity: bytes, apis) -> Baseline | None:
    try:
        payload = read_entry(path, identity)
        if payload is None:
            return None
        files, settings, keys, state = pickle.loads(payload)
        store = empty_store(apis)
        store.import_state(state)
    except CacheEntryRejected as rejected:
        warn_once("ignoring the cached baseline %s: %s", path, rejected)
        return None
    except Exception as error:  # checked out, but from an incompatible build all the same
        warn_once("ignoring the cached baseline %s: %s: %s", path, type(error).__name__, error)
        return None
    return Baseline(store=store, settings=settings, files=files, keys=keys)


def _write(path: Path, identity: bytes, baseline: Baseline) -> None:
    data = (baseline.files, baseline.settings, baseline.keys, baseline.store.export_state())
    try:
        buffer = io.BytesIO()
        _RecordPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(data)
        write_entry(path, identity, buffer.getbuffer(), KEEP_FILES)
    except (OSError, pickle.PicklingError, TypeError, AttributeError) as error:
        warn_once("cannot cache the baseline in %s: %s", path.parent, error)


@functools.cache
def _init_fields(cls: type) -> tuple[str, ...] | None:
    """The field names a record class's ``__init__`` takes positionally, in order;
    None for any class that is not a plain frozen, slotted dataclass (pickled as usual)."""
    params = getattr(cls, "__dataclass_params__", None)
    if (
        params is None
        or not (params.frozen and params.init)
        or "__slots__" not in cls.__dict__
        or hasattr(cls, "__post_init__")
    ):
        return None
    fields = dataclasses.fields(cls)
    if any(not field.init or field.kw_only for field in fields):
        return None
    return tuple(field.name for field in fields)


class _RecordPickler(pickle.Pickler):
    def reducer_override(self, obj):
        names = _init_fields(type(obj))
        if names is None:
            return NotImplemented
        return type(obj), tuple([getattr(obj, name) for name in names])
