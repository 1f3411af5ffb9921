"""One namespace's moving parts: its world of records (loaded from scenarios),
clock, injected faults, request journal, the matching both of those share, and
the memory budget they are charged to.

``state`` (World, Namespace, EmulatorState), ``scenarios`` (YAML scenario files
-> baseline store), ``scenariokeys``, ``baselinecache`` (baselines kept on disk
between starts), ``clock``, ``matching`` (which requests a fault or a journal
query means), ``faults``, ``journal``, ``budget``.

May import: ``emulator.api`` (the plug-in interface), ``emulator.config``, ``emulator.endpoints``,
``emulator.store``, ``emulator.formats``, ``emulator.builtin_scenarios``.
"""
