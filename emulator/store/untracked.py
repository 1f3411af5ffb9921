"""Records the cyclic garbage collector never has to look at.

The store's records are immutable and acyclic: reference counting frees them,
and the cyclic collector only has to look at them, which is what made
collections grow with the store. Record classes declared ``@acyclic`` are
untracked when stored (``untrack``), and so are the store's own containers
(rows, id sets, sorted-key chunks): the collector never sees them, however many
a write run piles up. What the serving process does on top (freezing the
baseline, thresholds) is ``emulator.serving.gctuning``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

Type = TypeVar("Type", bound=type)


# Record classes whose instances cannot be part of a reference cycle (see acyclic).
ACYCLIC_TYPES: set[type] = set()


def acyclic(cls: Type) -> Type:
    """Class decorator for immutable records whose fields hold only strings,
    numbers, None, and tuples, mappings or other such records of those: nothing
    that can lead back to the record. The store untracks them (``untrack``), so
    the cyclic collector never scans the records a write run piles up; before,
    every created organization was scanned again by each generation it passed
    through (a 166 ms generation-1 pause after 30 s of POST100)."""
    ACYCLIC_TYPES.add(cls)
    return cls


def _untracker() -> Callable[[object], None]:
    """CPython's ``PyObject_GC_UnTrack``: what CPython itself does to tuples and
    dicts that hold only atomic values. Elsewhere (no ctypes): a no-op, the
    records stay tracked as before."""
    try:
        import ctypes

        function = ctypes.pythonapi.PyObject_GC_UnTrack
    except (ImportError, AttributeError):
        return lambda _object: None
    function.argtypes, function.restype = [ctypes.py_object], None
    return function


untrack = _untracker()
