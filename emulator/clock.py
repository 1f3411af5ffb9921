"""The clock every timestamp the emulated APIs produce comes from.

It is per world (so per namespace): a test may move time through
``POST /__emulator/clock`` without touching other tests. It follows the wall
clock plus an offset, or stands still at a frozen instant.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone


class Clock:
    def __init__(self, offset: timedelta = timedelta(0), frozen: datetime | None = None) -> None:
        self.offset = offset
        self.frozen = frozen  # when set, now() is always this instant

    def now(self) -> datetime:
        if self.frozen is not None:
            return self.frozen
        return datetime.now(timezone.utc) + self.offset

    def iso(self) -> str:
        return self.now().isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def copy(self) -> "Clock":
        return Clock(self.offset, self.frozen)

    def set(self, now: datetime, freeze: bool) -> None:
        if freeze:
            self.frozen = now
        else:
            self.frozen = None
            self.offset = now - datetime.now(timezone.utc)

    def advance(self, seconds: float) -> None:
        if self.frozen is not None:
            self.frozen += timedelta(seconds=seconds)
        else:
            self.offset += timedelta(seconds=seconds)
