"""A small relying-party web app, as a developer would point at the emulator: an
aiohttp app whose OAuth 2.0 / OpenID Connect side is Authlib's client
(``OAuth2Session``: the authorization URL with PKCE S256, state and nonce, the code
for tokens at the token endpoint) and whose ID token check is Authlib's too
(``CodeIDToken`` against the provider's JWKS: iss, aud, exp, iat, nonce, at_hash).

``/login`` (optional ``?login_hint=``) sends the browser to the provider's
authorization endpoint; ``/callback`` spends the code, checks the ID token, reads
userinfo (when the provider has it) and calls the API with the access token
(``api_call``), then shows who is logged in. Authlib's requests client is
synchronous: it runs in threads, beside the app's loop. Every request to the
emulator carries ``emulator_headers`` (the test's namespace)."""

from __future__ import annotations

import asyncio
import html
from collections.abc import Callable
from dataclasses import dataclass, field

import requests
from aiohttp import web
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.oidc.core import CodeIDToken

ApiCall = Callable[[requests.Session, str], requests.Response]  # (session, access token) -> the API's answer


@dataclass
class Login:
    """What the callback found: the checked ID token's claims, userinfo and the API's answer."""

    claims: dict
    tokens: dict
    userinfo: dict | None
    api_status: int
    api_text: str


@dataclass
class RelyingParty:
    metadata_url: str
    client_id: str
    client_secret: str | None
    scope: str
    emulator_headers: dict[str, str]
    api_call: ApiCall
    base_url: str = ""  # set once the app listens (the redirect URI is base_url + "/callback")
    logins: list[Login] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _pending: dict[str, tuple[OAuth2Session, str, str]] = field(default_factory=dict)

    @property
    def redirect_uri(self) -> str:
        return self.base_url + "/callback"

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/login", self.login)
        app.router.add_get("/callback", self.callback)
        return app

    def _metadata(self) -> dict:
        return requests.get(self.metadata_url, headers=self.emulator_headers, timeout=10).json()

    def _session(self) -> OAuth2Session:
        client = OAuth2Session(
            self.client_id,
            self.client_secret,
            scope=self.scope,
            redirect_uri=self.redirect_uri,
            code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_basic" if self.client_secret else "none",
        )
        client.headers.update(self.emulator_headers)
        return client

    async def login(self, request: web.Request) -> web.Response:
        metadata = await asyncio.to_thread(self._metadata)
        client = self._session()
        verifier, nonce = generate_token(48), generate_token(16)
        extra = {"login_hint": request.query["login_hint"]} if "login_hint" in request.query else {}
        url, state = client.create_authorization_url(
            metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce, **extra
        )
        self._pending[state] = (client, verifier, nonce)
        raise web.HTTPFound(url)

    async def callback(self, request: web.Request) -> web.Response:
        if "error" in request.query:
            self.errors.append(request.query["error"])
            return web.Response(status=400, text=f"login failed: {request.query['error']}")
        pending = self._pending.pop(request.query.get("state", ""), None)
        if pending is None:
            return web.Response(status=400, text="unknown state")
        try:
            login = await asyncio.to_thread(self._finish, pending, str(request.url))
        except OAuthError as error:  # the token endpoint refused the code
            self.errors.append(error.error)
            return web.Response(status=400, text=f"login failed: {error.error}")
        self.logins.append(login)
        name = login.claims.get("name") or login.claims["sub"]
        return web.Response(
            text=f"<h1 id=user>Logged in as {html.escape(str(name))}</h1><p id=api>API {login.api_status}</p>",
            content_type="text/html",
        )

    def _finish(self, pending: tuple[OAuth2Session, str, str], callback_url: str) -> Login:
        client, verifier, nonce = pending
        metadata = self._metadata()
        tokens = client.fetch_token(
            metadata["token_endpoint"], authorization_response=callback_url, code_verifier=verifier
        )
        keys = requests.get(metadata["jwks_uri"], headers=self.emulator_headers, timeout=10).json()
        claims = jwt.decode(
            tokens["id_token"],
            JsonWebKey.import_key_set(keys),
            claims_cls=CodeIDToken,
            claims_options={"iss": {"value": metadata["issuer"]}},
            claims_params={"nonce": nonce, "client_id": self.client_id, "access_token": tokens["access_token"]},
        )
        claims.validate(leeway=5)  # OpenID Connect Core 3.1.3.7
        userinfo = None
        if "userinfo_endpoint" in metadata:
            answer = client.get(metadata["userinfo_endpoint"], timeout=10)
            answer.raise_for_status()
            userinfo = answer.json()
        with requests.Session() as api:
            api.headers.update(self.emulator_headers)
            called = self.api_call(api, tokens["access_token"])
        return Login(dict(claims), dict(tokens), userinfo, called.status_code, called.text)


class Served:
    """``RelyingParty`` served on a free port of 127.0.0.1 from its own loop thread."""

    def __init__(self, party: RelyingParty) -> None:
        from tests.support.browser import ServedApp

        self.party = party
        self.server = ServedApp(party.app())
        party.base_url = self.server.url

    def close(self) -> None:
        self.server.close()
