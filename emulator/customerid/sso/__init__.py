"""Ubisecure SSO as far as CustomerID's OAuth2 needs it: discovery, the token,
introspection and userinfo endpoints and the JWKS under /uas/ (settings.py: what a
scenario configures; model.py: tokens, no HTTP; endpoints.py: the HTTP side)."""
