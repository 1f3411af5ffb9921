"""The DFS Admin Services API (additiv DFS), emulated on the shared core.

May import: ``emulator.auth``, ``emulator.control`` and everything below them;
never ``emulator.customerid`` (a sibling) nor anything above (``emulator.app``,
``emulator.drift``...). The core reaches this package only through the
``emulator.api.EmulatedApi`` hooks of ``dfs.api``; ``emulator.app`` wires it in.
Inside, no two modules import each other, even through others
(tests/test_architecture.py).
"""
