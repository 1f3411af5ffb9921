"""The package's own YAML files (endpoint tables, schemas, OpenAPI fragments).

They ship with the emulator, so they are trusted: they are parsed by libyaml's
loader directly, without safeparse's bounds (those are for documents clients and
scenario authors send). What a file parses to is kept in the cache directory
(cachedir.py) as marshal data keyed by the file's bytes, so a start reads that
back instead of importing PyYAML and parsing: 0.3 ms against ~25 ms of CPU for
the files every start reads (PyYAML's pure-Python loader took ~180 ms).
"""

from __future__ import annotations

import hashlib
import marshal
import sys
from pathlib import Path
from typing import Any

from .cachedir import CacheEntryRejected, cache_directory, read_entry, usable_directory, warn_once, write_entry

KEEP_FILES = 64  # parsed files kept; an edited file adds one
# What a cached parse depends on besides the file: the marshal format of this Python.
_FORMAT = f"packagedata-1 marshal-{marshal.version} python-{sys.version_info[0]}.{sys.version_info[1]}".encode()


def yaml_loader() -> Any:
    """libyaml's safe loader when PyYAML has it, else the pure-Python one."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Any:
    """One of the package's YAML files, parsed afresh (callers may change what they get)."""
    data = path.read_bytes()
    configured = cache_directory()
    directory = usable_directory(configured) if configured is not None else None
    identity = hashlib.sha256(_FORMAT + data).digest()
    cached = directory / f"package-{identity.hex()[:32]}.marshal" if directory else None
    if cached is not None:
        try:
            payload = read_entry(cached, identity)
            if payload is not None:
                return marshal.loads(payload)
        except (CacheEntryRejected, EOFError, ValueError, TypeError) as rejected:  # damaged or foreign: parse
            warn_once("ignoring the cached %s: %s", cached.name, rejected)
    import yaml

    document = yaml.load(data.decode("utf-8"), Loader=yaml_loader())
    if cached is not None:
        try:
            write_entry(cached, identity, marshal.dumps(document), KEEP_FILES)
        except (OSError, ValueError) as error:  # a read-only directory, or a value marshal cannot hold
            warn_once("cannot cache %s in %s: %s", path.name, cached.parent, error)
    return document
