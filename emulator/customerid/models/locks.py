"""Timed system locks: a user the system locked (too many failed logins) returns
to Enabled ``lock_duration_seconds`` later on the world's virtual clock, as the
data model page says a lock "usually" does. A lock is a record, so reset,
snapshots and namespaces cover it; lifting is lazy, before each request: one
length test while no timed lock exists, else one comparison with the earliest
expiry, and a pass over the timed locks only when one has run out."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ...store.untracked import acyclic
from ..statuses import ENABLED, LOCKED
from .base import ModelBase, epoch


@acyclic
@dataclass(frozen=True, slots=True)
class TimedLock:
    user_id: str
    until: int  # seconds since the epoch, on the world's clock


class LockRules(ModelBase):
    # (the locks collection's write count, the earliest ``until`` then): remembered
    # until a lock is added or removed, so a request costs one comparison while no
    # lock has run out, however many users a scenario locked (lockedAt)
    _earliest_expiry: tuple[int, int | None] | None = None

    def start_lock_timer(self, user_id: str, locked_at: str | None = None) -> TimedLock:
        lock = TimedLock(user_id, epoch(locked_at or self.now()) + self.settings.lock_duration_seconds)
        self.locks.put(user_id, lock)
        return lock

    def stop_lock_timer(self, user_id: str) -> None:
        self.locks.delete(user_id)

    def lift_expired_locks(self) -> None:
        """Users whose lock has run out become Enabled."""
        locks = self.locks
        known = self._earliest_expiry
        if known is None or known[0] != locks.writes:
            known = self._earliest_expiry = (locks.writes, min((lock.until for lock in locks), default=None))
        if known[1] is None:
            return
        now = int(self.timestamp())
        if now < known[1]:
            return
        for lock in [lock for lock in self.locks if lock.until <= now]:
            self.locks.delete(lock.user_id)
            user = self.users.get(lock.user_id)
            if user is not None and user.status == LOCKED.code:
                self.users.put(user.id, dataclasses.replace(user, status=ENABLED.code))
