"""Garbage-collector settings, so collector pauses stay short however large the
store grows.

The store's records are immutable and acyclic: reference counting frees them,
and the cyclic collector only has to look at them, which is what made
collections grow with the store (tens to hundreds of milliseconds with 100,000
records). So, everywhere (the store does it as it writes):

* record classes declared ``@acyclic`` are untracked when stored (``untrack``),
  and so are the store's own containers (rows, id sets, sorted-key chunks): the
  collector never sees them, however many a write run piles up.

And in the command-line server (``tune_for_serving``):

* after the scenarios are loaded, everything alive is moved to the permanent
  generation (``gc.freeze()``): the baseline is never scanned again;
* the youngest generation's threshold is raised, so requests (which allocate a
  few hundred objects each) trigger fewer, still small, collections.

The price of freezing: a reference cycle that was alive at the freeze and becomes
garbage later is not collected. Records, indexes and worlds form no cycles (a
test holds a reset to freeing the old world by reference counting alone).

Freezing happens once, at start-up, and never again. The survivors of a full
collection used to be frozen as well; but a full collection can run in the middle
of requests, and whatever they had built then (aiohttp's per-request cycles, a
body being parsed: 200,000 elements of a hostile XML document) was frozen with
them and, being cyclic, never freed: 1.28 GiB after 300 such requests
(docs/limits.md). What full collections scan now is what was created since
start-up that is still alive: the records are untracked, so that is little. The
pytest plugin, which runs inside the test process, does not freeze.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 20_000  # default 700: a collection every few requests


def tune_for_serving() -> None:
    """Call once the baseline is loaded, before serving. Everything alive is frozen
    without a collection first: what start-up leaves for the cyclic collector is a
    few thousand objects (~0.5 MB: classes that dataclass(slots=True) and attrs
    replaced, Faker's providers), and a collection over everything loaded cost
    15 ms on the default scenario and 150 ms with 100,000 users."""
    gc.freeze()
    _return_free_memory()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)


def _return_free_memory() -> None:
    """Generating a large baseline leaves tens of MiB freed but still held by the C
    allocator (37 MiB after 100,000 generated users); glibc's ``malloc_trim`` gives
    them back to the system. Elsewhere: nothing to do."""
    try:
        import ctypes

        ctypes.CDLL(None).malloc_trim(0)
    except (ImportError, AttributeError, OSError):
        pass
