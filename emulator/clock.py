"""The clock every timestamp the emulated APIs produce comes from.

It is per world, so a test may move time (issue: control API clock) without
touching other tests; today it simply follows the wall clock plus an offset.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone


class Clock:
    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(timezone.utc) + self.offset

    def iso(self) -> str:
        return self.now().isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def copy(self) -> "Clock":
        return Clock(self.offset)
