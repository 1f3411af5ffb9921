"""Random (version 4) UUIDs as text, the form every emulated API gives its ids in.

``str(uuid.uuid4())`` builds a UUID object only to print it, after a system call
for 16 bytes; on a write that creates several records that was a visible share of
the request. Same bits, same text: 122 random bits from os.urandom (read 4 KiB at
a time, never shared with a forked child), the version and the RFC 4122 variant set.
The DFS correlation ids (32 hex digits) come from the same batch.

While a scenario loads (``derived_ids``), the ids it does not give itself (the
roles an organization gets, a user's generated cn) come instead from a generator
seeded with the scenario's file name, position and seed: the same scenario loads
to the same ids every time, cached or not, so ids users write down from one start
hold at the next. Records created by requests stay random.
"""

from __future__ import annotations

import hashlib
import os
import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

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


_derived_source: ContextVar[random.Random | None] = ContextVar("emulator_derived_ids", default=None)


@contextmanager
def derived_ids(origin: str) -> Iterator[None]:
    """Within the block, ``random_uuid()`` draws version-4 UUIDs from a generator
    seeded with ``origin`` (e.g. "0:default.yaml:seed=0"): the same origin and the
    same sequence of calls give the same ids."""
    token = _derived_source.set(random.Random(hashlib.sha256(origin.encode()).digest()))
    try:
        yield
    finally:
        _derived_source.reset(token)


def random_uuid() -> str:
    derived = _derived_source.get()
    if derived is not None:
        return str(uuid.UUID(int=derived.getrandbits(128), version=4))
    raw = bytearray(_random_16())
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # variant 10xx (RFC 4122)
    text = raw.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
