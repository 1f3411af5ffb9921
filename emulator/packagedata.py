"""The package's own YAML files (endpoint tables, schemas, OpenAPI fragments).

They ship with the emulator, so they are trusted: they are parsed by libyaml's
loader directly, without safeparse's bounds (those are for documents clients and
scenario authors send). libyaml matters to start-up: PyYAML's pure-Python loader
took about 180 ms of CPU for the files every start reads; libyaml takes about 20.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

try:
    YAML_LOADER: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    YAML_LOADER = yaml.SafeLoader


def read_yaml(path: Path) -> Any:
    """One of the package's YAML files, parsed afresh (callers may change what they get)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)  # noqa: S506 - a safe loader
