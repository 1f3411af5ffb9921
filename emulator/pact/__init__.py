"""Contract testing with Pact, the command-line side (docs/pact.md):

    verify   ``emulator pact verify``: pact-python's Verifier against a fresh in-process
             emulator, literal credentials replaced by valid ones
    cli      the ``emulator pact`` subcommand (verify, export)

The provider-state protocol and the export are control endpoints
(``emulator.control.pact``), served by every emulator.

May import: ``emulator.app`` and everything below it (beside ``emulator.drift``).
"""
