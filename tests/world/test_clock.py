"""Clock.iso (world/clock.py): the text every created record stores, made from the
epoch seconds while the clock runs, the same text a datetime would print."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from emulator.world.clock import Clock


def test_a_running_clock_prints_utc_to_the_millisecond_with_its_offset():
    for offset in (timedelta(0), timedelta(days=-365 * 50, seconds=0.5), timedelta(days=365 * 6000)):
        clock = Clock(offset)
        before = clock.now()
        text = clock.iso()
        assert text.endswith("Z") and len(text) == len("2026-05-01T12:00:00.123Z")
        shown = datetime.fromisoformat(text.replace("Z", "+00:00"))
        assert before - timedelta(milliseconds=1) <= shown < before + timedelta(seconds=1)


def test_a_frozen_clock_prints_its_instant_exactly():
    clock = Clock(frozen=datetime(2030, 1, 2, 3, 4, 5, 678901, tzinfo=UTC))
    assert clock.iso() == "2030-01-02T03:04:05.678Z"
    clock.advance(0.5)
    assert clock.iso() == "2030-01-02T03:04:06.178Z"
