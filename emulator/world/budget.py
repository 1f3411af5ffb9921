"""One memory budget for everything clients make the process hold.

Journal entries (in every namespace), snapshots and faults are charged against
``memory_budget_bytes``. Charging a journal entry is an integer add; only when the
budget is exceeded does anything else happen: the oldest journal entries of the
largest journals go first (counted in ``evicted``), and a snapshot or fault that
would not fit after that is refused. The figures are estimates (bodies as kept plus
a fixed overhead per entry; a snapshot by the records it may come to copy), which is
what a budget needs: bounded, proportional, cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

# What one journal entry holds besides its two bodies: the entry object, the request
# headers it references, strings for path and query.
JOURNAL_ENTRY_BYTES = 1024
# A snapshot is a copy-on-write fork; it comes to hold a copy of each collection the
# live world writes to, so it is charged as if it held every record once.
SNAPSHOT_BASE_BYTES = 32 * 1024
SNAPSHOT_RECORD_BYTES = 160
FAULT_BASE_BYTES = 2048


class LimitReached(Exception):
    """A count limit (snapshots, faults per namespace) or the budget: refused, not stored."""

    status = 409


class OverBudget(LimitReached):
    """A snapshot or fault that does not fit in the memory budget."""

    status = 507


class MemoryBudget:
    def __init__(self, limit: int, journals: Callable[[], Iterable]) -> None:
        self.limit = limit
        self.journals = journals  # every live journal, for reclaiming
        self.journal_bytes = 0
        self.snapshot_bytes = 0
        self.fault_bytes = 0
        self.held = 0  # snapshot_bytes + fault_bytes, kept summed for the journal's one test
        self.evicted_journal_entries = 0
        self.evicted_namespaces = 0
        self.expired_namespaces = 0
        self.refused = 0

    @property
    def used(self) -> int:
        return self.journal_bytes + self.held

    def reclaim(self, needed: int = 0) -> None:
        """Drop the oldest journal entries, largest journal first, until ``needed``
        more bytes fit with a tenth of the budget to spare (so this runs rarely)."""
        target = self.limit - needed - self.limit // 10
        if self.used <= target:
            return
        journals = sorted((j for j in self.journals() if j.entries), key=lambda j: j.bytes, reverse=True)
        for journal in journals:
            while journal.entries and self.used > target:
                journal.drop_oldest()
                self.evicted_journal_entries += 1
            if self.used <= target:
                return

    def charge(self, kind: str, size: int) -> None:
        """Charge a snapshot or fault, reclaiming journal space first; OverBudget
        (nothing charged) when it still does not fit."""
        if self.used + size > self.limit:
            self.reclaim(size)
            if self.used + size > self.limit:
                self.refused += 1
                raise OverBudget(
                    f"the emulator's memory budget ({self.limit} bytes) is used up: "
                    f"{self.used} bytes held; delete snapshots, faults or namespaces"
                )
        setattr(self, kind, getattr(self, kind) + size)
        self.held += size

    def release(self, kind: str, size: int) -> None:
        setattr(self, kind, getattr(self, kind) - size)
        self.held -= size

    def to_json(self) -> dict:
        return {
            "budget_bytes": self.limit,
            "used_bytes": self.used,
            "journal_bytes": self.journal_bytes,
            "snapshot_bytes": self.snapshot_bytes,
            "fault_bytes": self.fault_bytes,
            "evicted": {
                "journal_entries": self.evicted_journal_entries,
                "namespaces": self.evicted_namespaces,
                "expired_namespaces": self.expired_namespaces,
            },
            "refused": self.refused,
        }


def snapshot_bytes(record_counts: dict[str, int]) -> int:
    return SNAPSHOT_BASE_BYTES + SNAPSHOT_RECORD_BYTES * sum(record_counts.values())


class UnlimitedBudget(MemoryBudget):
    """For a Journal made on its own (tests, tools): counts, never reclaims."""

    def __init__(self) -> None:
        super().__init__(1 << 62, tuple)
