"""JSON answers as bytes: orjson (compact, UTF-8, several times faster than the
standard library), with the standard library as the fallback for what orjson
refuses (integers beyond 64 bits, non-string keys), written the same compact way."""

from __future__ import annotations

import json
from typing import Any

import orjson


def dumps(document: Any, sort_keys: bool = False) -> bytes:
    try:
        return orjson.dumps(document, option=orjson.OPT_SORT_KEYS if sort_keys else None)
    except TypeError:
        return json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys).encode()
