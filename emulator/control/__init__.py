"""Everything under ``/__emulator``: the control API (``routes`` wires it; ``http``
holds what every endpoint shares; ``world`` snapshots, faults, journal, clock;
``keys``; ``inspection`` the record browser; ``openapi`` its document), the
dashboard and the API documents (Swagger UI).

May import: ``emulator.server`` and everything below it. An emulated API is
reached only through the ``emulator.api.EmulatedApi`` hooks.
"""
