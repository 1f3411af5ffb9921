"""The in-memory store: records, collections, indexes, copy-on-write forks and
transactions. No HTTP, no API: the emulated APIs build their models on it.

``core`` (Store, Collection, indexes), ``layered`` (forkable dicts), ``sortedkeys``
(forkable ordered index keys), ``querycache`` (sorted search results until the
next write), ``ids`` (random uuid text), ``untracked`` (records the cyclic
collector never scans).

May import: ``emulator.formats``.
"""
