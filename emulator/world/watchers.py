"""Who watches a namespace's journal as it grows: waiters ("return once 2 requests
matched") and stream subscribers (the journal as server-sent events).

Both are told of each new entry by ``Journal.record_exchange``, and only while
there are any: with nobody watching a request pays one falsy list test. Nothing
here polls: a waiter is a future resolved by the entry that completes its count,
a subscriber a bounded queue and an event its writer sleeps on. Both are bounded:
waiters per namespace (``MAX_WAITERS``), subscribers per namespace
(``MAX_SUBSCRIBERS``) and the entries queued for one subscriber
(``MAX_QUEUED``): a subscriber that falls that far behind is dropped (told so
when its connection still takes a line), its queue freed at once.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable

from .journal import Journal, JournalEntry, RequestMatch

MAX_WAITERS = 1000  # per namespace
MAX_SUBSCRIBERS = 32  # per namespace
MAX_QUEUED = 1000  # entries one subscriber may fall behind before it is dropped
MAX_WAIT_SECONDS = 60.0
DROP_GRACE_SECONDS = 5.0  # a dropped subscriber's connection is cut this long after, if its writer is stuck


class Waiter:
    """Resolves once ``count`` matching entries were seen (those already in the
    journal counted first); ``seen`` keeps them, for the answer."""

    def __init__(self, match: RequestMatch, count: int, seen: list[JournalEntry]) -> None:
        self.match, self.count, self.seen = match, count, seen
        self.done = asyncio.get_running_loop().create_future()

    def see(self, entry: JournalEntry) -> None:
        if not self.done.done() and self.match.matches(entry):
            self.seen.append(entry)
            if len(self.seen) >= self.count:
                self.done.set_result(True)

    def close(self) -> None:
        if not self.done.done():
            self.done.set_result(False)


async def wait_for(
    journal: Journal, match: RequestMatch, count: int, timeout: float, after: int = 0
) -> tuple[bool, list[JournalEntry]]:
    """(matched, the matching entries): the journal's entries after id ``after``
    that match, waiting up to ``timeout`` seconds for there to be ``count``."""
    seen = [entry for entry in journal.entries if entry.seq > after and match.matches(entry)]
    if len(seen) >= count:
        return True, seen[:count]
    waiter = Waiter(match, count, seen)
    journal.watch(waiter)
    try:
        async with asyncio.timeout(timeout):
            matched = await waiter.done
    except TimeoutError:
        matched = False
    finally:
        journal.unwatch(waiter)
    return matched, waiter.seen


class Subscriber:
    """One live stream's queue of matching entries, bounded by ``max_queued``."""

    def __init__(self, journal: Journal, match: RequestMatch, max_queued: int = MAX_QUEUED) -> None:
        self.journal, self.match, self.max_queued = journal, match, max_queued
        self.queue: deque[JournalEntry] = deque()
        self.wake = asyncio.Event()
        self.dropped = self.closed = False
        self.on_drop: Callable[[], object] | None = (
            None  # called once when dropped (the stream cuts a stuck connection)
        )

    def see(self, entry: JournalEntry) -> None:
        if not self.match.matches(entry):
            return
        if len(self.queue) >= self.max_queued:
            self.dropped = True
            self.queue.clear()
            self.journal.unwatch(self)
            self.wake.set()
            if self.on_drop is not None:
                self.on_drop()
            return
        self.queue.append(entry)
        self.wake.set()

    def close(self) -> None:
        self.closed = True
        self.wake.set()


def count_of(journal: Journal, kind: type) -> int:
    return sum(1 for watcher in journal.watchers if type(watcher) is kind)
