"""The clock every timestamp the emulated APIs produce comes from.

It is per world (so per namespace): a test may move time through
``POST /__emulator/clock`` without touching other tests. It follows the wall
clock plus an offset, or stands still at a frozen instant.
"""

from __future__ import annotations

import functools
import math
import time
from datetime import UTC, datetime, timedelta

# The years a clock may be set to (as written, in the timestamp's own offset): every
# timestamp the APIs derive from it (expiries years ahead, epoch seconds in tokens)
# stays representable while the clock runs on.
YEARS = (1970, 9000)
MAX_STEP_SECONDS = 1e12


@functools.lru_cache(maxsize=8)
def _second_text(second: int) -> str:
    return datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")


class Clock:
    def __init__(self, offset: timedelta = timedelta(0), frozen: datetime | None = None) -> None:
        self.offset = offset
        self.frozen = frozen  # when set, now() is always this instant

    def now(self) -> datetime:
        if self.frozen is not None:
            return self.frozen
        return datetime.now(UTC) + self.offset

    def timestamp(self) -> float:
        """Seconds since the epoch on this clock (token ``iat``/``exp``): read on
        every Bearer request, so without building a datetime while the clock runs."""
        if self.frozen is not None:
            return self.frozen.timestamp()
        return time.time() + self.offset.total_seconds()

    def iso(self) -> str:
        """Now as ISO text in UTC, to the millisecond ("2026-05-01T12:00:00.123Z"):
        every created record stores one. While the clock runs, from the epoch
        seconds, with the text of the whole second made once per second."""
        if self.frozen is not None:
            return self.frozen.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        instant = time.time() + self.offset.total_seconds()
        second = math.floor(instant)
        return f"{_second_text(second)}.{int((instant - second) * 1000):03d}Z"

    def copy(self) -> Clock:
        return Clock(self.offset, self.frozen)

    @staticmethod
    def advanced(now: datetime, seconds: float) -> datetime:
        """``now`` moved by ``seconds`` (at most MAX_STEP_SECONDS either way, else
        ValueError); the caller checks the result with ``in_range``."""
        if not -MAX_STEP_SECONDS <= seconds <= MAX_STEP_SECONDS:
            raise ValueError(f"advance_seconds is at most {MAX_STEP_SECONDS:g} either way")
        try:
            return now + timedelta(seconds=seconds)
        except OverflowError:
            return now.replace(year=1 if seconds < 0 else 9999)  # out of range either way

    @staticmethod
    def in_range(now: datetime) -> bool:
        return YEARS[0] <= now.year <= YEARS[1]

    def set(self, now: datetime, freeze: bool) -> None:
        """ValueError (and no change) when ``now`` is outside the years YEARS."""
        if not self.in_range(now):
            raise ValueError(f"the clock may be set to the years {YEARS[0]} to {YEARS[1]}")
        if freeze:
            self.frozen = now
        else:
            self.frozen = None
            self.offset = now - datetime.now(UTC)

    def advance(self, seconds: float) -> None:
        if self.frozen is not None:
            self.frozen += timedelta(seconds=seconds)
        else:
            self.offset += timedelta(seconds=seconds)
