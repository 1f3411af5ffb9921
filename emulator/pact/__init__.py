"""Contract testing with Pact (docs/pact.md): the emulator as the provider a consumer's
pacts are verified against, and as the source of pacts.

    states   named provider states (the scenarios' ``pact_states:`` and a few built in):
             setup snapshots the namespace and changes it, teardown restores it
    values   what a setup answers for ``fromProviderState``: the ids it created, fresh tokens
    routes   the control endpoints: POST /__emulator/pact/provider-states, GET /__emulator/pact
    export   a namespace's journal as a Pact V4 document
    verify   ``emulator pact verify``: pact-python's Verifier against a fresh in-process
             emulator, literal credentials replaced by valid ones
    cli      the ``emulator pact`` subcommand

The API packages know nothing of this package: it reaches them through the EmulatedApi
hooks (``bearer_token``, the scenario sections) and their endpoint tables. Only verify
imports the app; create_app mounts ``routes`` beside the control API's own.
"""
