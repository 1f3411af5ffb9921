"""Random ids for answers: correlation ids and new records' uuids.

Both come from os.urandom, as uuid.uuid4 and os.urandom(16).hex() do, read 4 KiB
at a time: one system call serves 256 ids instead of one. list.pop is atomic, so
no two callers get the same bytes; a forked child starts with an empty pool."""

from __future__ import annotations

import os

_POOL_BYTES = 16 * 256
_pool: list[str] = []  # 32 hex digits (16 random bytes) each
os.register_at_fork(after_in_child=_pool.clear)


def random_hex32() -> str:
    """16 random bytes as 32 lower-case hex digits."""
    try:
        return _pool.pop()
    except IndexError:
        block = os.urandom(_POOL_BYTES).hex()
        _pool.extend(block[start:start + 32] for start in range(32, len(block), 32))
        return block[:32]


def uuid4_text() -> str:
    """What str(uuid.uuid4()) gives: 122 random bits, version 4, RFC 4122 variant."""
    digits = random_hex32()
    variant = "89ab"[int(digits[16], 16) & 3]
    return f"{digits[:8]}-{digits[8:12]}-4{digits[13:16]}-{variant}{digits[17:20]}-{digits[20:]}"
