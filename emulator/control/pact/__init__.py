"""Pact's provider side under ``/__emulator/pact`` (docs/pact.md): the emulator as
the provider a consumer's pacts are verified against, and as a source of pacts.

    states    named provider states (the scenarios' ``pact_states:`` and a few built in):
              setup snapshots the namespace and changes it, teardown restores it
    values    what a setup answers for ``fromProviderState``: the ids it created, fresh tokens
    routes    POST /__emulator/pact/provider-states, GET /__emulator/pact
    export    a namespace's journal as a Pact V4 document
    xmlpaths  XML rule paths qualified the way Pact's XML matching names elements

May import: what ``emulator.control`` may. The emulated APIs are reached only through
the EmulatedApi hooks (``bearer_token``, their scenario sections and endpoint tables).
The verifier and the ``emulator pact`` command, which start an emulator, are
``emulator.pact``.
"""
