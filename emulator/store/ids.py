"""Random (version 4) UUIDs as text, the form every emulated API gives its ids in.

``str(uuid.uuid4())`` builds a UUID object only to print it, after a system call
for 16 bytes; on a write that creates several records that was a visible share of
the request. Same bits, same text: 122 random bits from os.urandom (read 4 KiB at
a time, never shared with a forked child), the version and the RFC 4122 variant set.
The DFS correlation ids (32 hex digits) come from the same batch.
"""

from __future__ import annotations

import os

_BATCH_BYTES = 4096
_random = memoryview(b"")


def _forget_random_bytes() -> None:
    global _random
    _random = memoryview(b"")


os.register_at_fork(after_in_child=_forget_random_bytes)  # a child must not repeat its parent's ids


def _random_16() -> memoryview:
    global _random
    if len(_random) < 16:
        _random = memoryview(os.urandom(_BATCH_BYTES))
    raw = _random[:16]
    _random = _random[16:]
    return raw


def random_hex32() -> str:
    """16 random bytes as 32 lower-case hex digits, as os.urandom(16).hex() (DFS correlation ids)."""
    return _random_16().hex()


def random_uuid() -> str:
    raw = bytearray(_random_16())
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # variant 10xx (RFC 4122)
    text = raw.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
