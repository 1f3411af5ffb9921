"""Where the server keeps what it can rebuild but would rather not at every start:
loaded baselines (baselinecache.py), the parsed package YAML (packagedata.py) and
the local CA that HTTPS serves from (serving/tls.py, in ``ca/``).

``$EMULATOR_CACHE_DIR``, by default ``$XDG_CACHE_HOME/identity-emulator`` or
``~/.cache/identity-emulator``; ``EMULATOR_BASELINE_CACHE=0`` turns caching off.
What is in there is read back as it is (pickle, marshal), so the directory must
be writable by nobody the user does not trust; by default it is the user's own.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO


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


def write_atomically(path: Path, write: Callable[[IO[bytes]], object], keep: int) -> None:
    """``write(file)`` into ``path`` whole or not at all (readers never see half a
    file), then remove all but the ``keep`` most recent files of its kind (the same
    name up to the first dash, the same suffix). OSError when the directory cannot
    be written; whatever ``write`` raises."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("wb", dir=path.parent, prefix="." + path.name, delete=False) as file:
        try:
            write(file)
        except BaseException:
            file.close()
            os.unlink(file.name)
            raise
    os.replace(file.name, path)
    kind = path.name.split("-", 1)[0]
    older = sorted(path.parent.glob(f"{kind}-*{path.suffix}"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in older[keep:]:
        stale.unlink(missing_ok=True)
