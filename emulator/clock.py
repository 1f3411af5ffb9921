"""The clock every timestamp the emulated APIs produce comes from.

It is per world (so per namespace): a test may move time through
``POST /__emulator/clock`` without touching other tests. It follows the wall
clock plus an offset, or stands still at a frozen instant.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone


# The instants a clock may be set to: every timestamp the APIs derive from it (expiries
# years ahead, epoch seconds in tokens) must stay representable while the clock runs on.
EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(9000, 12, 31, 23, 59, 59, tzinfo=timezone.utc)


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

    @staticmethod
    def advanced(now: datetime, seconds: float) -> datetime:
        """``now`` moved by ``seconds``; ValueError when that leaves the clock's range."""
        if not (EARLIEST - now).total_seconds() <= seconds <= (LATEST - now).total_seconds():
            raise ValueError(f"the clock may move between {EARLIEST.isoformat()} and {LATEST.isoformat()}")
        return now + timedelta(seconds=seconds)

    def set(self, now: datetime, freeze: bool) -> None:
        """ValueError (and no change) when ``now`` is outside EARLIEST..LATEST."""
        if not EARLIEST <= now <= LATEST:
            raise ValueError(f"the clock may be set between {EARLIEST.isoformat()} and {LATEST.isoformat()}")
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
