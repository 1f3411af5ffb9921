"""Timed system locks: a user the system locked (too many failed logins) returns
to Enabled ``lock_duration_seconds`` later on the world's virtual clock, as the
data model page says a lock "usually" does. A lock is a record, so reset,
snapshots and namespaces cover it; lifting is lazy, before each request: one
length test while no timed lock exists, else a pass over the (few) timed locks."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from ...gctuning import acyclic
from .base import ModelBase
from .statuses import ENABLED, LOCKED


@acyclic
@dataclass(frozen=True, slots=True)
class TimedLock:
    user_id: str
    until: int  # seconds since the epoch, on the world's clock


def epoch(iso_time: str) -> int:
    return int(datetime.fromisoformat(iso_time.replace("Z", "+00:00")).timestamp())


class LockRules(ModelBase):
    def start_lock_timer(self, user_id: str, locked_at: str | None = None) -> TimedLock:
        lock = TimedLock(user_id, epoch(locked_at or self.now()) + self.settings.lock_duration_seconds)
        self.locks.put(user_id, lock)
        return lock

    def stop_lock_timer(self, user_id: str) -> None:
        self.locks.delete(user_id)

    def lift_expired_locks(self) -> None:
        """Users whose lock has run out become Enabled."""
        now = epoch(self.now())
        for lock in [lock for lock in self.locks if lock.until <= now]:
            self.locks.delete(lock.user_id)
            user = self.users.get(lock.user_id)
            if user is not None and user.status == LOCKED.code:
                self.users.put(user.id, dataclasses.replace(user, status=ENABLED.code))
