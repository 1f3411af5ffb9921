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

A pickle runs code when read, so the cache trusts whoever can write its
directory. By default that is the user's own cache directory.

Records (frozen, slotted dataclasses) are written as their class and field
values and read back through the class's own ``__init__``: the dataclass's
``__setstate__``, pickle's default, calls ``fields()`` for every record, which
was 0.3 s of reading back 100,000 users.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import logging
import pickle
from collections.abc import Iterable
from pathlib import Path

from ..formats.cachedir import cache_directory, write_atomically
from .scenarios import Baseline, empty_store, load_baseline, resolve_scenario

log = logging.getLogger("emulator")

KEEP_FILES = 4  # the most recently written baselines kept; older ones are removed
PACKAGE = Path(__file__).resolve().parent.parent  # the emulator package: its code and data key the cache


@functools.cache
def _code_digest() -> bytes:
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix in (".py", ".yaml", ".json", ".xsd") and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(PACKAGE)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.digest()


def _key(files: list[Path]) -> str:
    digest = hashlib.sha256(_code_digest())
    for path in files:
        digest.update(str(path.resolve()).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def load_baseline_cached(
    entries: Iterable[Path | str], apis, directories: Iterable[Path] = (), progress=None
) -> Baseline:
    """``load_baseline(entries, apis, directories=...)``, read from the cache when it holds it."""
    apis, directories = list(apis), list(directories)
    directory = cache_directory()
    if directory is None:
        return load_baseline(entries, apis, directories=directories, progress=progress)
    files = [resolve_scenario(entry, directories=directories) for entry in entries]
    try:
        path = directory / f"baseline-{_key(files)}.pickle"
    except OSError:  # an unreadable file: let the loader say so
        return load_baseline(files, apis, progress=progress)
    cached = _read(path, apis)
    if cached is not None:
        return cached
    baseline = load_baseline(files, apis, progress=progress)
    _write(path, baseline)
    return baseline


def _read(path: Path, apis) -> Baseline | None:
    try:
        with path.open("rb") as file:
            files, settings, keys, state = pickle.load(file)
        store = empty_store(apis)
        store.import_state(state)
    except FileNotFoundError:
        return None
    except Exception as error:  # unreadable or from an incompatible build: load afresh
        log.warning("emulator: ignoring the cached baseline %s: %s", path, error)
        return None
    return Baseline(store=store, settings=settings, files=files, keys=keys)


def _write(path: Path, baseline: Baseline) -> None:
    data = (baseline.files, baseline.settings, baseline.keys, baseline.store.export_state())
    try:
        write_atomically(
            path, lambda file: _RecordPickler(file, protocol=pickle.HIGHEST_PROTOCOL).dump(data), KEEP_FILES
        )
    except (OSError, pickle.PicklingError, TypeError, AttributeError) as error:
        log.warning("emulator: cannot cache the baseline in %s: %s", path.parent, error)


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
