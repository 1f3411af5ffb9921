"""From the socket to an operation: the request pipeline of every emulated API
(``pipeline``: namespace -> route -> faults -> operation -> contract -> journal),
operation lookup by path (``routing``), connection limits (``connections``) and
CORS (``cors``).

May import: ``emulator.contract``, ``emulator.world`` and everything below them.
Never an emulated API: they plug in through ``emulator.api.EmulatedApi``.
"""
