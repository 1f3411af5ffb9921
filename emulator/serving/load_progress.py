"""Progress lines while scenarios load slowly (``emulator`` and the container).

Quiet when everything loads within a second (the usual case); past that, one
line saying what is loading, then one line per scenario file with the entities
it added and the time taken, so a long start (bulk-50k, a 20,000-identity dump)
is visibly working rather than hung.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

SLOW_SECONDS = 1.0


class LoadProgress:
    """Handed to load_baseline(); ``say`` prints a line (the CLI: stdout, flushed)."""

    def __init__(self, say: Callable[[str], None], slow_seconds: float = SLOW_SECONDS) -> None:
        self.say = say
        self.slow_seconds = slow_seconds
        self.started = self._file_started = time.perf_counter()
        self.current = ("reading", "scenarios")
        self.slow = False
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def _announce(self) -> None:
        with self._lock:
            if not self.slow:
                self.slow = True
                step, name = self.current
                self.say(f"  {step} scenario {name} … ({time.perf_counter() - self.started:.1f} s so far)")

    def loading(self, name: str, step: str = "loading") -> None:
        """``step``: reading, validating or loading (the file's entities go into the store)."""
        with self._lock:
            if self._timer is None:  # the clock starts with the first file
                self.started = time.perf_counter()
                self._timer = threading.Timer(self.slow_seconds, self._announce)
                self._timer.daemon = True
                self._timer.start()
            self.current = (step, name)
            self._file_started = time.perf_counter()

    def loaded(self, name: str, entities: int) -> None:
        now = time.perf_counter()
        with self._lock:
            if not self.slow and now - self.started < self.slow_seconds:
                return
            self.slow = True
            self.say(
                f"  scenario {name}: {entities:,} entities loaded in {now - self._file_started:.1f} s "
                f"({now - self.started:.1f} s elapsed)"
            )

    def done(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
