"""The Ubisecure CustomerID REST API (1.0, 1.2, 2.0, 2.1) and, in ``sso/``, the
Ubisecure SSO's OAuth2/OIDC endpoints under /uas, emulated on the shared core.

May import: ``emulator.auth``, ``emulator.control`` and everything below them;
never ``emulator.dfs`` (a sibling) nor anything above (``emulator.app``,
``emulator.drift``...). The core reaches this package only through the
``emulator.api.EmulatedApi`` hooks of ``customerid.api``; ``emulator.app`` wires it in.
Inside, no two modules import each other, even through others
(tests/test_architecture.py).
"""
