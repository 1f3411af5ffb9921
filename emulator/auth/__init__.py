"""What both emulated token servers share: the OAuth 2.0 protocol (``oauth``:
forms, client authentication, RFC 6749 errors, RFC 6750 challenges) and RS256
keys, JWKS and signature checks (``signing``). The servers themselves, and what
differs per vendor, live in the API packages.

May import: ``emulator.server`` and everything below it.
"""
