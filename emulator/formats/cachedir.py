"""Where the server keeps what it can rebuild but would rather not at every start:
loaded baselines (baselinecache.py), the parsed package YAML (packagedata.py) and
the local CA that HTTPS serves from (serving/tls.py, in ``ca/``).

``$EMULATOR_CACHE_DIR``, by default ``$XDG_CACHE_HOME/identity-emulator`` or
``~/.cache/identity-emulator``; ``EMULATOR_BASELINE_CACHE=0`` turns caching off.

Every file read back is an attack surface, so nothing in here is trusted blindly:

* the directory, and each entry, must belong to the current user and be writable
  by nobody else (a baseline is a pickle, which runs code when read); otherwise
  the cache is not used at all;
* an entry is a header (magic, format version, the identity of what it holds: a
  digest of the emulator's code and the inputs, the payload's length and SHA-256)
  and the payload. Anything that does not check out (truncated, zeroed, garbage,
  another version, another input) is ignored and rebuilt; nothing is unpickled or
  unmarshalled before the checks pass;
* entries are written to ``.<name>.<pid>.tmp`` and renamed into place, so a reader
  never sees half an entry; temporaries a killed writer left behind (older than a
  minute, or whose process is gone) are removed at the next start.

A problem with the cache costs one warning line per process, never a start.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
import struct
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

log = logging.getLogger("emulator")

MAGIC = b"EMUCACHE"
FORMAT_VERSION = 1
# magic, format version, identity digest (32 bytes), payload length, payload SHA-256
_HEADER = struct.Struct(">8sH32sQ32s")
STALE_TEMPORARY_SECONDS = 60
_warned = False
_swept: set[Path] = set()


class CacheEntryRejected(Exception):
    """An entry that exists but cannot be used; the message says why."""


def cache_directory() -> Path | None:
    if os.environ.get("EMULATOR_BASELINE_CACHE", "").strip().lower() in ("0", "false", "no", "off"):
        return None
    return cache_root()


def cache_root() -> Path:
    """The cache directory, whether or not baselines are cached there (the local CA
    of serving/tls.py lives in it too)."""
    configured = os.environ.get("EMULATOR_CACHE_DIR", "").strip()
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(base) / "identity-emulator"


def warn_once(message: str, *args: object) -> None:
    """The cache's problems, one line per process: a damaged cache must not flood the log."""
    global _warned
    if not _warned:
        _warned = True
        log.warning("emulator: " + message + " (the cache is rebuilt; details once per start)", *args)
    else:
        log.debug("emulator: " + message, *args)


def _untrusted(status: os.stat_result, what: str) -> str | None:
    """Why a file or directory with this status may hold what someone else wrote; None when it may not."""
    getuid = getattr(os, "getuid", None)
    if getuid is not None and status.st_uid != getuid():
        return f"{what} belongs to another user"
    if status.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"{what} is writable by group or others"
    return None


def usable_directory(directory: Path) -> Path | None:
    """``directory`` created (private) if missing, swept of stale temporaries, when it is
    safe to read back from; None (with a warning) when it is not, e.g. writable by others."""
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        problem = _untrusted(directory.stat(), f"the cache directory {directory}")
    except OSError as error:
        problem = f"cannot use the cache directory {directory}: {error.strerror or error}"
    if problem is not None:
        warn_once("%s: not using it", problem)
        return None
    if directory not in _swept:
        _swept.add(directory)
        remove_stale_temporaries(directory)
    return directory


def remove_stale_temporaries(directory: Path) -> None:
    """Temporaries of writers that were killed: older than a minute, or whose process is gone."""
    now = time.time()
    for path in directory.glob(".*.tmp"):
        try:
            writer = int(path.name.rsplit(".", 2)[-2])
        except (ValueError, IndexError):
            writer = 0
        try:
            if now - path.stat().st_mtime > STALE_TEMPORARY_SECONDS or not _alive(writer):
                path.unlink()
        except OSError:
            pass


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):  # someone else's live process, or no way to tell
        return True
    return True


def read_entry(path: Path, identity: bytes) -> bytes | None:
    """The payload of the entry at ``path`` written for ``identity`` (32 bytes); None when
    there is none. CacheEntryRejected when there is one that does not check out."""
    try:
        with path.open("rb") as file:
            problem = _untrusted(os.fstat(file.fileno()), "the entry")
            if problem is not None:
                raise CacheEntryRejected(problem)
            data = file.read()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise CacheEntryRejected(f"unreadable: {error.strerror or error}") from None
    if len(data) < _HEADER.size:
        raise CacheEntryRejected(f"truncated: {len(data)} bytes, shorter than its header")
    magic, version, written_for, length, checksum = _HEADER.unpack_from(data)
    if magic != MAGIC:
        raise CacheEntryRejected("not an emulator cache entry")
    if version != FORMAT_VERSION:
        raise CacheEntryRejected(f"format version {version}, not {FORMAT_VERSION}")
    if written_for != identity:
        raise CacheEntryRejected("written by another emulator version or for other inputs")
    payload = memoryview(data)[_HEADER.size :]
    if len(payload) != length:
        raise CacheEntryRejected(f"truncated: {len(payload)} of {length} payload bytes")
    if hashlib.sha256(payload).digest() != checksum:
        raise CacheEntryRejected("damaged: its checksum does not match")
    return bytes(payload)


def write_entry(path: Path, identity: bytes, payload: bytes | bytearray | memoryview, keep: int) -> None:
    """The entry at ``path`` (header, then payload), written as ``write_atomically``
    writes. OSError when the directory cannot be written."""
    header = _HEADER.pack(MAGIC, FORMAT_VERSION, identity, len(payload), hashlib.sha256(payload).digest())

    def write(file: IO[bytes]) -> None:
        file.write(header)
        file.write(payload)

    write_atomically(path, write, keep)


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # removed by another process meanwhile
        return 0.0


def write_atomically(path: Path, write: Callable[[IO[bytes]], object], keep: int) -> None:
    """``write(file)`` into ``path`` whole or not at all (readers never see half a
    file; it is private, 0600), then all but the ``keep`` most recent files of its kind
    (the same name up to the first dash, the same suffix) removed. The temporary is
    named after this process, so a killed writer's is swept at the next start
    (``remove_stale_temporaries``). OSError when the directory cannot be written;
    whatever ``write`` raises."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            write(file)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    kind = path.name.split("-", 1)[0]
    older = sorted(path.parent.glob(f"{kind}-*{path.suffix}"), key=_modified, reverse=True)
    for stale in older[keep:]:
        stale.unlink(missing_ok=True)
